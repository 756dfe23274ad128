import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
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
    ...process.env,
    ...options.env,
  });
  const app = await createApp(config, { imports: options.imports });
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
