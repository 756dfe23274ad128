import { Logger } from '@nestjs/common';
import { Client, Notification } from 'pg';
import type { Transaction } from '../../prisma/transaction';
import { RevocationSubscriber, RevocationChannel } from './revocation-channel';
import { SessionRevocationsRepository } from './session-revocations.repository';

const CHANNEL = 'session_revoked';
const RECONNECT_DELAY_MS = 1_000;
// NOTIFY payloads stop at 8000 bytes; 200 ids of 36 characters and their commas stay well below.
const IDS_PER_NOTIFICATION = 200;

/**
 * Revocations through Postgres NOTIFY, queued inside the revoking transaction (so only committed
 * revocations are announced) and received on one dedicated LISTEN connection.
 */
export class PostgresRevocationChannel implements RevocationChannel {
  private readonly logger = new Logger(PostgresRevocationChannel.name);
  private listener: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly revocations: SessionRevocationsRepository,
  ) {}

  async announceInTransaction(transaction: Transaction, sessionIds: readonly string[]): Promise<void> {
    const payloads: string[] = [];
    for (let start = 0; start < sessionIds.length; start += IDS_PER_NOTIFICATION) {
      payloads.push(sessionIds.slice(start, start + IDS_PER_NOTIFICATION).join(','));
    }
    await this.revocations.notifyOnCommit(transaction, CHANNEL, payloads);
  }

  async announceCommitted(): Promise<void> {
    // Already on its way: Postgres delivered the notification when the transaction committed.
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', (message: Notification) => {
      if (message.channel === CHANNEL && message.payload) subscriber.revoked(message.payload.split(','));
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
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
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
    await this.listener?.end().catch(() => undefined);
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
