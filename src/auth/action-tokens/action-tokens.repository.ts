import { Injectable } from '@nestjs/common';
import type { ActionTokenPurpose } from '../../generated/prisma/client';
import { clientOf } from '../../prisma/open-transaction';
import { PrismaService } from '../../prisma/prisma.service';
import type { Transaction } from '../../prisma/transaction';

/** Whom a token was issued to, and the user's securityVersion at the time. */
export interface ActionTokenHolder {
  readonly userId: string;
  readonly userSecurityVersion: number;
}

export interface NewActionToken extends ActionTokenHolder {
  readonly purpose: ActionTokenPurpose;
  readonly tokenHash: Uint8Array<ArrayBuffer>;
  readonly expiresAt: Date;
}

/** The action_tokens table: one-time tokens mailed to users, stored only as their SHA-256. */
@Injectable()
export class ActionTokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores the token and deletes every earlier one of its purpose for the user. The advisory lock
   * serialises concurrent replacements for one user, so only the newest token survives.
   */
  async replace(transaction: Transaction, token: NewActionToken): Promise<void> {
    const client = clientOf(transaction);
    const { userId, purpose } = token;
    await client.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`action-token:${purpose}:${userId}`}, 0))`;
    await client.actionToken.deleteMany({ where: { userId, purpose } });
    await client.actionToken.create({ data: token });
  }

  /** Marks a usable token used; its holder, or undefined. Of concurrent uses exactly one gets the holder. */
  async consume(
    transaction: Transaction,
    tokenHash: Uint8Array<ArrayBuffer>,
    purpose: ActionTokenPurpose,
    now: Date,
  ): Promise<ActionTokenHolder | undefined> {
    const [consumed] = await clientOf(transaction).actionToken.updateManyAndReturn({
      where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { userId: true, userSecurityVersion: true },
    });
    return consumed;
  }

  /** The holder of a token that is unused and unexpired at `now`. */
  async findUsable(
    tokenHash: Uint8Array<ArrayBuffer>,
    purpose: ActionTokenPurpose,
    now: Date,
  ): Promise<ActionTokenHolder | undefined> {
    const found = await this.prisma.actionToken.findFirst({
      where: { tokenHash, purpose, usedAt: null, expiresAt: { gt: now } },
      select: { userId: true, userSecurityVersion: true },
    });
    return found ?? undefined;
  }

  /** Deletes up to `limit` tokens past their expiry, used or not; SKIP LOCKED never waits on a request. */
  deleteExpiredBefore(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return clientOf(transaction).$executeRaw`
      DELETE FROM action_tokens WHERE id IN (
        SELECT id FROM action_tokens WHERE expires_at < ${now}
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
