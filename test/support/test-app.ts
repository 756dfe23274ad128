import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.factory';
import { loadAppConfig } from '../../src/config/app-config';

export interface TestAppOptions {
  /** Variables layered over the test process's environment (DATABASE_URL comes from the global setup). */
  readonly env?: Record<string, string | undefined>;
  readonly imports?: ReadonlyArray<Type | DynamicModule>;
}

/** Starts the real application, through the same factory as main.ts, ready for supertest. */
export async function startTestApp(options: TestAppOptions = {}): Promise<NestFastifyApplication> {
  // bcrypt cost 4 keeps the suite fast; the cost itself is measured by the benchmarks, not here.
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    BCRYPT_COST: '4',
    // Suites log in and register many times from 127.0.0.1: brute-force limits only where a test sets them.
    THROTTLE_AUTH_LIMIT: '1000000',
    LOCKOUT_THRESHOLD: '1000000',
    ACCOUNT_FAILURE_LIMIT: '1000000',
    // Own Redis keys per app, so parallel suites and other runs on the same Redis never share counters.
    REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
    ...process.env,
    ...options.env,
  });
  const app = await createApp(config, { imports: options.imports });
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
