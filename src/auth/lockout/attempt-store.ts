/** How one kind of failure is counted and when it locks. */
export interface FailureRule {
  /** The failure that reaches this count locks the key. */
  readonly limit: number;
  readonly windowMs: number;
  /** True: every failure restarts the window (consecutive failures); false: the window runs from the first. */
  readonly sliding: boolean;
  readonly lockMs: number;
}

/**
 * Failure counters and locks, keyed by opaque strings (hashes, never raw emails). Reaching the
 * limit clears the count and sets the lock, so a lock that expires gives a fresh count.
 */
export interface AttemptStore {
  /** Milliseconds left on each key's lock, 0 when the key is not locked. */
  lockRemainingMs(keys: readonly string[]): Promise<number[]>;
  /** Counts one failure; true only for the one call that set a new lock. */
  countFailure(key: string, rule: FailureRule): Promise<boolean>;
  /** Forgets the key's failures (not its lock). */
  reset(key: string): Promise<void>;
}

export const ATTEMPT_STORE = Symbol('AttemptStore');

export function lockKeyOf(key: string): string {
  return `${key}:lock`;
}
