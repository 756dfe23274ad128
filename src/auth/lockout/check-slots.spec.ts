import { CheckSlots } from './check-slots';
import { LimiterStore } from './limiter-store';

describe('CheckSlots (in memory)', () => {
  const slots = () => new CheckSlots(new LimiterStore('test:'), 'password-check', 60);

  it('runs one of many concurrent holders per key and refuses the others without running them', async () => {
    const gate = slots();
    let running = 0;
    let most = 0;
    const work = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return 'checked';
    };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => gate.holding('k', work)));
    expect(outcomes.filter((outcome) => !outcome.refused)).toEqual([{ refused: false, result: 'checked' }]);
    expect(most).toBe(1);
    // Another key has its own slot.
    expect(await gate.holding('other', () => Promise.resolve(1))).toEqual({ refused: false, result: 1 });
  });

  it('frees the slot when the work ends, also by throwing, and after the refusals it caused', async () => {
    const gate = slots();
    let release!: () => void;
    const held = gate.holding('k', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await gate.holding('k', () => Promise.resolve())).toEqual({ refused: true });
    release();
    await held;
    await expect(gate.holding('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.holding('k', () => Promise.resolve('again'))).toEqual({ refused: false, result: 'again' });
  });

  it('frees itself after holdSeconds should its holder never finish', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const gate = slots();
      void gate.holding('k', () => new Promise(() => undefined));
      await Promise.resolve();
      expect(await gate.holding('k', () => Promise.resolve())).toEqual({ refused: true });
      jest.advanceTimersByTime(60_000);
      expect(await gate.holding('k', () => Promise.resolve('late'))).toEqual({ refused: false, result: 'late' });
    } finally {
      jest.useRealTimers();
    }
  });
});
