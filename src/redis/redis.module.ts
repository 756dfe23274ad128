import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';

/**
 * The shared Redis connection, present only when REDIS_URL is set (otherwise stores stay in process).
 * Commands fail fast while Redis is down instead of queueing, and the client reconnects by itself.
 */
@Injectable()
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis | undefined;

  constructor(@Inject(AppConfig) config: AppConfig, @Inject(Metrics) metrics: Metrics) {
    const timeoutMs = config.redis.commandTimeoutSeconds * 1000;
    this.client = config.redisUrl
      ? new Redis(config.redisUrl, {
          lazyConnect: false,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2_000,
          retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
          // A Redis that accepts connections but never answers (half-open, frozen) must fail commands,
          // not hold requests: each command has a deadline, and a socket silent that long while one
          // waits is destroyed, so the client reconnects by itself once Redis answers again.
          commandTimeout: timeoutMs,
          socketTimeout: timeoutMs,
        })
      : undefined;
    // ioredis emits 'error' on every failed reconnect; readiness reports the outage instead.
    this.client?.on('error', () => undefined);
    if (this.client) {
      metrics.redisConnected.set(0);
      this.client.on('ready', () => metrics.redisConnected.set(1)).on('close', () => metrics.redisConnected.set(0));
    }
  }

  /** Round trip to Redis; waits for the first connection instead of failing while it is being made. */
  async ping(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (client.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          reject(new Error(`Redis not connected (${client.status})`));
        }, timeoutMs);
        timer.unref();
        const onReady = () => {
          clearTimeout(timer);
          resolve();
        };
        client.once('ready', onReady);
      });
    }
    await client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client && this.client.status !== 'end') await this.client.quit().catch(() => this.client?.disconnect());
  }
}

@Global()
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
