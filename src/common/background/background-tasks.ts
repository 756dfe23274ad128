import { LoggerService } from '@nestjs/common';

/**
 * Work started off the response path (mail after a commit, the lookup behind forgot-password):
 * a failure is logged, never thrown at a caller, and shutdown can wait for what is still running.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Pick<LoggerService, 'error'>) {}

  run(description: string, work: () => Promise<void>): void {
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        this.logger.error({ err: error }, `${description} failed`);
      })
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves once every task started so far has settled. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
