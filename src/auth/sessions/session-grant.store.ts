import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Transaction } from '../../prisma/prisma.service';

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
  readonly refreshTokenHash: Uint8Array<ArrayBuffer>;
}

/**
 * The insert of a new session, guarded by its grant in the same statement: a password change, a
 * reset, a disable or a role change that commits after the credentials were checked leaves nothing.
 */
@Injectable()
export class SessionGrantStore {
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
    const rows = await transaction.client.$queryRaw<{ inserted: number }[]>`
      WITH granted AS (
        SELECT id FROM users
        WHERE id = ${grant.userId}::uuid AND status = 'ACTIVE' AND security_version = ${grant.securityVersion}
        FOR SHARE
      ), session AS (
        INSERT INTO sessions (id, user_id, created_at, last_used_at, idle_expires_at, absolute_expires_at, user_agent, ip)
        SELECT ${sessionId}::uuid, granted.id, ${session.createdAt}, ${session.createdAt}, ${session.idleExpiresAt},
               ${session.absoluteExpiresAt}, ${session.userAgent}, ${session.ip}
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
}
