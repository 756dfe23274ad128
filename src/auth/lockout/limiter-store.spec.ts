import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { consumeOne, LimiterStore } from './limiter-store';

describe('LimiterStore', () => {
  it('counts in this process without Redis', () => {
    expect(new LimiterStore('test:').create('pair', { points: 1, durationSeconds: 1 })).toBeInstanceOf(
      RateLimiterMemory,
    );
  });

  describe('with a Redis that cannot be reached', () => {
    // Never connects: every command is refused at once, as during an outage.
    const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    let warn: jest.SpyInstance;

    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    afterEach(() => {
      warn.mockRestore();
    });

    afterAll(() => {
      redis.disconnect();
    });

    it('still counts and refuses, in memory, and says so once', async () => {
      const limiter = new LimiterStore('test:', redis).create('pair', { points: 2, durationSeconds: 60 });
      expect(limiter).toBeInstanceOf(RateLimiterRedis);
      const consumed = await Promise.all(Array.from({ length: 5 }, () => consumeOne(limiter, 'k')));
      expect(consumed.map((answer) => answer.granted)).toEqual([true, true, false, false, false]);
      // Refused consumes count too (FailureCounter takes its own back): 5 counted, 4 given back.
      await limiter.reward('k', 4);
      expect((await consumeOne(limiter, 'k')).granted).toBe(true);
      expect(await limiter.delete('k')).toBe(true);

      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^Redis unavailable \(connection wait\): the lockout counts/);
    });
  });
});
