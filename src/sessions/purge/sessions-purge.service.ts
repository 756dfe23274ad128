import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../../config/app-config';
import { BatchedDeletionResult, deleteInBatches } from '../../prisma/batched-deletion';
import { ScheduledDeletion } from '../../prisma/scheduled-deletion';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { SessionRevocationsRepository } from '../revocation/session-revocations.repository';
import { SessionsRepository } from '../sessions.repository';

// Each batch is one short transaction, so row locks never last long.
export const PURGE_BATCH_SIZE = 1000;
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Names the advisory lock that lets one instance at a time purge; hashed to its key in SQL. */
export const PURGE_LOCK_NAME = 'auth-service:sessions-purge';

/**
 * Deletes sessions (and, by cascade, their refresh tokens) that ended, by expiry or revocation, longer
 * than SESSION_PURGE_RETENTION ago, then the revocations no access token can still depend on, every
 * ten minutes, in batches under an advisory lock that one instance at a time holds.
 */
@Injectable()
export class SessionsPurgeService extends ScheduledDeletion {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly revocations: SessionRevocationsRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {
    super(new Logger(SessionsPurgeService.name), 'Session purge');
  }

  @Interval('sessions-purge', PURGE_INTERVAL_MS)
  purgeOnSchedule(): Promise<void> {
    return this.runScheduled();
  }

  /**
   * Deletes every session that ended before `now` minus the retention, then the revocations no access
   * token can still depend on; returns how many sessions it deleted.
   */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const endedBefore = new Date(now.getTime() - this.config.session.purgeRetentionSeconds * 1000);
    const sessions = await this.inBatches((transaction, limit) =>
      this.sessions.deleteEndedBefore(transaction, endedBefore, limit),
    );
    // Another instance took the lock (before us, or between two of our batches): it purges the rest,
    // the revocations included. Going on would only take the lock from it between its batches.
    if (sessions.yielded) {
      this.logger.debug('Purge skipped: another instance is purging');
      return sessions.deleted;
    }
    const forgottenBefore = this.revocationsForgottenBefore(now);
    const revocations = await this.inBatches((transaction, limit) =>
      this.revocations.deleteRevokedBefore(transaction, forgottenBefore, limit),
    );
    if (sessions.deleted > 0) this.logger.log(`Purged ${sessions.deleted} ended session(s)`);
    if (revocations.deleted > 0)
      this.logger.log(`Purged ${revocations.deleted} revocation(s) older than any access token`);
    return sessions.deleted;
  }

  /**
   * A revocation matters while an access token of its session can still be valid: one access-token
   * lifetime. An hour more covers clock skew between instances and the database.
   */
  private revocationsForgottenBefore(now: Date): Date {
    return new Date(now.getTime() - (this.config.accessToken.ttlSeconds + 3600) * 1000);
  }

  private inBatches(
    deleteBatch: (transaction: Transaction, limit: number) => Promise<number>,
  ): Promise<BatchedDeletionResult> {
    return deleteInBatches(this.transactions, {
      lockName: PURGE_LOCK_NAME,
      batchSize: PURGE_BATCH_SIZE,
      deleteBatch: (transaction) => deleteBatch(transaction, PURGE_BATCH_SIZE),
      stopping: () => this.stopping,
    });
  }
}
