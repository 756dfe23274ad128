import { FailureRule } from './attempt-store';
import { InMemoryAttemptStore } from './in-memory-attempt-store';

describe('InMemoryAttemptStore', () => {
  let now: number;
  const clock = () => now;
  const rule: FailureRule = { limit: 3, windowMs: 10_000, sliding: false, lockMs: 60_000 };

  beforeEach(() => {
    now = 1_000_000;
  });

  it('locks the key on the failure that reaches the limit, once, for lockMs', async () => {
    const store = new InMemoryAttemptStore(clock);
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.lockRemainingMs(['k'])).toEqual([0]);
    expect(await store.countFailure('k', rule)).toBe(true);
    expect(await store.lockRemainingMs(['k', 'other'])).toEqual([60_000, 0]);

    now += 1_000;
    // Counted while locked, but the lock is set only once.
    for (let i = 0; i < 3; i += 1) expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.lockRemainingMs(['k'])).toEqual([59_000]);
  });

  it('starts a fresh count after the lock expires', async () => {
    const store = new InMemoryAttemptStore(clock);
    for (let i = 0; i < 3; i += 1) await store.countFailure('k', rule);
    now += 60_000;
    expect(await store.lockRemainingMs(['k'])).toEqual([0]);
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.countFailure('k', rule)).toBe(true);
  });

  it('forgets failures older than a fixed window', async () => {
    const store = new InMemoryAttemptStore(clock);
    await store.countFailure('k', rule);
    await store.countFailure('k', rule);
    now += 10_000;
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.countFailure('k', rule)).toBe(false);
    expect(await store.countFailure('k', rule)).toBe(true);
  });

  it('keeps a sliding window open while failures keep coming', async () => {
    const store = new InMemoryAttemptStore(clock);
    const sliding = { ...rule, sliding: true };
    await store.countFailure('k', sliding);
    now += 9_000;
    await store.countFailure('k', sliding);
    now += 9_000;
    expect(await store.countFailure('k', sliding)).toBe(true);
  });

  it('reset clears the count but not a lock', async () => {
    const store = new InMemoryAttemptStore(clock);
    await store.countFailure('k', rule);
    await store.countFailure('k', rule);
    await store.reset('k');
    expect(await store.countFailure('k', rule)).toBe(false);
    await store.countFailure('k', rule);
    expect(await store.countFailure('k', rule)).toBe(true);
    await store.reset('k');
    expect((await store.lockRemainingMs(['k']))[0]).toBeGreaterThan(0);
  });

  it('prunes expired counters and locks', async () => {
    const store = new InMemoryAttemptStore(clock);
    for (let i = 0; i < 3; i += 1) await store.countFailure('locked', rule);
    await store.countFailure('counted', rule);
    expect(store.size).toBe(2);
    now += 60_000;
    store.prune();
    expect(store.size).toBe(0);
  });

  it('prunes by itself as it grows, keeping live entries', async () => {
    const store = new InMemoryAttemptStore(clock);
    for (let i = 0; i < 999; i += 1) await store.countFailure(`old-${i}`, rule);
    now += 10_000;
    await store.countFailure('fresh', rule);
    expect(store.size).toBe(1);
  });

  it('drops the least recently failed counters beyond its cap', async () => {
    const store = new InMemoryAttemptStore(clock, 2);
    await store.countFailure('a', rule);
    await store.countFailure('b', rule);
    await store.countFailure('a', rule);
    await store.countFailure('c', rule);
    expect(store.size).toBe(2);
    // "b" was dropped; "a" kept its two failures.
    expect(await store.countFailure('a', rule)).toBe(true);
    expect(await store.countFailure('b', rule)).toBe(false);
  });
});
