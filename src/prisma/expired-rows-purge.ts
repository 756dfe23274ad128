import { Logger } from '@nestjs/common';
import { deleteInBatches } from './batched-deletion';
import { ScheduledDeletion } from './scheduled-deletion';
import type { Transaction } from './transaction';
import type { Transactions } from './transactions';

/** Each batch is one short transaction, so row locks never last long. */
export const EXPIRED_ROWS_BATCH_SIZE = 1000;

export interface ExpiredRows {
  /** Names the advisory lock one instance at a time deletes under. */
  readonly lockName: string;
  /** Names the rows in the log: "Purged 3 <rows>". */
  readonly rows: string;
}

/**
 * The purge of one table's rows past their expiry, in batches under an advisory lock (see
 * deleteInBatches); a subclass says how to delete a batch and schedules `runScheduled` with @Interval.
 */
export abstract class ExpiredRowsPurge extends ScheduledDeletion {
  protected constructor(
    logger: Logger,
    private readonly transactions: Transactions,
    private readonly expired: ExpiredRows,
  ) {
    super(logger, `Purge of ${expired.rows}`);
  }

  /** Deletes at most `limit` rows that expired before `now`; how many it deleted. */
  protected abstract deleteBatch(transaction: Transaction, now: Date, limit: number): Promise<number>;

  /** Deletes every row that expired before `now`; how many it deleted. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const { deleted } = await deleteInBatches(this.transactions, {
      lockName: this.expired.lockName,
      batchSize: EXPIRED_ROWS_BATCH_SIZE,
      deleteBatch: (transaction) => this.deleteBatch(transaction, now, EXPIRED_ROWS_BATCH_SIZE),
      stopping: () => this.stopping,
    });
    if (deleted > 0) this.logger.log(`Purged ${deleted} ${this.expired.rows}`);
    return deleted;
  }
}
