import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AccountPagesModule } from './auth/account-pages/account-pages.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { NotesModule } from './examples/notes/notes.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PrismaModule } from './prisma/prisma.module';
import { RedisModule } from './redis/redis.module';
import { SessionsModule } from './sessions/sessions.module';
import { TokensModule } from './tokens/tokens.module';
import { UsersModule } from './users/users.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule.forRoot(config),
        LifecycleModule,
        PrismaModule,
        RedisModule,
        // Timers for @Interval / @Cron jobs, cleared when the application closes.
        ScheduleModule.forRoot(),
        HealthModule,
        // The features, each listed once. AuthModule first: it imports the others, and the order in
        // which modules are first reached orders the OpenAPI document's paths.
        AuthModule,
        UsersModule,
        SessionsModule,
        TokensModule,
        AuditModule,
        // The example feature module of the README's "Extending" section.
        NotesModule,
        ...(config.accountTokens.servesPages ? [AccountPagesModule] : []),
      ],
    };
  }
}
