import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RevocationAnnouncement, RevocationChannel, RevocationSubscriber } from './revocation-channel';
import { parseRevocationPayload, revocationPayloads } from './revocation-payload';

/** Under REDIS_KEY_PREFIX (`auth:` by default), so deployments sharing a Redis never hear each other's revocations. */
export const revocationChannelName = (redisKeyPrefix: string) => `${redisKeyPrefix}session-revoked`;

/**
 * Revocations through Redis pub/sub, for deployments where Postgres LISTEN is unavailable (PgBouncer in
 * transaction mode). Published on the shared connection after the revoking transaction commits;
 * received on a duplicate connection in subscriber mode, which subscribes again and has the set
 * reloaded after every reconnection. A publish lost to a crash or an outage is caught up by the
 * periodic resync of RevokedSessionsService.
 */
export class RedisRevocationChannel extends RevocationChannel {
  private readonly logger = new Logger(RedisRevocationChannel.name);
  private connection: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private connected = false;
  private closing = false;

  constructor(
    private readonly publisher: Redis,
    private readonly channel: string,
  ) {
    super();
  }

  async announceInTransaction(): Promise<void> {
    // Nothing to queue: Redis cannot wait for the commit, so announceCommitted publishes after it.
  }

  async announceCommitted(announcement: RevocationAnnouncement): Promise<void> {
    // One message: pub/sub has no NOTIFY's size limit.
    const [payload] = revocationPayloads(announcement, Infinity);
    if (payload !== undefined) await this.publisher.publish(this.channel, payload);
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    // Subscribing by hand on every 'ready' (not autoResubscribe) lets the reload wait for the subscription.
    const connection = this.publisher.duplicate({
      lazyConnect: true,
      autoResubscribe: false,
      connectionName: 'auth-revocations',
    });
    this.connection = connection;
    connection.on('message', (channel: string, payload: string) => {
      if (channel !== this.channel || !payload) return;
      const { sessionIds, sent } = parseRevocationPayload(payload);
      subscriber.revoked(sessionIds, sent);
    });
    connection.on('ready', () => {
      this.subscribed = this.resubscribe(connection, subscriber);
    });
    connection.on('close', () => {
      if (this.connected && !this.closing)
        this.logger.warn('Revocation subscriber lost its Redis connection; reconnecting');
      this.connected = false;
    });
    // ioredis emits 'error' on every failed reconnect; the 'close' above reports the outage once.
    connection.on('error', () => undefined);
    try {
      await connection.connect();
      await this.subscribed;
    } catch (error) {
      this.logger.warn(`Revocation subscriber could not connect to Redis: ${(error as Error).message}; retrying`);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const connection = this.connection;
    if (connection && connection.status !== 'end') await connection.quit().catch(() => connection.disconnect());
  }

  private async resubscribe(connection: Redis, subscriber: RevocationSubscriber): Promise<void> {
    try {
      await connection.subscribe(this.channel);
      this.connected = true;
      await subscriber.resubscribed();
    } catch (error) {
      this.logger.warn(`Revocation subscriber could not resubscribe: ${(error as Error).message}`);
    }
  }
}
