import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ExpiredRowsPurge } from '../prisma/expired-rows-purge';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { MfaRepository } from './mfa.repository';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes the challenges of logins past their five minutes (completed or not), every ten minutes. */
@Injectable()
export class MfaChallengesPurgeService extends ExpiredRowsPurge {
  constructor(
    private readonly factors: MfaRepository,
    transactions: Transactions,
  ) {
    super(new Logger(MfaChallengesPurgeService.name), transactions, {
      lockName: 'auth-service:mfa-challenges-purge',
      rows: 'expired MFA challenge(s)',
    });
  }

  @Interval('mfa-challenges-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  protected deleteBatch(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return this.factors.deleteExpiredChallenges(transaction, now, limit);
  }
}
