import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { RedisConnection } from '../../redis/redis.module';
import { UsersModule } from '../../users/users.module';
import { ATTEMPT_STORE, AttemptStore } from './attempt-store';
import { InMemoryAttemptStore } from './in-memory-attempt-store';
import { LoginAttemptsService } from './login-attempts.service';
import { RedisAttemptStore } from './redis-attempt-store';

/** Login lockout; its counters live in Redis when REDIS_URL is set, in this process otherwise. */
@Module({
  imports: [AuditModule, UsersModule],
  providers: [
    LoginAttemptsService,
    {
      provide: ATTEMPT_STORE,
      inject: [RedisConnection],
      useFactory: (redis: RedisConnection): AttemptStore =>
        redis.client ? new RedisAttemptStore(redis.client) : new InMemoryAttemptStore(),
    },
  ],
  exports: [LoginAttemptsService],
})
export class LockoutModule {}
