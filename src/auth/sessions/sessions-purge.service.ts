import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { AppConfig } from '../../config/app-config';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

export const SESSIONS_PURGE_OPTIONS = Symbol('SESSIONS_PURGE_OPTIONS');

export interface SessionsPurgeOptions {
  /** Sessions deleted per statement: each batch is one short transaction, so row locks never last long. */
  readonly batchSize: number;
}

const DEFAULT_OPTIONS: SessionsPurgeOptions = { batchSize: 1000 };
const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Names the advisory lock that lets one instance at a time purge; hashed to its key in SQL. */
export const PURGE_LOCK_NAME = 'auth-service:sessions-purge';

/**
 * Deletes sessions (and, by cascade, their refresh tokens) that ended, by expiry or revocation, longer
 * than SESSION_PURGE_RETENTION ago, every ten minutes. Each batch is its own transaction that first
 * takes a transaction-level advisory lock: an instance that finds it taken stops, so one instance
 * deletes at a time, and no lock outlives its transaction (it works through PgBouncer too).
 */
@Injectable()
export class SessionsPurgeService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionsPurgeService.name);
  private readonly options: SessionsPurgeOptions;
  private running: Promise<number> | undefined;
  private stopping = false;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
    @Optional() @Inject(SESSIONS_PURGE_OPTIONS) options?: SessionsPurgeOptions,
  ) {
    this.options = options ?? DEFAULT_OPTIONS;
  }

  @Interval('sessions-purge', PURGE_INTERVAL_MS)
  async purgeOnSchedule(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.purgeExpired();
    try {
      await this.running;
    } catch (error) {
      this.logger.warn(`Session purge failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }

  /** Lets a running purge finish its current batch, so shutdown never cuts a statement off. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  /**
   * Deletes every session that ended before `now` minus the retention, then every password-reset and
   * verification token past its expiry (used or not, it can never work again), then the revocations
   * no access token can still depend on; returns how many sessions it deleted.
   */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    const endedBefore = new Date(now.getTime() - this.config.session.purgeRetentionSeconds * 1000);
    // idle_expires_at never passes absolute_expires_at (see schema.prisma), so this condition covers
    // absolute expiry too while both arms stay on an index. SKIP LOCKED: never wait on a live request.
    const sessions = await this.deleteInBatches(
      (transaction) => transaction.$executeRaw`
        DELETE FROM sessions WHERE id IN (
          SELECT id FROM sessions
          WHERE revoked_at < ${endedBefore} OR idle_expires_at < ${endedBefore}
          LIMIT ${this.options.batchSize}
          FOR UPDATE SKIP LOCKED
        )`,
    );
    // Another instance took the lock (before us, or between two of our batches): it purges the rest,
    // the tokens included. Going on would only take the lock from it between its batches.
    if (sessions.yielded) return sessions.deleted;
    const actionTokens = await this.deleteInBatches(
      (transaction) => transaction.$executeRaw`
        DELETE FROM action_tokens WHERE id IN (
          SELECT id FROM action_tokens WHERE expires_at < ${now}
          LIMIT ${this.options.batchSize}
          FOR UPDATE SKIP LOCKED
        )`,
    );
    const revocations = await this.deleteInBatches(
      (transaction) => transaction.$executeRaw`
        DELETE FROM session_revocations WHERE session_id IN (
          SELECT session_id FROM session_revocations WHERE revoked_at < ${this.revocationsForgottenBefore(now)}
          LIMIT ${this.options.batchSize}
          FOR UPDATE SKIP LOCKED
        )`,
    );
    if (sessions.deleted > 0) this.logger.log(`Purged ${sessions.deleted} ended session(s)`);
    if (actionTokens.deleted > 0)
      this.logger.log(`Purged ${actionTokens.deleted} expired reset or verification token(s)`);
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

  /** Batches until one comes back short; `yielded` when another instance held the lock for one. */
  private async deleteInBatches(
    deleteBatch: (transaction: Prisma.TransactionClient) => Promise<number>,
  ): Promise<{ deleted: number; yielded: boolean }> {
    let deleted = 0;
    while (!this.stopping) {
      const batch = await this.underPurgeLock(deleteBatch);
      if (batch === undefined) {
        this.logger.debug('Purge skipped: another instance is purging');
        return { deleted, yielded: true };
      }
      deleted += batch;
      if (batch < this.options.batchSize) break;
    }
    return { deleted, yielded: false };
  }

  /** One batch in its own transaction; undefined when another instance holds the purge lock. */
  private underPurgeLock(
    deleteBatch: (transaction: Prisma.TransactionClient) => Promise<number>,
  ): Promise<number | undefined> {
    return this.prisma.$transaction(async (transaction) => {
      const [lock] = await transaction.$queryRaw<Array<{ acquired: boolean }>>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${PURGE_LOCK_NAME}, 0)) AS acquired`;
      if (!lock.acquired) return undefined;
      return deleteBatch(transaction);
    });
  }
}
