import { OpenTransaction } from './open-transaction';
import type { Transaction } from './transaction';
import type { Transactions } from './transactions';

/**
 * `Transactions` for unit specs, whose repositories are in-memory fakes: work runs at once, its
 * afterCommit effects when it returns, none when it throws. Nothing is rolled back: a spec that
 * depends on rollback belongs in the e2e suite, on PostgreSQL.
 */
export class InMemoryTransactions implements Pick<Transactions, 'run' | 'runUnderTryLock'> {
  /** How many transactions ran, committed or not. */
  started = 0;
  /** Whether the next runUnderTryLock finds its lock taken (another instance holds it). */
  lockTaken: (attempt: number) => boolean = () => false;
  private lockAttempts = 0;

  async run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    this.started += 1;
    const open = new OpenTransaction(undefined);
    const result = await work(open.asTransaction());
    open.committed();
    return result;
  }

  async runUnderTryLock<T>(_lockName: string, work: (transaction: Transaction) => Promise<T>): Promise<T | undefined> {
    if (this.lockTaken(this.lockAttempts++)) {
      this.started += 1;
      return undefined;
    }
    return this.run(work);
  }

  /** Work in memory runs one at a time already. */
  lock(): Promise<void> {
    return Promise.resolve();
  }

  asTransactions(): Transactions {
    return this as unknown as Transactions;
  }
}
