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

  async insert(transaction: Transaction, sessionIds: readonly string[], revokedAt: Date): Promise<void> {
    if (sessionIds.length === 0) return;
    await clientOf(transaction).sessionRevocation.createMany({
      data: sessionIds.map((sessionId) => ({ sessionId, revokedAt })),
      skipDuplicates: true,
    });
  }

  /** Queues NOTIFY `channel` with each payload, delivered to every listener only if the transaction commits. */
  async notifyOnCommit(transaction: Transaction, channel: string, payloads: readonly string[]): Promise<void> {
    await clientOf(transaction)
      .$executeRaw`SELECT pg_notify(${channel}, payload) FROM unnest(${[...payloads]}::text[]) AS payload`;
  }

  /** Revocations after `since`: one indexed query, usually returning nothing. */
  revokedAfter(since: Date): Promise<SessionRevocationRow[]> {
    return this.prisma.sessionRevocation.findMany({
      where: { revokedAt: { gt: since } },
      select: { sessionId: true, revokedAt: true },
    });
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
