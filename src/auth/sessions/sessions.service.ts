import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { Prisma, RefreshToken, Session, SessionRevocationReason, User } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import { hashRefreshToken, newRefreshToken, openWithToken, sealForTokenHolder } from '../tokens/refresh-token';
import { ClientInfo } from './client-info';
import { RevokedSessionsService } from './revoked-sessions.service';

export interface IssuedSession {
  readonly session: Session;
  readonly refreshToken: string;
}

export interface RotatedSession extends IssuedSession {
  readonly user: User;
  readonly accessToken: IssuedAccessToken;
}

type RotationOutcome =
  { kind: 'rotated'; rotated: RotatedSession } | { kind: 'invalid' } | { kind: 'reused'; sessionId: string };

type PresentedToken = RefreshToken & { session: Session & { user: User } };

/** What a rotation issued, kept sealed on the consumed token for racers within the reuse grace. */
interface SealedSuccessor {
  readonly refreshToken: string;
  readonly accessToken: string;
  readonly accessExpiresAt: number;
}

/** Sessions as refresh-token families: start, rotate with reuse detection, revoke. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    private readonly revokedSessions: RevokedSessionsService,
    private readonly accessTokens: AccessTokenService,
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
   * Exchanges a refresh token for its successor and a new access token. The presented token is
   * consumed by one conditional update, so of concurrent exchanges exactly one mints a successor; a
   * token that was already exchanged is reuse, and reuse revokes the whole session. Within the reuse
   * grace, the immediate predecessor of the current token gets the current pair back instead.
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
    if (presented.rotatedAt) return this.replayWithinGrace(presented, refreshToken, now, transaction);
    if (!this.isLive(session, now)) return { kind: 'invalid' };

    const successor = newRefreshToken();
    const accessToken = this.accessTokens.issue({
      userId: session.userId,
      sessionId: session.id,
      role: session.user.role,
    });
    // The row lock makes a concurrent exchange wait here, then find the token already consumed.
    const consumed = await transaction.refreshToken.updateMany({
      where: { id: presented.id, rotatedAt: null },
      data: {
        rotatedAt: now,
        successorSealed:
          this.config.session.reuseGraceSeconds > 0
            ? this.seal(refreshToken, successor.token, accessToken, now)
            : undefined,
      },
    });
    if (consumed.count === 0) {
      // Lost the race: read what the winner committed, so a racer within the grace gets its pair.
      const consumedBy = await transaction.refreshToken.findUniqueOrThrow({ where: { id: presented.id } });
      return this.replayWithinGrace({ ...presented, ...consumedBy }, refreshToken, now, transaction);
    }

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
    return {
      kind: 'rotated',
      rotated: { session: updated, user: session.user, refreshToken: successor.token, accessToken },
    };
  }

  /**
   * A consumed token is reuse, unless the grace is on, the token was consumed within it, and its
   * successor is still unused: then the holder gets the pair that successor belongs to, so tabs
   * racing with one token converge on one chain (Supabase's rule). Older tokens are always reuse.
   */
  private async replayWithinGrace(
    presented: PresentedToken,
    refreshToken: string,
    now: Date,
    transaction: Prisma.TransactionClient,
  ): Promise<RotationOutcome> {
    const reused: RotationOutcome = { kind: 'reused', sessionId: presented.sessionId };
    const graceMs = this.config.session.reuseGraceSeconds * 1000;
    const { rotatedAt, successorSealed, session } = presented;
    if (!rotatedAt || !successorSealed || now.getTime() - rotatedAt.getTime() > graceMs) return reused;
    if (!this.isLive(session, now)) return reused;
    const successor = await transaction.refreshToken.findUnique({
      where: { sessionId_generation: { sessionId: presented.sessionId, generation: presented.generation + 1 } },
      select: { rotatedAt: true },
    });
    if (!successor || successor.rotatedAt) return reused;
    const sealed = this.open(refreshToken, successorSealed);
    if (!sealed) return reused;
    return {
      kind: 'rotated',
      rotated: {
        session,
        user: session.user,
        refreshToken: sealed.refreshToken,
        accessToken: {
          token: sealed.accessToken,
          expiresIn: Math.max(0, Math.floor((sealed.accessExpiresAt - now.getTime()) / 1000)),
        },
      },
    };
  }

  private isLive(session: Session & { user: User }, now: Date): boolean {
    return (
      !session.revokedAt &&
      session.idleExpiresAt > now &&
      session.absoluteExpiresAt > now &&
      session.user.status === 'ACTIVE'
    );
  }

  private seal(
    consumedToken: string,
    refreshToken: string,
    accessToken: IssuedAccessToken,
    now: Date,
  ): Uint8Array<ArrayBuffer> {
    const successor: SealedSuccessor = {
      refreshToken,
      accessToken: accessToken.token,
      accessExpiresAt: now.getTime() + accessToken.expiresIn * 1000,
    };
    return sealForTokenHolder(consumedToken, JSON.stringify(successor));
  }

  private open(consumedToken: string, sealed: Uint8Array): SealedSuccessor | undefined {
    const plaintext = openWithToken(consumedToken, sealed);
    return plaintext === undefined ? undefined : (JSON.parse(plaintext) as SealedSuccessor);
  }

  private idleExpiry(now: Date, absoluteExpiresAt: Date): Date {
    const idle = this.after(now, this.config.session.idleTtlSeconds);
    return idle < absoluteExpiresAt ? idle : absoluteExpiresAt;
  }

  private after(from: Date, seconds: number): Date {
    return new Date(from.getTime() + seconds * 1000);
  }
}
