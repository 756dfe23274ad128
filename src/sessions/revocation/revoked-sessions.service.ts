import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics';
import type { Transaction } from '../../prisma/transaction';
import { RevocationAnnouncement, RevocationChannel, RevocationSent } from './revocation-channel';
import { SessionRevocationRow, SessionRevocationsRepository } from './session-revocations.repository';

// A resync reads again what was revoked this long before the previous one began: instances' clocks
// differ, and a revoking transaction commits a little after the revokedAt it wrote.
const RESYNC_OVERLAP_MS = 60_000;
// Read in pages so that a reload of a mass revocation never holds the whole table's rows at once.
const LOAD_PAGE_SIZE = 5_000;
const toSeconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * The sessions revoked within the last access-token lifetime, held in memory on every instance so
 * the bearer check refuses their access tokens without a database query. Revocations travel between
 * instances through a RevocationChannel (Postgres NOTIFY, or Redis pub/sub when REDIS_URL is set);
 * the set is reloaded from the session_revocations table (which outlives the sessions' rows) whenever
 * the channel (re)connects, and caught up from it every resync interval, which bounds how long an
 * announcement lost in transit goes unnoticed.
 */
@Injectable()
export class RevokedSessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevokedSessionsService.name);
  /** Session id to the second until which it is refused: seconds are small integers, milliseconds would be boxed. */
  private readonly revokedUntil = new Map<string, number>();
  private readonly retentionMs: number;
  private readonly resyncIntervalMs: number;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncing = false;
  /** When the last load from the table that succeeded began. */
  private syncedAt: number | undefined;
  /** Tells this process's own announcements apart when the channel echoes them back. */
  private readonly origin = randomBytes(6).toString('hex');

  constructor(
    private readonly revocations: SessionRevocationsRepository,
    config: AppConfig,
    private readonly channel: RevocationChannel,
    private readonly metrics: Metrics,
  ) {
    // An access token outlives its session's revocation by at most its own lifetime plus clock skew.
    this.retentionMs = (config.accessToken.ttlSeconds + 60) * 1000;
    this.resyncIntervalMs = config.session.revocationResyncSeconds * 1000;
  }

  /** What is wrong with how revocations arrive from other instances, for readiness; undefined when nothing. */
  channelProblem(): string | undefined {
    return this.channel.problem();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.resyncTimer = setInterval(() => void this.resync(), this.resyncIntervalMs).unref();
    await this.channel.subscribe({
      revoked: (ids, sent) => this.announced(ids, sent),
      resubscribed: () => this.reload(),
    });
    // The channel could not connect: fill the set from the table now rather than at the first resync.
    if (this.syncedAt === undefined) await this.resync();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.resyncTimer);
    await this.channel.close();
  }

  isRevoked(sessionId: string): boolean {
    const until = this.revokedUntil.get(sessionId);
    return until !== undefined && until * 1000 > Date.now();
  }

  /**
   * In the revoking transaction: records the revocations in their table and, with Postgres, queues
   * their announcement, delivered only if the transaction commits. Once it has committed, this
   * instance refuses their access tokens at once and, with Redis, publishes them to the others.
   */
  async revokedIn(transaction: Transaction, sessionIds: readonly string[], revokedAt: Date): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.revocations.insert(transaction, sessionIds, revokedAt);
    const announcement = { sessionIds, revokedAt: revokedAt.getTime(), origin: this.origin };
    await this.channel.announceInTransaction(transaction, announcement);
    transaction.afterCommit(() => this.remember(announcement));
  }

  /**
   * Does not wait for Redis: a failed publish is logged and caught up by the other instances' resync
   * (Postgres delivered the notification at the commit).
   */
  private remember(announcement: RevocationAnnouncement): void {
    this.record(announcement.sessionIds);
    this.channel.announceCommitted(announcement).catch((error: Error) => {
      this.logger.warn(`Could not announce ${announcement.sessionIds.length} revoked session(s): ${error.message}`);
    });
  }

  /** Another instance's revocation, arrived through the channel: how long it took is the propagation lag. */
  private announced(sessionIds: readonly string[], sent: RevocationSent | undefined): void {
    this.record(sessionIds);
    if (sent !== undefined && sent.origin !== this.origin) this.observeLag('channel', sent.revokedAt);
  }

  /** Measured against this instance's clock, so instances' clocks must agree (NTP) for it to mean anything. */
  private observeLag(via: 'channel' | 'resync', revokedAt: number): void {
    this.metrics.revocationPropagation.observe({ via }, Math.max(0, Date.now() - revokedAt) / 1000);
  }

  private record(sessionIds: readonly string[], revokedAt = Date.now()): void {
    const until = toSeconds(revokedAt + this.retentionMs);
    for (const id of sessionIds) if ((this.revokedUntil.get(id) ?? 0) < until) this.revokedUntil.set(id, until);
  }

  /** Everything revoked within the last access-token lifetime, after the channel (re)connected. */
  private async reload(): Promise<void> {
    await this.loadRevokedSince(Date.now() - this.retentionMs);
  }

  /** What was revoked since shortly before the last load: one indexed query, usually returning nothing. */
  private async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      this.prune();
      const window = Date.now() - this.retentionMs;
      const caughtUp = this.syncedAt !== undefined;
      await this.loadRevokedSince(
        this.syncedAt === undefined ? window : Math.max(window, this.syncedAt - RESYNC_OVERLAP_MS),
        // What a resync finds that the channel had not brought arrived late: its lag counts too.
        caughtUp,
      );
    } catch (error) {
      this.logger.warn(`Could not resync revoked sessions: ${(error as Error).message}`);
    } finally {
      this.resyncing = false;
    }
  }

  private async loadRevokedSince(since: number, observeMissed = false): Promise<void> {
    const startedAt = Date.now();
    let page: SessionRevocationRow[] = [];
    do {
      page = await this.revocations.revokedAfter(new Date(since), LOAD_PAGE_SIZE, page.at(-1));
      for (const row of page) {
        const revokedAt = row.revokedAt.getTime();
        if (observeMissed && !this.revokedUntil.has(row.sessionId)) this.observeLag('resync', revokedAt);
        this.record([row.sessionId], revokedAt);
      }
    } while (page.length === LOAD_PAGE_SIZE);
    this.syncedAt = Math.max(this.syncedAt ?? startedAt, startedAt);
  }

  private prune(): void {
    const now = Date.now() / 1000;
    for (const [id, until] of this.revokedUntil) if (until <= now) this.revokedUntil.delete(id);
  }
}
