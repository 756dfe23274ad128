import { Module } from '@nestjs/common';
import { AuditModule } from '../../audit/audit.module';
import { AppConfig } from '../../config/app-config';
import { RedisConnection } from '../../redis/redis.module';
import { UsersModule } from '../../users/users.module';
import { LimiterStore } from './limiter-store';
import { LoginAttemptsService } from './login-attempts.service';
import { MfaAttemptsService } from './mfa-attempts.service';
import { PasswordChangeAttemptsService } from './password-change-attempts.service';

/** Login, change-password and second-factor lockout; counters in Redis when REDIS_URL is set, in this process otherwise. */
@Module({
  imports: [AuditModule, UsersModule],
  providers: [
    LoginAttemptsService,
    PasswordChangeAttemptsService,
    MfaAttemptsService,
    {
      provide: LimiterStore,
      inject: [AppConfig, RedisConnection],
      useFactory: (config: AppConfig, redis: RedisConnection) =>
        new LimiterStore(`${config.bruteForce.redisKeyPrefix}lockout:`, redis.client),
    },
  ],
  exports: [LoginAttemptsService, PasswordChangeAttemptsService, MfaAttemptsService],
})
export class LockoutModule {}
