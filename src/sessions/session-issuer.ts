import { Injectable } from '@nestjs/common';
import { Metrics } from '../metrics/metrics';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import { AppConfig } from '../config/app-config';
import type { Role, Session, User } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { AccessTokenService, IssuedAccessToken } from '../tokens/access-token.service';
import { hashRefreshToken, newRefreshToken, openWithToken, sealForTokenHolder } from './refresh-token';
import { PresentedToken, SessionGrant, SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

export type { SessionGrant } from './sessions.repository';

/** How the user authenticated for a new session (RFC 8176 methods), and when. */
export interface Authentication {
  readonly amr: readonly string[];
  readonly at: Date;
}

/** A password alone. */
export const PASSWORD_ONLY: readonly string[] = ['pwd'];

/** A session's credentials as issued: the refresh token once, and an access token. */
export interface IssuedSession {
  readonly session: Session;
  readonly refreshToken: string;
  readonly accessToken: IssuedAccessToken;
}

export interface RotatedSession extends IssuedSession {
  readonly user: User;
}

type RotationOutcome =
  | { kind: 'rotated'; rotated: RotatedSession }
  | { kind: 'invalid' }
  | { kind: 'reused'; sessionId: string; userId: string };

/** What a rotation issued, kept sealed on the consumed token for racers within the reuse grace. */
interface SealedSuccessor {
  readonly refreshToken: string;
  readonly accessToken: string;
  readonly accessExpiresAt: number;
}

/**
 * Starts sessions and rotates their refresh tokens: the one place that mints a session's
 * credentials, refresh tokens and access tokens alike.
 */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly accessTokens: AccessTokenService,
    private readonly management: SessionsService,
    private readonly audit: AuditService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Starts a session on `grant` in the caller's transaction; undefined when the account changed
   * since its credentials were checked (the insert re-asserts the grant in the same statement).
   * `role` is the one read with the grant: a role change moves the securityVersion on.
   */
  async start(
    transaction: Transaction,
    grant: SessionGrant & { readonly role: Role },
    client: ClientInfo,
    authentication: Authentication = { amr: PASSWORD_ONLY, at: new Date() },
  ): Promise<IssuedSession | undefined> {
    const now = authentication.at;
    const absoluteExpiresAt = this.after(now, this.config.session.maxAgeSeconds);
    const refreshToken = newRefreshToken();
    const fields = {
      createdAt: now,
      idleExpiresAt: this.idleExpiry(now, absoluteExpiresAt),
      absoluteExpiresAt,
      userAgent: client.userAgent,
      ip: client.ip,
      amr: [...authentication.amr],
      authTime: authentication.at,
    };
    const id = await this.sessions.insertIfGranted(transaction, grant, {
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
    const accessToken = this.accessTokens.issue({
      userId: grant.userId,
      sessionId: id,
      role: grant.role,
      amr: authentication.amr,
      authTime: authentication.at,
    });
    return { session, refreshToken: refreshToken.token, accessToken };
  }

  /**
   * Records a second factor given on the caller's live session and issues the session's next pair,
   * carrying it (the refresh token the client held is superseded, as by a refresh); undefined when
   * the session is no longer live.
   */
  async reauthenticate(
    transaction: Transaction,
    caller: { readonly userId: string; readonly sessionId: string; readonly role: Role },
    authentication: Authentication,
  ): Promise<IssuedSession | undefined> {
    const successor = newRefreshToken();
    const session = await this.sessions.reauthenticate(transaction, {
      sessionId: caller.sessionId,
      userId: caller.userId,
      amr: authentication.amr,
      at: authentication.at,
      successorHash: successor.hash,
    });
    if (!session) return undefined;
    const accessToken = this.accessTokens.issue({
      userId: caller.userId,
      sessionId: caller.sessionId,
      role: caller.role,
      amr: authentication.amr,
      authTime: authentication.at,
    });
    return { session, refreshToken: successor.token, accessToken };
  }

  /**
   * Exchanges a refresh token for its successor and a new access token. The presented token is
   * consumed by one conditional update, so of concurrent exchanges exactly one mints a successor; a
   * token that was already exchanged is reuse, and reuse revokes the whole session. Within the reuse
   * grace, the immediate predecessor of the current token gets the current pair back instead.
   */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RotatedSession> {
    const outcome = await this.tryRotate(refreshToken, client);
    this.metrics.refreshes.inc({ outcome: outcome.kind });
    switch (outcome.kind) {
      case 'rotated':
        return outcome.rotated;
      case 'reused':
        await this.transactions.run(async (transaction) => {
          await this.management.revoke(transaction, [outcome.sessionId], 'REFRESH_TOKEN_REUSED');
          await this.audit.record(transaction, {
            type: 'REFRESH_TOKEN_REUSED',
            subjectId: outcome.userId,
            sessionId: outcome.sessionId,
            origin: client,
          });
        });
        throw new DomainError('REFRESH_TOKEN_REUSED', 'Refresh token was already used; the session has been revoked');
      case 'invalid':
        throw new DomainError('INVALID_REFRESH_TOKEN', 'Refresh token is not valid');
    }
  }

  private async tryRotate(refreshToken: string, client: ClientInfo): Promise<RotationOutcome> {
    const now = new Date();
    const presented = await this.sessions.findPresented(hashRefreshToken(refreshToken));
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
      amr: session.amr,
      authTime: session.authTime,
    });
    const { user, ...consumedSession } = session;
    const extended: Session = {
      ...consumedSession,
      lastUsedAt: now,
      idleExpiresAt: this.idleExpiry(now, session.absoluteExpiresAt),
      userAgent: client.userAgent ?? session.userAgent,
      ip: client.ip ?? session.ip,
    };
    const applied = await this.sessions.rotate({
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
      const consumedBy = await this.sessions.findToken(presented.id);
      if (!consumedBy?.rotatedAt) return { kind: 'invalid' };
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
    if (!(await this.sessions.isSuccessorUnused(presented.sessionId, presented.generation))) return reused;
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
