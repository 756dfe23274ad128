import type { Transaction } from './transaction';
import type { Transactions } from './transactions';

export interface BatchedDeletion {
  /** Names the advisory lock that lets one instance at a time delete; hashed to its key in SQL. */
  readonly lockName: string;
  readonly batchSize: number;
  /** Deletes at most batchSize rows in the transaction; how many it deleted. */
  readonly deleteBatch: (transaction: Transaction) => Promise<number>;
  /** Checked before every batch: shutdown lets the current batch finish, then stops. */
  readonly stopping: () => boolean;
}

export interface BatchedDeletionResult {
  readonly deleted: number;
  /** Another instance held the lock for a batch: it deletes the rest. */
  readonly yielded: boolean;
}

/**
 * Deletes batch after batch until one comes back short. Each batch is its own short transaction that
 * first takes a transaction-level advisory lock, so row locks never last long, one instance deletes
 * at a time, and no lock outlives its transaction (it works through PgBouncer too).
 */
export async function deleteInBatches(
  transactions: Transactions,
  deletion: BatchedDeletion,
): Promise<BatchedDeletionResult> {
  let deleted = 0;
  while (!deletion.stopping()) {
    const batch = await transactions.runUnderTryLock(deletion.lockName, deletion.deleteBatch);
    if (batch === undefined) return { deleted, yielded: true };
    deleted += batch;
    if (batch < deletion.batchSize) break;
  }
  return { deleted, yielded: false };
}
