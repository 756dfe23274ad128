import { INestApplication, LoggerService } from '@nestjs/common';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * On SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, close the
 * database pool, exit 0. Requests that outlive the grace period are cut and the process exits 1.
 */
export function exitGracefullyOnSignals(app: INestApplication, graceSeconds: number, logger: LoggerService): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received: draining in-flight requests`, 'Shutdown');
    const deadline = setTimeout(() => {
      logger.error(`Requests still running after ${graceSeconds}s: exiting anyway`, undefined, 'Shutdown');
      process.exit(1);
    }, graceSeconds * 1000);
    deadline.unref();
    app
      .close()
      .then(() => {
        logger.log('Shut down cleanly', 'Shutdown');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error(error, undefined, 'Shutdown');
        process.exit(1);
      });
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, shutdown);
}
