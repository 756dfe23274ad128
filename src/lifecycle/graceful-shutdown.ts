import { INestApplication, LoggerService } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ShutdownState } from './shutdown-state';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface ShutdownTiming {
  /** How long the instance keeps serving after the signal (readiness 503) before it stops listening. */
  readonly delaySeconds: number;
  /** How long in-flight requests then get to finish before the process exits anyway. */
  readonly graceSeconds: number;
}

/**
 * On SIGTERM or SIGINT: report not ready and close every connection after its response, keep serving
 * for the shutdown delay (load balancers need a moment to stop routing here), then stop accepting
 * connections, let in-flight requests finish, close the database pool, flush what is left (the
 * buffered trace spans) and exit 0. Requests that
 * outlive the grace period are cut and the process exits 1. A second signal of the same kind kills
 * the process at once (Node's default), for an operator who does not want to wait.
 */
export function exitGracefullyOnSignals(
  app: INestApplication,
  timing: ShutdownTiming,
  logger: LoggerService,
  flush: () => Promise<void> = () => Promise.resolve(),
): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.get(ShutdownState).beginDraining();
    const deadline = setTimeout(
      () => {
        logger.error(`Requests still running after ${timing.graceSeconds}s: exiting anyway`, undefined, 'Shutdown');
        process.exit(1);
      },
      (timing.delaySeconds + timing.graceSeconds) * 1000,
    );
    deadline.unref();
    if (timing.delaySeconds > 0) {
      logger.log(`${signal} received: not ready, still serving for ${timing.delaySeconds}s`, 'Shutdown');
      await sleep(timing.delaySeconds * 1000);
    }
    logger.log(`${signal} received: draining in-flight requests`, 'Shutdown');
    try {
      await app.close();
      await flush();
      logger.log('Shut down cleanly', 'Shutdown');
      process.exit(0);
    } catch (error) {
      logger.error(error, undefined, 'Shutdown');
      process.exit(1);
    }
  };
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, (received) => void shutdown(received));
}
