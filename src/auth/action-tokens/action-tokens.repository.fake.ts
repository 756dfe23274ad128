import { randomUUID } from 'node:crypto';
import type { ActionToken, ActionTokenPurpose } from '../../generated/prisma/client';
import type { Transaction } from '../../prisma/transaction';
import type { ActionTokenHolder, ActionTokensRepository, NewActionToken } from './action-tokens.repository';

/**
 * ActionTokensRepository in memory, for unit specs: each method does what its SQL does, as one step.
 * The e2e suite runs the real statements on PostgreSQL, including concurrent consumption.
 */
export class InMemoryActionTokensRepository implements Pick<ActionTokensRepository, keyof ActionTokensRepository> {
  readonly tokens: ActionToken[] = [];

  replace(_transaction: Transaction, token: NewActionToken): Promise<void> {
    this.remove((stored) => stored.userId === token.userId && stored.purpose === token.purpose);
    this.tokens.push({ id: randomUUID(), usedAt: null, createdAt: new Date(), ...token });
    return Promise.resolve();
  }

  consume(
    _transaction: Transaction,
    tokenHash: Uint8Array<ArrayBuffer>,
    purpose: ActionTokenPurpose,
    now: Date,
  ): Promise<ActionTokenHolder | undefined> {
    const token = this.usable(tokenHash, purpose, now);
    if (!token) return Promise.resolve(undefined);
    token.usedAt = now;
    return Promise.resolve(holderOf(token));
  }

  findUsable(
    tokenHash: Uint8Array<ArrayBuffer>,
    purpose: ActionTokenPurpose,
    now: Date,
  ): Promise<ActionTokenHolder | undefined> {
    const token = this.usable(tokenHash, purpose, now);
    return Promise.resolve(token && holderOf(token));
  }

  deleteExpiredBefore(_transaction: Transaction, now: Date, limit: number): Promise<number> {
    const expired = this.tokens.filter((token) => token.expiresAt < now).slice(0, limit);
    this.remove((token) => expired.includes(token));
    return Promise.resolve(expired.length);
  }

  /** The stored tokens of a user and purpose (at most one, after a replace). */
  of(userId: string, purpose: ActionTokenPurpose): ActionToken[] {
    return this.tokens.filter((token) => token.userId === userId && token.purpose === purpose);
  }

  private usable(tokenHash: Uint8Array<ArrayBuffer>, purpose: ActionTokenPurpose, now: Date): ActionToken | undefined {
    return this.tokens.find(
      (token) =>
        Buffer.from(token.tokenHash).equals(Buffer.from(tokenHash)) &&
        token.purpose === purpose &&
        token.usedAt === null &&
        token.expiresAt > now,
    );
  }

  private remove(matches: (token: ActionToken) => boolean): void {
    for (let index = this.tokens.length - 1; index >= 0; index -= 1) {
      if (matches(this.tokens[index])) this.tokens.splice(index, 1);
    }
  }
}

function holderOf(token: ActionToken): ActionTokenHolder {
  return { userId: token.userId, userSecurityVersion: token.userSecurityVersion };
}
