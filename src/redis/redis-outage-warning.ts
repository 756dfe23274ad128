import { Logger } from '@nestjs/common';

// One line per outage window is enough to page someone; a line per request would flood the log.
const WARNING_INTERVAL_MS = 30_000;

/** Logs that a Redis-backed store is working without Redis, at most once per interval. */
export class RedisOutageWarning {
  private lastWarnedAt = -Infinity;

  constructor(
    private readonly logger: Logger,
    private readonly consequence: string,
  ) {}

  report(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnedAt < WARNING_INTERVAL_MS) return;
    this.lastWarnedAt = now;
    const reason = error instanceof Error ? error.message : String(error);
    this.logger.warn(`Redis unavailable (${reason}): ${this.consequence}`);
  }
}
