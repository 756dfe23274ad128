import { Injectable } from '@nestjs/common';
import { clientOf, OpenTransaction } from './open-transaction';
import { PrismaService } from './prisma.service';
import type { Transaction } from './transaction';

/**
 * The one way to group writes: `run` opens a transaction, hands it to `work`, commits, then runs the
 * effects `work` registered with afterCommit (mail, in-memory revocations). Services inject this,
 * never PrismaService; repositories take the `Transaction` as their first argument.
 */
@Injectable()
export class Transactions {
  constructor(private readonly prisma: PrismaService) {}

  async run<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    let open: OpenTransaction | undefined;
    const result = await this.prisma.$transaction((client) => {
      open = new OpenTransaction(client);
      return work(open.asTransaction());
    });
    open?.committed();
    return result;
  }

  /**
   * Waits for the advisory lock `lockName` in the caller's transaction and holds it until that ends:
   * a check-then-write that no single statement can express (counting across tables) runs one at a time.
   */
  async lock(transaction: Transaction, lockName: string): Promise<void> {
    await clientOf(transaction).$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockName}, 0))`;
  }

  /**
   * Runs `work` in a transaction holding the advisory lock `lockName` (released at commit, so it
   * works through PgBouncer); undefined, without running it, when another session holds the lock.
   */
  async runUnderTryLock<T>(lockName: string, work: (transaction: Transaction) => Promise<T>): Promise<T | undefined> {
    let open: OpenTransaction | undefined;
    let locked = false;
    const result = await this.prisma.$transaction(async (client) => {
      const [lock] = await client.$queryRaw<Array<{ acquired: boolean }>>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${lockName}, 0)) AS acquired`;
      if (!lock.acquired) return undefined;
      locked = true;
      open = new OpenTransaction(client);
      return work(open.asTransaction());
    });
    if (locked) open?.committed();
    return result;
  }
}
