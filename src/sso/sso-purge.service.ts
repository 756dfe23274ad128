import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ExpiredRowsPurge } from '../prisma/expired-rows-purge';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { SsoRepository } from './sso.repository';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes the single sign-on states and codes past their expiry that no callback or exchange used. */
@Injectable()
export class SsoPurgeService extends ExpiredRowsPurge {
  constructor(
    private readonly flowsInFlight: SsoRepository,
    transactions: Transactions,
  ) {
    super(new Logger(SsoPurgeService.name), transactions, {
      lockName: 'auth-service:sso-purge',
      rows: 'expired single sign-on state(s) and code(s)',
    });
  }

  @Interval('sso-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  protected deleteBatch(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return this.flowsInFlight.deleteExpired(transaction, now, limit);
  }
}
