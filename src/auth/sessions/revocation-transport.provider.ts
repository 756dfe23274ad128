import { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from '../../redis/redis.module';
import { PostgresRevocationTransport } from './postgres-revocation-transport';
import { RedisRevocationTransport } from './redis-revocation-transport';
import { RevocationTransport } from './revocation-transport';

/** Redis pub/sub when REDIS_URL is set, Postgres NOTIFY otherwise. */
export const revocationTransportProvider: Provider = {
  provide: RevocationTransport,
  inject: [AppConfig, RedisConnection],
  useFactory: (config: AppConfig, redis: RedisConnection): RevocationTransport =>
    redis.client ? new RedisRevocationTransport(redis.client) : new PostgresRevocationTransport(config.database.url),
};
