import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Client, Notification } from 'pg';
import type { Transaction } from '../../prisma/transaction';
import { RevocationAnnouncement, RevocationChannel, RevocationSubscriber } from './revocation-channel';
import { parseRevocationPayload, revocationPayloads } from './revocation-payload';
import { SessionRevocationsRepository } from './session-revocations.repository';

const CHANNEL = 'session_revoked';
/** Each instance's own echo, which tells whether its LISTEN connection receives what the pool sends. */
const PROBE_CHANNEL = 'session_revoked_probe';
const RECONNECT_DELAY_MS = 1_000;
// NOTIFY payloads stop at 8000 bytes; 200 ids of 36 characters, their commas and the trailer stay well below.
const IDS_PER_NOTIFICATION = 200;

/** Whether the LISTEN connection received this instance's last probe: 'unknown' until one was sent. */
export type ListenState = 'unknown' | 'receiving' | 'silent';

/**
 * Revocations through Postgres NOTIFY, queued inside the revoking transaction (so only committed
 * revocations are announced) and received on one dedicated LISTEN connection.
 *
 * A LISTEN can be connected and receive nothing: behind PgBouncer in transaction mode the NOTIFY goes
 * out on whichever server connection the pool lends, and the LISTEN was on another. So every probe
 * interval the instance sends itself a notification through the pool and checks that the previous one
 * arrived; when it did not, revocations from other instances arrive only with the resync, and it says so.
 */
export class PostgresRevocationChannel extends RevocationChannel {
  private readonly logger = new Logger(PostgresRevocationChannel.name);
  private listener: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private awaitedProbe: string | undefined;
  private state: ListenState = 'unknown';

  constructor(
    private readonly databaseUrl: string,
    private readonly revocations: SessionRevocationsRepository,
    private readonly probeIntervalMs: number,
  ) {
    super();
  }

  get listenState(): ListenState {
    return this.state;
  }

  override problem(): string | undefined {
    return this.state === 'silent'
      ? 'LISTEN receives nothing: revocations from other instances arrive only with the resync'
      : undefined;
  }

  async announceInTransaction(transaction: Transaction, announcement: RevocationAnnouncement): Promise<void> {
    await this.revocations.notifyOnCommit(transaction, CHANNEL, revocationPayloads(announcement, IDS_PER_NOTIFICATION));
  }

  async announceCommitted(): Promise<void> {
    // Already on its way: Postgres delivered the notification when the transaction committed.
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message: Notification) => {
      if (message.channel === CHANNEL && message.payload) {
        const { sessionIds, sent } = parseRevocationPayload(message.payload);
        subscriber.revoked(sessionIds, sent);
      }
      if (message.channel === PROBE_CHANNEL && message.payload === this.awaitedProbe) this.probeArrived();
    });
    client.on('error', (error) => {
      this.logger.warn(`Revocation listener lost its connection: ${error.message}`);
      this.scheduleReconnect(client, subscriber);
    });
    client.on('end', () => this.scheduleReconnect(client, subscriber));
    try {
      await client.connect();
      if (this.stopped) {
        await client.end();
        return;
      }
      await client.query(`LISTEN ${CHANNEL}; LISTEN ${PROBE_CHANNEL}`);
      this.listener = client;
      this.startProbing();
      // Listen first, then load: a revocation committed in between is seen at least once.
      await subscriber.resubscribed();
    } catch (error) {
      this.logger.warn(`Revocation listener could not start: ${(error as Error).message}; retrying`);
      this.scheduleReconnect(client, subscriber);
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.probeTimer);
    await this.listener?.end().catch(() => undefined);
  }

  private startProbing(): void {
    // A probe sent while the listener was reconnecting proves nothing about the new connection.
    this.awaitedProbe = undefined;
    if (this.probeTimer) return;
    void this.probe();
    this.probeTimer = setInterval(() => void this.probe(), this.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** The previous probe's verdict, then the next probe. */
  private async probe(): Promise<void> {
    if (this.awaitedProbe !== undefined && this.listener && this.state !== 'silent') {
      this.state = 'silent';
      this.logger.warn(
        `Revocation LISTEN received nothing of its own NOTIFY within ${this.probeIntervalMs} ms: revocations ` +
          'from other instances reach this one only with the resync (REVOCATION_RESYNC_INTERVAL). Behind ' +
          'PgBouncer in transaction mode, LISTEN cannot work: set REDIS_URL.',
      );
    }
    const token = randomUUID();
    this.awaitedProbe = token;
    // A database that cannot take the NOTIFY now is readiness's to report, not the probe's.
    await this.revocations.notify(PROBE_CHANNEL, token).catch(() => undefined);
  }

  private probeArrived(): void {
    this.awaitedProbe = undefined;
    if (this.state === 'silent') this.logger.log('Revocation LISTEN receives notifications again');
    this.state = 'receiving';
  }

  private scheduleReconnect(client: Client, subscriber: RevocationSubscriber): void {
    if (this.stopped || this.reconnectTimer) return;
    void client.end().catch(() => undefined);
    if (this.listener === client) this.listener = undefined;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.subscribe(subscriber);
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}
