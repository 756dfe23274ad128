import { AttemptStore, FailureRule, lockKeyOf } from './attempt-store';

interface Count {
  count: number;
  expiresAt: number;
}

// Unique emails are free to invent: past this many counters the least recently failed is dropped,
// so a flood costs lockout precision on one instance instead of its memory.
const DEFAULT_MAX_ENTRIES = 100_000;
const FIRST_PRUNE_AT = 1_000;

/** The attempt store of a single instance (no REDIS_URL): plain maps, pruned as they grow. */
export class InMemoryAttemptStore implements AttemptStore {
  private readonly counts = new Map<string, Count>();
  private readonly locks = new Map<string, number>();
  private pruneAt = FIRST_PRUNE_AT;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  get size(): number {
    return this.counts.size + this.locks.size;
  }

  lockRemainingMs(keys: readonly string[]): Promise<number[]> {
    const now = this.now();
    return Promise.resolve(keys.map((key) => Math.max(0, (this.locks.get(lockKeyOf(key)) ?? 0) - now)));
  }

  countFailure(key: string, rule: FailureRule): Promise<boolean> {
    const now = this.now();
    const current = this.counts.get(key);
    const live = current && current.expiresAt > now ? current : { count: 0, expiresAt: now + rule.windowMs };
    live.count += 1;
    if (rule.sliding) live.expiresAt = now + rule.windowMs;
    // Re-inserted so the map's order stays oldest-touched first for eviction.
    this.counts.delete(key);
    this.counts.set(key, live);

    let locked = false;
    if (live.count >= rule.limit) {
      this.counts.delete(key);
      const lockKey = lockKeyOf(key);
      if ((this.locks.get(lockKey) ?? 0) <= now) {
        this.locks.set(lockKey, now + rule.lockMs);
        locked = true;
      }
    }
    if (this.size >= this.pruneAt) this.prune(now);
    for (const oldest of this.counts.keys()) {
      if (this.counts.size <= this.maxEntries) break;
      this.counts.delete(oldest);
    }
    return Promise.resolve(locked);
  }

  reset(key: string): Promise<void> {
    this.counts.delete(key);
    return Promise.resolve();
  }

  /** Drops expired counters and locks; runs each time the maps have doubled since the last run. */
  prune(now = this.now()): void {
    for (const [key, count] of this.counts) if (count.expiresAt <= now) this.counts.delete(key);
    for (const [key, until] of this.locks) if (until <= now) this.locks.delete(key);
    this.pruneAt = Math.max(FIRST_PRUNE_AT, this.size * 2);
  }
}
