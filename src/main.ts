import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app.factory';
import { configWarnings } from './config/config-warnings';
import { loadAppConfigOrExit } from './config/load-app-config-or-exit';
import { exitGracefullyOnSignals } from './lifecycle/graceful-shutdown';
import { boundHeapGrowth } from './lifecycle/heap-growth';

async function bootstrap(): Promise<void> {
  boundHeapGrowth();
  const config = loadAppConfigOrExit(process.env);
  const app = await createApp(config);
  const logger = app.get(Logger);
  exitGracefullyOnSignals(app, config.http.shutdown, logger);
  await app.listen({ port: config.http.port, host: config.http.host });
  for (const warning of configWarnings(config)) logger.warn(warning, 'Bootstrap');
  logger.log(`Listening on ${await app.getUrl()} (${config.nodeEnv})`, 'Bootstrap');
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
