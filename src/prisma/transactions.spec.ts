import { InMemoryTransactions } from './in-memory-transactions';
import { clientOf } from './open-transaction';
import type { PrismaService } from './prisma.service';
import type { Transaction } from './transaction';
import { Transactions } from './transactions';

/** A PrismaService whose $transaction runs work with a stand-in client, and rolls back when it throws. */
function prismaStandIn() {
  const client = { stands: 'in' };
  const $transaction = jest.fn((work: (client: unknown) => Promise<unknown>) => work(client));
  return { prisma: { $transaction } as unknown as PrismaService, client };
}

describe('Transactions', () => {
  it('runs afterCommit effects once the transaction committed, in order, and hands repositories its client', async () => {
    const { prisma, client } = prismaStandIn();
    const effects: string[] = [];
    const result = await new Transactions(prisma).run((transaction) => {
      transaction.afterCommit(() => effects.push('mail'));
      transaction.afterCommit(() => effects.push('revocations'));
      expect(clientOf(transaction)).toBe(client);
      expect(effects).toEqual([]);
      return Promise.resolve('done');
    });
    expect(result).toBe('done');
    expect(effects).toEqual(['mail', 'revocations']);
  });

  it('runs no effect when the transaction rolls back', async () => {
    const { prisma } = prismaStandIn();
    const effect = jest.fn();
    const rolledBack = new Transactions(prisma).run((transaction) => {
      transaction.afterCommit(effect);
      return Promise.reject(new Error('constraint violated'));
    });
    await expect(rolledBack).rejects.toThrow('constraint violated');
    expect(effect).not.toHaveBeenCalled();
  });

  it('cannot be forged: only Transactions makes a Transaction', () => {
    // @ts-expect-error an object with afterCommit is not a Transaction (npm run typecheck fails if it were)
    const forged: Transaction = { afterCommit: () => undefined };
    expect(() => clientOf(forged)).toThrow();
  });

  it('has no database behind an in-memory transaction, so a real repository fails loudly under a unit spec', async () => {
    await expect(
      new InMemoryTransactions().run((transaction) => Promise.resolve(clientOf(transaction))),
    ).rejects.toThrow(/no database/);
  });
});
