import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { Prisma, RefreshToken, Session, SessionRevocationReason, User } from '../../generated/prisma/client';
import { PrismaService, Transaction } from '../../prisma/prisma.service';
import { AuditEventInput, AuditService } from '../../audit/audit.service';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import { hashRefreshToken, newRefreshToken, openWithToken, sealForTokenHolder } from '../tokens/refresh-token';
import { ClientInfo } from './client-info';
import { RefreshRotationStore } from './refresh-rotation.store';
import { SessionGrant, SessionGrantStore } from './session-grant.store';
import { RevokedSessionsService } from './revoked-sessions.service';

export interface IssuedSession {
  readonly session: Session;
  readonly refreshToken: string;
}

export interface RotatedSession extends IssuedSession {
  readonly user: User;
  readonly accessToken: IssuedAccessToken;
}

export interface RevokedSession {
  readonly id: string;
  readonly userId: string;
}

type RotationOutcome =
  | { kind: 'rotated'; rotated: RotatedSession }
  | { kind: 'invalid' }
  | { kind: 'reused'; sessionId: string; userId: string };

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
    private readonly audit: AuditService,
    private readonly rotations: RefreshRotationStore,
    private readonly grants: SessionGrantStore,
  ) {}

  /**
   * Starts a session on `grant` in the caller's transaction; undefined when the account changed
   * since its credentials were checked (the insert re-asserts the grant, see SessionGrantStore).
   */
  async start(transaction: Transaction, grant: SessionGrant, client: ClientInfo): Promise<IssuedSession | undefined> {
    const now = new Date();
    const absoluteExpiresAt = this.after(now, this.config.session.maxAgeSeconds);
    const refreshToken = newRefreshToken();
    const fields = {
      createdAt: now,
      idleExpiresAt: this.idleExpiry(now, absoluteExpiresAt),
      absoluteExpiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
    };
    const id = await this.grants.insertIfGranted(transaction, grant, {
      ...fields,
      refreshTokenHash: refreshToken.hash,
    });
    if (!id) return undefined;
    const session: Session = {
      id,
      userId: grant.userId,
      lastUsedAt: now,
      revokedAt: null,
      revokedReason: null,
      ...fields,
    };
    return { session, refreshToken: refreshToken.token };
  }

  /**
   * Exchanges a refresh token for its successor and a new access token. The presented token is
   * consumed by one conditional update, so of concurrent exchanges exactly one mints a successor; a
   * token that was already exchanged is reuse, and reuse revokes the whole session. Within the reuse
   * grace, the immediate predecessor of the current token gets the current pair back instead.
   */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RotatedSession> {
    const outcome = await this.tryRotate(refreshToken, client);
    switch (outcome.kind) {
      case 'rotated':
        return outcome.rotated;
      case 'reused':
        await this.prisma.transaction(async (transaction) => {
          await this.revoke(transaction, [outcome.sessionId], 'REFRESH_TOKEN_REUSED');
          await this.audit.record(
            { type: 'REFRESH_TOKEN_REUSED', subjectId: outcome.userId, sessionId: outcome.sessionId, origin: client },
            transaction.client,
          );
        });
        throw new DomainError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been revoked');
      case 'invalid':
        throw new DomainError('INVALID_REFRESH_TOKEN', 'Refresh token is not valid');
    }
  }

  /** The user's sessions that can still be refreshed, most recently used first. */
  listLive(userId: string): Promise<Session[]> {
    const now = new Date();
    return this.prisma.session.findMany({
      where: { userId, revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
      orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }],
    });
  }

  /** Ends one of the user's own live sessions; anything else is NOT_FOUND, so no other session is revealed. */
  async revokeOwn(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    const now = new Date();
    const live = { idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } };
    await this.prisma.transaction(async (transaction) => {
      const [revoked] = await this.revokeWhere(transaction, { id: sessionId, userId, ...live }, 'REVOKED_BY_USER');
      if (!revoked) throw new DomainError('NOT_FOUND', 'No live session with this id');
      await this.audit.record(
        { type: 'SESSION_REVOKED', actorId: userId, subjectId: userId, sessionId, origin: client },
        transaction.client,
      );
    });
  }

  /** Ends the session a refresh token belongs to; nothing for unknown tokens or sessions already ended. */
  async revokeByRefreshToken(
    transaction: Transaction,
    refreshToken: string,
    reason: SessionRevocationReason,
  ): Promise<RevokedSession | undefined> {
    const token = await transaction.client.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      select: { sessionId: true },
    });
    if (!token) return undefined;
    const [revoked] = await this.revokeWhere(transaction, { id: token.sessionId }, reason);
    return revoked;
  }

  /** Ends every live session of a user, or every one but `exceptSessionId`. */
  revokeAllForUser(
    transaction: Transaction,
    userId: string,
    reason: SessionRevocationReason,
    exceptSessionId?: string,
  ): Promise<RevokedSession[]> {
    return this.revokeWhere(
      transaction,
      { userId, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
      reason,
    );
  }

  /**
   * Ends the user's sessions (all but `exceptSessionId`) and records `event` about it, with the number
   * ended in its details, in the caller's transaction: logout-all, password change and reset, operators.
   */
  async revokeAllForUserAndRecord(
    transaction: Transaction,
    userId: string,
    reason: SessionRevocationReason,
    event: AuditEventInput,
    exceptSessionId?: string,
  ): Promise<number> {
    const ended = await this.revokeAllForUser(transaction, userId, reason, exceptSessionId);
    await this.audit.record(
      { subjectId: userId, ...event, details: { ...event.details, sessionsEnded: ended.length } },
      transaction.client,
    );
    return ended.length;
  }

  revoke(
    transaction: Transaction,
    sessionIds: readonly string[],
    reason: SessionRevocationReason,
  ): Promise<RevokedSession[]> {
    return this.revokeWhere(transaction, { id: { in: [...sessionIds] } }, reason);
  }

  /**
   * Marks the live sessions revoked and records each revocation apart from its session, so it outlives
   * the row (a deleted user's sessions go with the user). Postgres announces them to every instance
   * when the transaction commits, and this instance refuses their access tokens right after the commit.
   */
  private async revokeWhere(
    transaction: Transaction,
    where: Prisma.SessionWhereInput,
    reason: SessionRevocationReason,
  ): Promise<RevokedSession[]> {
    const revokedAt = new Date();
    const revoked = await transaction.client.session.updateManyAndReturn({
      where: { ...where, revokedAt: null },
      data: { revokedAt, revokedReason: reason },
      select: { id: true, userId: true },
    });
    const ids = revoked.map((session) => session.id);
    if (ids.length > 0) {
      await transaction.client.sessionRevocation.createMany({
        data: ids.map((sessionId) => ({ sessionId, revokedAt })),
        skipDuplicates: true,
      });
    }
    await this.revokedSessions.announceOnCommit(ids, transaction.client);
    transaction.afterCommit(() => this.revokedSessions.remember(ids));
    return revoked;
  }

  private async tryRotate(refreshToken: string, client: ClientInfo): Promise<RotationOutcome> {
    const now = new Date();
    const presented = await this.prisma.refreshToken.findUnique({
      where: { tokenHash: hashRefreshToken(refreshToken) },
      include: { session: { include: { user: true } } },
    });
    if (!presented) return { kind: 'invalid' };
    const { session } = presented;
    // A consumed token presented again is reuse, even when an earlier replay already ended the session.
    if (presented.rotatedAt) return this.replayWithinGrace(presented, refreshToken, now);
    if (!this.isLive(session, now)) return { kind: 'invalid' };

    const successor = newRefreshToken();
    const accessToken = this.accessTokens.issue({
      userId: session.userId,
      sessionId: session.id,
      role: session.user.role,
    });
    const { user, ...consumedSession } = session;
    const extended: Session = {
      ...consumedSession,
      lastUsedAt: now,
      idleExpiresAt: this.idleExpiry(now, session.absoluteExpiresAt),
      userAgent: client.userAgent ?? session.userAgent,
      ip: client.ip ?? session.ip,
    };
    const applied = await this.rotations.apply({
      presentedTokenId: presented.id,
      successorHash: successor.hash,
      successorGeneration: presented.generation + 1,
      successorSealed:
        this.config.session.reuseGraceSeconds > 0 ? this.seal(refreshToken, successor.token, accessToken, now) : null,
      at: now,
      idleExpiresAt: extended.idleExpiresAt,
      userAgent: extended.userAgent,
      ip: extended.ip,
    });
    if (!applied) {
      // Lost the race, or the session was revoked meanwhile: read what the winner committed, so a
      // racer within the grace gets its pair.
      const consumedBy = await this.prisma.refreshToken.findUniqueOrThrow({ where: { id: presented.id } });
      if (!consumedBy.rotatedAt) return { kind: 'invalid' };
      return this.replayWithinGrace({ ...presented, ...consumedBy }, refreshToken, now);
    }
    return { kind: 'rotated', rotated: { session: extended, user, refreshToken: successor.token, accessToken } };
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
  ): Promise<RotationOutcome> {
    const reused: RotationOutcome = {
      kind: 'reused',
      sessionId: presented.sessionId,
      userId: presented.session.userId,
    };
    const graceMs = this.config.session.reuseGraceSeconds * 1000;
    const { rotatedAt, successorSealed, session } = presented;
    if (!rotatedAt || !successorSealed || now.getTime() - rotatedAt.getTime() > graceMs) return reused;
    if (!this.isLive(session, now)) return reused;
    const successor = await this.prisma.refreshToken.findUnique({
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
