import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { deleteInBatches } from '../../prisma/batched-deletion';
import { ScheduledDeletion } from '../../prisma/scheduled-deletion';
import { Transactions } from '../../prisma/transactions';
import { ActionTokensRepository } from './action-tokens.repository';

// Each batch is one short transaction, so row locks never last long.
export const ACTION_TOKENS_PURGE_BATCH_SIZE = 1000;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;
export const ACTION_TOKENS_PURGE_LOCK_NAME = 'auth-service:action-tokens-purge';

/**
 * Deletes password-reset and verification tokens past their expiry (used or not, they can never work
 * again) every ten minutes, in batches under an advisory lock that one instance at a time holds.
 */
@Injectable()
export class ActionTokensPurgeService extends ScheduledDeletion {
  constructor(
    private readonly tokens: ActionTokensRepository,
    private readonly transactions: Transactions,
  ) {
    super(new Logger(ActionTokensPurgeService.name), 'Action token purge');
  }

  @Interval('action-tokens-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  /** Deletes every token that expired before `now`; how many it deleted. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const { deleted } = await deleteInBatches(this.transactions, {
      lockName: ACTION_TOKENS_PURGE_LOCK_NAME,
      batchSize: ACTION_TOKENS_PURGE_BATCH_SIZE,
      deleteBatch: (transaction) => this.tokens.deleteExpiredBefore(transaction, now, ACTION_TOKENS_PURGE_BATCH_SIZE),
      stopping: () => this.stopping,
    });
    if (deleted > 0) this.logger.log(`Purged ${deleted} expired reset or verification token(s)`);
    return deleted;
  }
}
