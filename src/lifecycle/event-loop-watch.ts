import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

const TICK_MS = 250;
/** Stalls are remembered this long, so a probe that got through after one still sees it. */
const WINDOW_MS = 5_000;

/**
 * How long the event loop went without running a timer, lately. A loop that stalls for seconds (a
 * synchronous loop, a runaway regular expression) answers nothing meanwhile; liveness reports the
 * stall once it gets through, so a restart follows a loop that keeps stalling, not a slow dependency.
 */
@Injectable()
export class EventLoopWatch implements OnApplicationShutdown {
  private readonly limitMs: number;
  private readonly stalls: Array<{ at: number; ms: number }> = [];
  private expected = Date.now() + TICK_MS;
  private readonly timer: NodeJS.Timeout;

  constructor(config: AppConfig) {
    this.limitMs = config.http.livenessEventLoopLimitSeconds * 1000;
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** The longest stall within the window when it exceeds the limit; undefined otherwise. */
  stalledMs(): number | undefined {
    this.tick();
    const recent = this.stalls.filter(({ at }) => at > Date.now() - WINDOW_MS);
    const longest = Math.max(0, ...recent.map(({ ms }) => ms));
    return longest > this.limitMs ? longest : undefined;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    const late = now - this.expected;
    if (late > 0) {
      if (late > TICK_MS) this.stalls.push({ at: now, ms: late });
      this.expected = now + TICK_MS;
    }
    while (this.stalls.length > 0 && this.stalls[0].at <= now - WINDOW_MS) this.stalls.shift();
  }
}
