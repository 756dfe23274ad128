import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { Prisma, Session, SessionRevocationReason, User } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';
import { hashRefreshToken, newRefreshToken } from '../tokens/refresh-token';
import { ClientInfo } from './client-info';
import { RevokedSessionsService } from './revoked-sessions.service';

export interface IssuedSession {
  readonly session: Session;
  readonly refreshToken: string;
}

export interface RotatedSession extends IssuedSession {
  readonly user: User;
}

type RotationOutcome =
  { kind: 'rotated'; rotated: RotatedSession } | { kind: 'invalid' } | { kind: 'reused'; sessionId: string };

/** Sessions as refresh-token families: start, rotate with reuse detection, revoke. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly revokedSessions: RevokedSessionsService,
  ) {}

  async start(
    userId: string,
    client: ClientInfo,
    transaction: Prisma.TransactionClient = this.prisma,
  ): Promise<IssuedSession> {
    const now = new Date();
    const absoluteExpiresAt = this.after(now, this.config.session.maxAgeSeconds);
    const refreshToken = newRefreshToken();
    const session = await transaction.session.create({
      data: {
        userId,
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: this.idleExpiry(now, absoluteExpiresAt),
        absoluteExpiresAt,
        userAgent: client.userAgent,
        ip: client.ip,
        refreshTokens: { create: { tokenHash: refreshToken.hash, generation: 0 } },
      },
    });
    return { session, refreshToken: refreshToken.token };
  }

  /**
   * Exchanges a refresh token for its successor. The presented token is consumed by one conditional
   * update, so of concurrent exchanges exactly one succeeds; a token that was already exchanged is
   * reuse, and reuse revokes the whole session.
   */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RotatedSession> {
    const outcome = await this.prisma.$transaction((transaction) => this.tryRotate(refreshToken, client, transaction));
    switch (outcome.kind) {
      case 'rotated':
        return outcome.rotated;
      case 'reused':
        await this.revoke([outcome.sessionId], 'REFRESH_TOKEN_REUSED');
        throw new DomainError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been revoked');
      case 'invalid':
        throw new DomainError('INVALID_REFRESH_TOKEN', 'Refresh token is not valid');
    }
  }

  /** Ends the session a refresh token belongs to; unknown or already revoked tokens are ignored. */
  async revokeByRefreshToken(refreshToken: string, reason: SessionRevocationReason): Promise<void> {
    const token = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      select: { sessionId: true },
    });
    if (token) await this.revoke([token.sessionId], reason);
  }

  async revokeAllForUser(userId: string, reason: SessionRevocationReason, exceptSessionId?: string): Promise<number> {
    return this.revokeWhere({ userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) }, reason);
  }

  async revoke(sessionIds: readonly string[], reason: SessionRevocationReason): Promise<number> {
    return this.revokeWhere({ id: { in: [...sessionIds] } }, reason);
  }

  private async revokeWhere(where: Prisma.SessionWhereInput, reason: SessionRevocationReason): Promise<number> {
    const revoked = await this.prisma.$transaction(async (transaction) => {
      const rows = await transaction.session.updateManyAndReturn({
        where: { ...where, revokedAt: null },
        data: { revokedAt: new Date(), revokedReason: reason },
        select: { id: true },
      });
      const ids = rows.map((row) => row.id);
      await this.revokedSessions.announceOnCommit(ids, transaction);
      return ids;
    });
    this.revokedSessions.remember(revoked);
    return revoked.length;
  }

  private async tryRotate(
    refreshToken: string,
    client: ClientInfo,
    transaction: Prisma.TransactionClient,
  ): Promise<RotationOutcome> {
    const now = new Date();
    const presented = await transaction.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      include: { session: { include: { user: true } } },
    });
    if (!presented) return { kind: 'invalid' };
    const { session } = presented;
    // A consumed token presented again is reuse, even when an earlier replay already ended the session.
    if (presented.rotatedAt) return { kind: 'reused', sessionId: session.id };
    if (session.revokedAt || session.idleExpiresAt <= now || session.absoluteExpiresAt <= now)
      return { kind: 'invalid' };
    if (session.user.status !== 'ACTIVE') return { kind: 'invalid' };

    // The row lock makes a concurrent exchange wait here, then find the token already consumed.
    const consumed = await transaction.refreshToken.updateMany({
      where: { id: presented.id, rotatedAt: null },
      data: { rotatedAt: now },
    });
    if (consumed.count === 0) return { kind: 'reused', sessionId: session.id };

    const successor = newRefreshToken();
    await transaction.refreshToken.create({
      data: { sessionId: session.id, tokenHash: successor.hash, generation: presented.generation + 1 },
    });
    const updated = await transaction.session.update({
      where: { id: session.id },
      data: {
        lastUsedAt: now,
        idleExpiresAt: this.idleExpiry(now, session.absoluteExpiresAt),
        userAgent: client.userAgent ?? session.userAgent,
        ip: client.ip ?? session.ip,
      },
    });
    return { kind: 'rotated', rotated: { session: updated, user: session.user, refreshToken: successor.token } };
  }

  private idleExpiry(now: Date, absoluteExpiresAt: Date): Date {
    const idle = this.after(now, this.config.session.idleTtlSeconds);
    return idle < absoluteExpiresAt ? idle : absoluteExpiresAt;
  }

  private after(from: Date, seconds: number): Date {
    return new Date(from.getTime() + seconds * 1000);
  }
}
