import { Injectable } from '@nestjs/common';
import { AuditEventInput, AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import type { Session, SessionRevocationReason } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { hashRefreshToken } from './refresh-token';
import { RevokedSessionsService } from './revocation/revoked-sessions.service';
import { RevokedSession, SessionSelection, SessionsRepository } from './sessions.repository';

export type { RevokedSession } from './sessions.repository';

/**
 * A user's sessions: listing them and ending them. Every revocation reaches access tokens at once on
 * every instance (see RevokedSessionsService); starting and refreshing sessions is SessionIssuer's.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly transactions: Transactions,
    private readonly revokedSessions: RevokedSessionsService,
    private readonly audit: AuditService,
  ) {}

  /** The user's sessions that can still be refreshed, most recently used first. */
  listLive(userId: string): Promise<Session[]> {
    return this.sessions.listLive(userId, new Date());
  }

  /** Ends one of the user's own live sessions; anything else is NOT_FOUND, so no other session is revealed. */
  async revokeOwn(userId: string, sessionId: string, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const selection = { sessionIds: [sessionId], userId, liveAt: new Date() };
      const [revoked] = await this.revokeSelected(transaction, selection, 'REVOKED_BY_USER');
      if (!revoked) throw new DomainError('NOT_FOUND', 'No live session with this id');
      await this.audit.record(transaction, {
        type: 'SESSION_REVOKED',
        actorId: userId,
        subjectId: userId,
        sessionId,
        origin: client,
      });
    });
  }

  /** Ends the session a refresh token belongs to; nothing for unknown tokens or sessions already ended. */
  async revokeByRefreshToken(
    transaction: Transaction,
    refreshToken: string,
    reason: SessionRevocationReason,
  ): Promise<RevokedSession | undefined> {
    const sessionId = await this.sessions.findSessionIdOfToken(transaction, hashRefreshToken(refreshToken));
    if (!sessionId) return undefined;
    const [revoked] = await this.revokeSelected(transaction, { sessionIds: [sessionId] }, reason);
    return revoked;
  }

  /** Ends every live session of a user, or every one but `exceptSessionId`. */
  revokeAllForUser(
    transaction: Transaction,
    userId: string,
    reason: SessionRevocationReason,
    exceptSessionId?: string,
  ): Promise<RevokedSession[]> {
    return this.revokeSelected(transaction, { userId, exceptSessionId }, reason);
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
    await this.audit.record(transaction, {
      subjectId: userId,
      ...event,
      details: { ...event.details, sessionsEnded: ended.length },
    });
    return ended.length;
  }

  revoke(
    transaction: Transaction,
    sessionIds: readonly string[],
    reason: SessionRevocationReason,
  ): Promise<RevokedSession[]> {
    return this.revokeSelected(transaction, { sessionIds }, reason);
  }

  /**
   * Marks the selected live sessions revoked and records each revocation apart from its session, so
   * it outlives the row. Every instance refuses their access tokens once the transaction commits.
   */
  private async revokeSelected(
    transaction: Transaction,
    selection: SessionSelection,
    reason: SessionRevocationReason,
  ): Promise<RevokedSession[]> {
    const revokedAt = new Date();
    const revoked = await this.sessions.revoke(transaction, selection, reason, revokedAt);
    await this.revokedSessions.revokedIn(
      transaction,
      revoked.map((session) => session.id),
      revokedAt,
    );
    return revoked;
  }
}
