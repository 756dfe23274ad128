import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RefreshToken, Session, SessionRevocationReason, User } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

/** What a session is granted on: the account as it was when its credentials were checked. */
export interface SessionGrant {
  readonly userId: string;
  /** The user's securityVersion read with the credentials that were checked. */
  readonly securityVersion: number;
}

/** The row of a new session and the hash of its first refresh token. */
export interface NewSession {
  readonly createdAt: Date;
  readonly idleExpiresAt: Date;
  readonly absoluteExpiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
  /** RFC 8176 methods the user authenticated with, and when: carried by every access token of the session. */
  readonly amr: readonly string[];
  readonly authTime: Date;
  readonly refreshTokenHash: Uint8Array<ArrayBuffer>;
}

/** What one exchange writes: the presented token consumed, its successor stored, the session extended. */
export interface Rotation {
  readonly presentedTokenId: string;
  readonly successorHash: Uint8Array<ArrayBuffer>;
  readonly successorGeneration: number;
  /** With the reuse grace on: the issued pair, sealed for holders of the presented token. */
  readonly successorSealed: Uint8Array<ArrayBuffer> | null;
  readonly at: Date;
  readonly idleExpiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
}

/** A second factor given on a live session, and the hash of the refresh token that replaces its current one. */
export interface Reauthentication {
  readonly sessionId: string;
  readonly userId: string;
  readonly amr: readonly string[];
  readonly at: Date;
  readonly successorHash: Uint8Array<ArrayBuffer>;
}

/** A refresh token as presented, with its session and the session's user (status and role decide). */
export type PresentedToken = RefreshToken & { session: Session & { user: User } };

/** findPresented's row: the token's columns, then its session's (s_) and its user's (u_). */
type PresentedRow = RefreshToken & {
  [K in keyof Omit<Session, 'id'> as `s_${K}`]: Session[K];
} & { [K in keyof Omit<User, 'id'> as `u_${K}`]: User[K] };

/** Which sessions a revocation ends: every condition given must hold; already revoked ones never match. */
export interface SessionSelection {
  readonly sessionIds?: readonly string[];
  readonly userId?: string;
  readonly exceptSessionId?: string;
  /** Only sessions still live (neither idle- nor absolutely expired) at this time. */
  readonly liveAt?: Date;
}

export interface RevokedSession {
  readonly id: string;
  readonly userId: string;
}

/**
 * The sessions and refresh_tokens tables: a session is a family of refresh tokens, one per exchange.
 * The statements that guard a security decision read the users table (status, role, securityVersion)
 * in the same statement; they never write it.
 */
@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Inserts the session and its first refresh token only if the account is still active at the
   * granted securityVersion; the id of the new session, or undefined. FOR SHARE makes a concurrent
   * change of the account wait for this transaction (and then end the new session with the others),
   * or, when the change committed first, makes this statement see it and insert nothing.
   */
  async insertIfGranted(
    transaction: Transaction,
    grant: SessionGrant,
    session: NewSession,
  ): Promise<string | undefined> {
    const sessionId = randomUUID();
    const rows = await clientOf(transaction).$queryRaw<{ inserted: number }[]>`
      WITH granted AS (
        SELECT id FROM users
        WHERE id = ${grant.userId}::uuid AND status = 'ACTIVE' AND security_version = ${grant.securityVersion}
        FOR SHARE
      ), session AS (
        INSERT INTO sessions (id, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip,
                              amr, auth_time)
        SELECT ${sessionId}::uuid, granted.id, ${session.createdAt}, ${session.createdAt}, ${session.idleExpiresAt},
               ${session.absoluteExpiresAt}, ${session.userAgent}, ${session.ip}, ${[...session.amr]}::text[], ${session.authTime}
        FROM granted
        RETURNING id
      ), token AS (
        INSERT INTO refresh_tokens (id, session_id, token_hash, generation, created_at)
        SELECT ${randomUUID()}::uuid, session.id, ${session.refreshTokenHash}, 0, ${session.createdAt}
        FROM session
      )
      SELECT count(*)::int AS inserted FROM session`;
    return rows[0]?.inserted === 1 ? sessionId : undefined;
  }

  /**
   * The write of a refresh, the hottest path of the service, as one statement: atomic without a
   * transaction, and one round trip where an interactive transaction took five (BEGIN, three writes,
   * COMMIT). Consumes the presented token if it is still unused and its session not revoked, and only
   * then inserts the successor and moves the session's idle expiry. The update's row lock makes a
   * concurrent exchange of the same token wait, then find it consumed: false.
   */
  async rotate(rotation: Rotation): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ consumed: number }[]>`
      WITH consumed AS (
        UPDATE refresh_tokens AS token
        SET rotated_at = ${rotation.at}, successor_sealed = ${rotation.successorSealed}
        FROM sessions AS session
        WHERE token.id = ${rotation.presentedTokenId}::uuid
          AND token.rotated_at IS NULL
          AND session.id = token.session_id
          AND session.revoked_at IS NULL
        RETURNING token.session_id
      ), successor AS (
        INSERT INTO refresh_tokens (id, session_id, token_hash, generation, created_at)
        SELECT ${randomUUID()}::uuid, consumed.session_id, ${rotation.successorHash}, ${rotation.successorGeneration}, ${rotation.at}
        FROM consumed
      ), extended AS (
        UPDATE sessions
        SET last_used_at = ${rotation.at}, idle_expires_at = ${rotation.idleExpiresAt},
            user_agent = ${rotation.userAgent}, ip = ${rotation.ip}
        FROM consumed
        WHERE sessions.id = consumed.session_id
      )
      SELECT count(*)::int AS consumed FROM consumed`;
    return rows[0]?.consumed === 1;
  }

  /**
   * Records a new authentication on a live session (a step-up: amr and auth_time) and replaces its
   * current refresh token with a successor, as a rotation does; the session as it is now, or undefined
   * when it is not live. The token rows are locked first, in the order a rotation locks them.
   */
  async reauthenticate(transaction: Transaction, step: Reauthentication): Promise<Session | undefined> {
    const client = clientOf(transaction);
    const consumed = await client.$queryRaw<{ generation: number }[]>`
      UPDATE refresh_tokens AS token SET rotated_at = ${step.at}
      FROM sessions AS session
      WHERE token.session_id = ${step.sessionId}::uuid AND token.rotated_at IS NULL
        AND session.id = token.session_id AND session.user_id = ${step.userId}::uuid AND session.revoked_at IS NULL
        AND session.idle_expires_at > ${step.at} AND session.absolute_expires_at > ${step.at}
      RETURNING token.generation`;
    if (consumed.length === 0) return undefined;
    const [session] = await client.session.updateManyAndReturn({
      where: { id: step.sessionId },
      data: { amr: [...step.amr], authTime: step.at, lastUsedAt: step.at },
    });
    await client.refreshToken.create({
      data: {
        sessionId: step.sessionId,
        tokenHash: step.successorHash,
        generation: Math.max(...consumed.map((token) => token.generation)) + 1,
        createdAt: step.at,
      },
    });
    return session;
  }

  async findPresented(tokenHash: Uint8Array<ArrayBuffer>): Promise<PresentedToken | null> {
    // One round trip for the token, its session and its user: through Prisma's include it took three,
    // most of a refresh's time on the database path (npm run bench, refresh).
    const [row] = await this.prisma.$queryRaw<PresentedRow[]>`
      SELECT t.id, t.session_id AS "sessionId", t.token_hash AS "tokenHash", t.generation,
             t.created_at AS "createdAt", t.rotated_at AS "rotatedAt", t.successor_sealed AS "successorSealed",
             s.user_id AS "s_userId", s.created_at AS "s_createdAt", s.last_used_at AS "s_lastUsedAt",
             s.idle_expires_at AS "s_idleExpiresAt", s.absolute_expires_at AS "s_absoluteExpiresAt",
             s.revoked_at AS "s_revokedAt", s.revoked_reason::text AS "s_revokedReason",
             s.user_agent AS "s_userAgent", s.ip AS "s_ip", s.amr AS "s_amr", s.auth_time AS "s_authTime",
             u.email AS "u_email", u.password_hash AS "u_passwordHash", u.name AS "u_name", u.role::text AS "u_role",
             u.status::text AS "u_status", u.email_verified_at AS "u_emailVerifiedAt",
             u.security_version AS "u_securityVersion", u.created_at AS "u_createdAt", u.updated_at AS "u_updatedAt"
      FROM refresh_tokens AS t
      JOIN sessions AS s ON s.id = t.session_id
      JOIN users AS u ON u.id = s.user_id
      WHERE t.token_hash = ${tokenHash}`;
    if (!row) return null;
    const user: User = {
      id: row.s_userId,
      email: row.u_email,
      passwordHash: row.u_passwordHash,
      name: row.u_name,
      role: row.u_role,
      status: row.u_status,
      emailVerifiedAt: row.u_emailVerifiedAt,
      securityVersion: row.u_securityVersion,
      createdAt: row.u_createdAt,
      updatedAt: row.u_updatedAt,
    };
    const session: Session & { user: User } = {
      id: row.sessionId,
      userId: row.s_userId,
      createdAt: row.s_createdAt,
      lastUsedAt: row.s_lastUsedAt,
      idleExpiresAt: row.s_idleExpiresAt,
      absoluteExpiresAt: row.s_absoluteExpiresAt,
      revokedAt: row.s_revokedAt,
      revokedReason: row.s_revokedReason,
      userAgent: row.s_userAgent,
      ip: row.s_ip,
      amr: row.s_amr,
      authTime: row.s_authTime,
      user,
    };
    return {
      id: row.id,
      sessionId: row.sessionId,
      tokenHash: row.tokenHash,
      generation: row.generation,
      createdAt: row.createdAt,
      rotatedAt: row.rotatedAt,
      successorSealed: row.successorSealed,
      session,
    };
  }

  /** A token as it is now: after a lost race, what the winner wrote on it. */
  findToken(id: string): Promise<RefreshToken | null> {
    return this.prisma.refreshToken.findUnique({ where: { id } });
  }

  /** Whether the token after `generation` in the session exists and is still unused. */
  async isSuccessorUnused(sessionId: string, generation: number): Promise<boolean> {
    const successor = await this.prisma.refreshToken.findUnique({
      where: { sessionId_generation: { sessionId, generation: generation + 1 } },
      select: { rotatedAt: true },
    });
    return successor !== null && successor.rotatedAt === null;
  }

  /** The session a refresh token belongs to, read in the transaction that will act on it. */
  async findSessionIdOfToken(
    transaction: Transaction,
    tokenHash: Uint8Array<ArrayBuffer>,
  ): Promise<string | undefined> {
    const token = await clientOf(transaction).refreshToken.findUnique({
      where: { tokenHash },
      select: { sessionId: true },
    });
    return token?.sessionId;
  }

  /** The user's sessions that can still be refreshed at `now`, most recently used first. */
  listLive(userId: string, now: Date): Promise<Session[]> {
    return this.prisma.session.findMany({
      where: { userId, revokedAt: null, idleExpiresAt: { gt: now }, absoluteExpiresAt: { gt: now } },
      orderBy: [{ lastUsedAt: 'desc' }, { id: 'asc' }],
    });
  }

  /** Marks the selected sessions that are not revoked yet as revoked; those it revoked. */
  revoke(
    transaction: Transaction,
    selection: SessionSelection,
    reason: SessionRevocationReason,
    revokedAt: Date,
  ): Promise<RevokedSession[]> {
    const { sessionIds, userId, exceptSessionId, liveAt } = selection;
    return clientOf(transaction).session.updateManyAndReturn({
      where: {
        revokedAt: null,
        ...(userId !== undefined ? { userId } : {}),
        ...(sessionIds !== undefined || exceptSessionId !== undefined
          ? {
              id: {
                ...(sessionIds !== undefined ? { in: [...sessionIds] } : {}),
                ...(exceptSessionId !== undefined ? { not: exceptSessionId } : {}),
              },
            }
          : {}),
        ...(liveAt !== undefined ? { idleExpiresAt: { gt: liveAt }, absoluteExpiresAt: { gt: liveAt } } : {}),
      },
      data: { revokedAt, revokedReason: reason },
      select: { id: true, userId: true },
    });
  }

  /**
   * Deletes up to `limit` sessions (and, by cascade, their refresh tokens) that ended before
   * `endedBefore`. idle_expires_at never passes absolute_expires_at (see schema.prisma), so this
   * condition covers absolute expiry too while both arms stay on an index. SKIP LOCKED: never wait on
   * a live request.
   */
  deleteEndedBefore(transaction: Transaction, endedBefore: Date, limit: number): Promise<number> {
    return clientOf(transaction).$executeRaw`
      DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions
        WHERE revoked_at < ${endedBefore} OR idle_expires_at < ${endedBefore}
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
