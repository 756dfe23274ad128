import type { Prisma } from '../generated/prisma/client';
import type { Transaction } from './transaction';

/**
 * What stands behind a `Transaction`: its Prisma client, which only repositories reach (through
 * `clientOf`), and the effects to run once it committed.
 */
export class OpenTransaction {
  private readonly effects: Array<() => void> = [];

  constructor(readonly client: Prisma.TransactionClient | undefined) {}

  afterCommit(effect: () => void): void {
    this.effects.push(effect);
  }

  /** After the commit: runs the registered effects in order, each once. */
  committed(): void {
    for (const effect of this.effects.splice(0)) effect();
  }

  asTransaction(): Transaction {
    return this as unknown as Transaction;
  }
}

/** The Prisma client of a transaction, for the repository statements that must run in it. */
export function clientOf(transaction: Transaction): Prisma.TransactionClient {
  const client = transaction instanceof OpenTransaction ? transaction.client : undefined;
  if (!client) throw new Error('This transaction has no database: a fake repository belongs with it');
  return client;
}
