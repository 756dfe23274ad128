import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { configWarnings } from './config/config-warnings';
import { loadAppConfigOrExit } from './config/load-app-config-or-exit';
import { exitGracefullyOnSignals } from './lifecycle/graceful-shutdown';
import { boundHeapGrowth } from './lifecycle/heap-growth';
import { startTracing } from './telemetry/tracing';

async function bootstrap(): Promise<void> {
  boundHeapGrowth();
  const config = loadAppConfigOrExit(process.env);
  const tracing = await startTracing(config.tracing);
  // Loaded only now, so that the tracing instrumentations wrap node:http, pg and ioredis as they load.
  const { createApp } = await import('./app.factory.js');
  const app = await createApp(config);
  const logger = app.get(Logger);
  exitGracefullyOnSignals(app, config.http.shutdown, logger, () => tracing.shutdown());
  await app.listen({ port: config.http.port, host: config.http.host });
  for (const warning of configWarnings(config)) logger.warn(warning, 'Bootstrap');
  logger.log(`Listening on ${await app.getUrl()} (${config.nodeEnv})`, 'Bootstrap');
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
