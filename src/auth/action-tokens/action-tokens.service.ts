import { Injectable } from '@nestjs/common';
import { ActionTokenPurpose, Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';
// Same shape as refresh tokens: 256 random bits, stored only as their SHA-256.
import { hashRefreshToken as hashToken, newRefreshToken as newToken } from '../tokens/refresh-token';

/** Whom a token was issued to, and the user's securityVersion at the time. */
export interface ActionTokenHolder {
  readonly userId: string;
  readonly userSecurityVersion: number;
}

/** One-time tokens mailed to users (password reset, email verification): issue and consume. */
@Injectable()
export class ActionTokensService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * A new token of `purpose` for the user; every earlier token of that purpose stops working. The
   * advisory lock serialises concurrent issues for one user, so only the newest token survives.
   */
  async issue(
    transaction: Prisma.TransactionClient,
    user: { readonly id: string; readonly securityVersion: number },
    purpose: ActionTokenPurpose,
    ttlSeconds: number,
  ): Promise<string> {
    const userId = user.id;
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`action-token:${purpose}:${userId}`}, 0))`;
    await transaction.actionToken.deleteMany({ where: { userId, purpose } });
    const token = newToken();
    await transaction.actionToken.create({
      data: {
        userId,
        userSecurityVersion: user.securityVersion,
        purpose,
        tokenHash: token.hash,
        expiresAt: new Date(Date.now() + ttlSeconds * 1000),
      },
    });
    return token.token;
  }

  /**
   * Marks the token used and returns its holder, or undefined when it is unknown, of another
   * purpose, used or expired. One conditional update: of concurrent uses exactly one gets the holder.
   */
  async consume(
    transaction: Prisma.TransactionClient,
    token: string,
    purpose: ActionTokenPurpose,
  ): Promise<ActionTokenHolder | undefined> {
    const now = new Date();
    const [consumed] = await transaction.actionToken.updateManyAndReturn({
      where: { tokenHash: hashToken(token), purpose, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { userId: true, userSecurityVersion: true },
    });
    return consumed;
  }

  /** The holder of a still-usable token, without using it up (to check a new password first). */
  async peek(token: string, purpose: ActionTokenPurpose): Promise<ActionTokenHolder | undefined> {
    const found = await this.prisma.actionToken.findFirst({
      where: { tokenHash: hashToken(token), purpose, usedAt: null, expiresAt: { gt: new Date() } },
      select: { userId: true, userSecurityVersion: true },
    });
    return found ?? undefined;
  }
}
