import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ExpiredRowsPurge } from '../prisma/expired-rows-purge';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { PasskeysRepository } from './passkeys.repository';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes the passkey challenges past their five minutes that no ceremony used, every ten minutes. */
@Injectable()
export class WebauthnChallengesPurgeService extends ExpiredRowsPurge {
  constructor(
    private readonly passkeys: PasskeysRepository,
    transactions: Transactions,
  ) {
    super(new Logger(WebauthnChallengesPurgeService.name), transactions, {
      lockName: 'auth-service:webauthn-challenges-purge',
      rows: 'expired passkey challenge(s)',
    });
  }

  @Interval('webauthn-challenges-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  protected deleteBatch(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return this.passkeys.deleteExpiredChallenges(transaction, now, limit);
  }
}
