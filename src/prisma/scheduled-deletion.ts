import { BeforeApplicationShutdown, Logger } from '@nestjs/common';

/**
 * A deletion that an `@Interval` method of the subclass runs (`runScheduled`): one run at a time, a
 * failed run logged rather than thrown, and shutdown waiting for the running batch, then starting
 * no other. `stopping` is what the subclass hands deleteInBatches.
 */
export abstract class ScheduledDeletion implements BeforeApplicationShutdown {
  protected stopping = false;
  private running: Promise<number> | undefined;

  protected constructor(
    protected readonly logger: Logger,
    /** Names the deletion in the log: "<what> failed: <reason>". */
    private readonly what: string,
  ) {}

  /** Deletes what is due; how many rows of the main table it deleted. */
  abstract purgeExpired(): Promise<number>;

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  protected async runScheduled(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = this.purgeExpired();
    try {
      await this.running;
    } catch (error) {
      this.logger.warn(`${this.what} failed: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
    }
  }
}
