import { Provider } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from '../../redis/redis.module';
import { PostgresRevocationChannel } from './postgres-revocation-channel';
import { RedisRevocationChannel, revocationChannelName } from './redis-revocation-channel';
import { RevocationChannel } from './revocation-channel';
import { SessionRevocationsRepository } from './session-revocations.repository';

/** Redis pub/sub when REDIS_URL is set, Postgres NOTIFY otherwise. */
export const revocationChannelProvider: Provider = {
  provide: RevocationChannel,
  inject: [AppConfig, RedisConnection, SessionRevocationsRepository],
  useFactory: (
    config: AppConfig,
    redis: RedisConnection,
    revocations: SessionRevocationsRepository,
  ): RevocationChannel =>
    redis.client
      ? new RedisRevocationChannel(redis.client, revocationChannelName(config.bruteForce.redisKeyPrefix))
      : new PostgresRevocationChannel(config.database.url, revocations, config.session.revocationResyncSeconds * 1000),
};
