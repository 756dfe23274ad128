import { RateLimiterAbstract } from 'rate-limiter-flexible';
import { consumeOne, LimiterStore } from './limiter-store';

/**
 * At most one password check in flight per key. Taking the slot is one atomic consume of a one-point
 * limiter, so of concurrent attempts exactly one gets it, on one instance or many; the holder deletes
 * the key when its check ends, and with it the points of the attempts it refused. Should a holder die
 * mid-check, the slot frees itself after holdSeconds.
 */
export class CheckSlots {
  private readonly slots: RateLimiterAbstract;

  constructor(store: LimiterStore, name: string, holdSeconds: number) {
    this.slots = store.create(name, { points: 1, durationSeconds: holdSeconds });
  }

  /** Runs work holding the key's slot, or returns refused without running it when another holder has it. */
  async holding<T>(key: string, work: () => Promise<T>): Promise<{ refused: true } | { refused: false; result: T }> {
    if (!(await consumeOne(this.slots, key)).granted) return { refused: true };
    try {
      return { refused: false, result: await work() };
    } finally {
      await this.slots.delete(key);
    }
  }
}
