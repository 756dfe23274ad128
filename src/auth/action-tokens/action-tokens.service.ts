import { Injectable } from '@nestjs/common';
import { ActionTokenPurpose, Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';
// Same shape as refresh tokens: 256 random bits, stored only as their SHA-256.
import { hashRefreshToken as hashToken, newRefreshToken as newToken } from '../tokens/refresh-token';

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
    userId: string,
    purpose: ActionTokenPurpose,
    ttlSeconds: number,
  ): Promise<string> {
    await transaction.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`action-token:${purpose}:${userId}`}, 0))`;
    await transaction.actionToken.deleteMany({ where: { userId, purpose } });
    const token = newToken();
    await transaction.actionToken.create({
      data: { userId, purpose, tokenHash: token.hash, expiresAt: new Date(Date.now() + ttlSeconds * 1000) },
    });
    return token.token;
  }

  /**
   * Marks the token used and returns its user, or undefined when it is unknown, of another
   * purpose, used or expired. One conditional update: of concurrent uses exactly one gets the user.
   */
  async consume(
    transaction: Prisma.TransactionClient,
    token: string,
    purpose: ActionTokenPurpose,
  ): Promise<string | undefined> {
    const now = new Date();
    const [consumed] = await transaction.actionToken.updateManyAndReturn({
      where: { tokenHash: hashToken(token), purpose, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { userId: true },
    });
    return consumed?.userId;
  }

  /** The user a still-usable token belongs to, without using it up (to check a new password first). */
  async peek(token: string, purpose: ActionTokenPurpose): Promise<string | undefined> {
    const found = await this.prisma.actionToken.findFirst({
      where: { tokenHash: hashToken(token), purpose, usedAt: null, expiresAt: { gt: new Date() } },
      select: { userId: true },
    });
    return found?.userId;
  }
}
