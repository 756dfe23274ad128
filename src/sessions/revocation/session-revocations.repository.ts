import { Injectable } from '@nestjs/common';
import { clientOf } from '../../prisma/open-transaction';
import { PrismaService } from '../../prisma/prisma.service';
import type { Transaction } from '../../prisma/transaction';

export interface SessionRevocationRow {
  readonly sessionId: string;
  readonly revokedAt: Date;
}

/**
 * The session_revocations table: one row per revoked session, apart from the session's row so it
 * outlives it (a deleted user's sessions go with the user), read by every instance's revocation set.
 */
@Injectable()
export class SessionRevocationsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One statement with the ids as one array parameter, however many sessions a revocation ends. */
  async insert(transaction: Transaction, sessionIds: readonly string[], revokedAt: Date): Promise<void> {
    if (sessionIds.length === 0) return;
    await clientOf(transaction).$executeRaw`
      INSERT INTO session_revocations (session_id, revoked_at)
      SELECT id, ${revokedAt} FROM unnest(${[...sessionIds]}::uuid[]) AS id
      ON CONFLICT (session_id) DO NOTHING`;
  }

  /** Queues NOTIFY `channel` with each payload, delivered to every listener only if the transaction commits. */
  async notifyOnCommit(transaction: Transaction, channel: string, payloads: readonly string[]): Promise<void> {
    await clientOf(transaction)
      .$executeRaw`SELECT pg_notify(${channel}, payload) FROM unnest(${[...payloads]}::text[]) AS payload`;
  }

  /** A notification on its own, through the pool: the path revocations' NOTIFY takes. */
  async notify(channel: string, payload: string): Promise<void> {
    await this.prisma.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
  }

  /**
   * Up to `limit` revocations after `since`, in (revokedAt, sessionId) order, starting after `after`
   * when given (the last row of the previous page): one indexed query, usually returning nothing.
   */
  revokedAfter(since: Date, limit: number, after?: SessionRevocationRow): Promise<SessionRevocationRow[]> {
    // A null session id compares as unknown: the first page is every row after `since`, none at it.
    const from = after ?? { revokedAt: since, sessionId: null };
    return this.prisma.$queryRaw<SessionRevocationRow[]>`
      SELECT session_id::text AS "sessionId", revoked_at AS "revokedAt"
      FROM session_revocations
      WHERE (revoked_at, session_id) > (${from.revokedAt}, ${from.sessionId}::uuid) AND revoked_at >= ${from.revokedAt}
      ORDER BY revoked_at, session_id
      LIMIT ${limit}`;
  }

  /** Deletes up to `limit` revocations older than `before`; SKIP LOCKED never waits on a revoking request. */
  deleteRevokedBefore(transaction: Transaction, before: Date, limit: number): Promise<number> {
    return clientOf(transaction).$executeRaw`
      DELETE FROM session_revocations WHERE session_id IN (
        SELECT session_id FROM session_revocations WHERE revoked_at < ${before}
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
