import { RateLimiterAbstract } from 'rate-limiter-flexible';
import { LockoutConfig } from '../../config/brute-force-config';
import { consumeOne, LimiterStore } from './limiter-store';

/** How one kind of failure is counted and when it locks. */
export interface FailureRule {
  /** Failures within one window that lock the key; also how many checks of the key may be in flight. */
  readonly limit: number;
  /** A fixed window, from the first failure of a count. */
  readonly windowSeconds: number;
  readonly lockSeconds: number;
}

/** LOCKOUT_THRESHOLD failures within LOCKOUT_DURATION lock for LOCKOUT_DURATION: a login pair's rule, and an account's password change's. */
export function thresholdRule(lockout: LockoutConfig): FailureRule {
  return { limit: lockout.threshold, windowSeconds: lockout.durationSeconds, lockSeconds: lockout.durationSeconds };
}

/** A reserved failure (with whether it is the one that fills the window), or a refusal before any check. */
export type Reservation =
  | { readonly granted: true; readonly fillsWindow: boolean }
  | { readonly granted: false; readonly retryAfterMs: number };

/**
 * Failures of one kind per key (hashes, never raw emails). A failure is reserved, one point consumed
 * atomically, before the password is checked, and the consume that would pass the limit is refused:
 * so concurrent attempts can never check more passwords than the limit, on one instance or many.
 * A right password gives its point back. The failure that fills the window locks the key.
 */
export class FailureCounter {
  private readonly counts: RateLimiterAbstract;
  private readonly locks: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    name: string,
    readonly rule: FailureRule,
  ) {
    this.counts = store.create(name, { points: rule.limit, durationSeconds: rule.windowSeconds });
    // One point: the first consume sets the lock and its expiry; later ones find it set and extend nothing.
    this.locks = store.create(`${name}-lock`, { points: 1, durationSeconds: rule.lockSeconds });
  }

  async lockRemainingMs(key: string): Promise<number> {
    const lock = await this.locks.get(key);
    return lock && lock.consumedPoints > 0 ? Math.max(0, lock.msBeforeNext) : 0;
  }

  async reserve(key: string): Promise<Reservation> {
    const consumed = await consumeOne(this.counts, key);
    if (consumed.granted) return { granted: true, fillsWindow: consumed.consumedPoints >= this.rule.limit };
    // Refused: take this point back, so the count stays failures plus checks in flight.
    await this.counts.reward(key);
    return { granted: false, retryAfterMs: consumed.msBeforeNext };
  }

  /** Returns a reserved point whose check was not a wrong password. */
  async giveBack(key: string): Promise<void> {
    await this.counts.reward(key);
  }

  /** Forgets the key's failures, not its lock. */
  async reset(key: string): Promise<void> {
    await this.counts.delete(key);
  }

  /**
   * Locks the key for lockSeconds; true only for the call that set the lock. The count is left to
   * run out its window, so checks already past the lock read still find the window full.
   */
  async lock(key: string): Promise<boolean> {
    return (await consumeOne(this.locks, key)).granted;
  }
}
