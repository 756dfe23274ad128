import { FailureCounter, FailureRule } from './failure-counter';
import { LimiterStore } from './limiter-store';

describe('FailureCounter (in memory)', () => {
  const rule: FailureRule = { limit: 3, windowSeconds: 10, lockSeconds: 60 };
  let counter: FailureCounter;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    counter = new FailureCounter(new LimiterStore('test:'), 'pair', rule);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const reserveTimes = (times: number) => Promise.all(Array.from({ length: times }, () => counter.reserve('k')));

  it('grants exactly `limit` of many concurrent reservations, the last one filling the window', async () => {
    const reservations = await reserveTimes(20);
    const granted = reservations.filter((reservation) => reservation.granted);
    expect(granted).toEqual([
      { granted: true, fillsWindow: false },
      { granted: true, fillsWindow: false },
      { granted: true, fillsWindow: true },
    ]);
    expect(reservations.slice(3)).toEqual(Array(17).fill({ granted: false, retryAfterMs: 10_000 }));
  });

  it('takes a refused reservation back, so a point given back lets exactly one more through', async () => {
    await reserveTimes(10);
    await counter.giveBack('k');
    expect((await reserveTimes(5)).filter((reservation) => reservation.granted)).toHaveLength(1);
  });

  it('forgets its failures when the window ends', async () => {
    await reserveTimes(3);
    jest.advanceTimersByTime(10_000);
    expect((await reserveTimes(3)).every((reservation) => reservation.granted)).toBe(true);
  });

  it('locks once for lockSeconds; reset forgets the count but keeps the lock', async () => {
    expect(await counter.lockRemainingMs('k')).toBe(0);
    expect(await counter.lock('k')).toBe(true);
    jest.advanceTimersByTime(1_000);
    expect(await counter.lock('k')).toBe(false);
    expect(await counter.lockRemainingMs('k')).toBe(59_000);
    expect(await counter.lockRemainingMs('other')).toBe(0);

    await reserveTimes(3);
    await counter.reset('k');
    expect((await counter.reserve('k')).granted).toBe(true);
    expect(await counter.lockRemainingMs('k')).toBe(59_000);

    jest.advanceTimersByTime(59_000);
    expect(await counter.lockRemainingMs('k')).toBe(0);
    expect(await counter.lock('k')).toBe(true);
  });
});
