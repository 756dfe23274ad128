import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from '../../redis/redis.module';
import { CredentialThrottlerGuard } from './credential-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler-storage';

/** Rate limits of credential routes; counters in Redis when REDIS_URL is set, the throttler's in-process store otherwise. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfig, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection) => ({
        throttlers: [{ limit: config.bruteForce.throttle.limit, ttl: config.bruteForce.throttle.ttlSeconds * 1000 }],
        storage: redis.client
          ? new RedisThrottlerStorage(
              redis.client,
              `${config.bruteForce.redisKeyPrefix}throttle:`,
              config.bruteForce.throttle.onRedisFailure,
            )
          : undefined,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: CredentialThrottlerGuard }],
})
export class CredentialThrottlingModule {}
