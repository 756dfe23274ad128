import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ExpiredRowsPurge } from '../../prisma/expired-rows-purge';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { ActionTokensRepository } from './action-tokens.repository';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Deletes password-reset and verification tokens past their expiry (used or not, they can never work
 * again) every ten minutes, in batches under an advisory lock that one instance at a time holds.
 */
@Injectable()
export class ActionTokensPurgeService extends ExpiredRowsPurge {
  constructor(
    private readonly tokens: ActionTokensRepository,
    transactions: Transactions,
  ) {
    super(new Logger(ActionTokensPurgeService.name), transactions, {
      lockName: 'auth-service:action-tokens-purge',
      rows: 'expired reset or verification token(s)',
    });
  }

  @Interval('action-tokens-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  protected deleteBatch(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return this.tokens.deleteExpiredBefore(transaction, now, limit);
  }
}
