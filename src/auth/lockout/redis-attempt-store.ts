import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisOutageWarning } from '../../redis/redis-outage-warning';
import { AttemptStore, FailureRule, lockKeyOf } from './attempt-store';
import { InMemoryAttemptStore } from './in-memory-attempt-store';

// One round trip, atomic: concurrent failures on several instances count exactly and lock once.
// KEYS: counter, lock. ARGV: limit, window ms, sliding (1/0), lock ms. Returns 1 when this call locked.
const COUNT_FAILURE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or ARGV[3] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  if redis.call('SET', KEYS[2], '1', 'PX', ARGV[4], 'NX') then return 1 end
end
return 0
`;

/**
 * Attempt counters shared by every instance through Redis. While Redis is unreachable the
 * instance falls back to its own in-process counters: a lockout per instance still stops a
 * password-guessing run, where failing open would lift it exactly when Redis is attacked or down.
 */
export class RedisAttemptStore implements AttemptStore {
  private readonly fallback = new InMemoryAttemptStore();
  private readonly outage = new RedisOutageWarning(
    new Logger(RedisAttemptStore.name),
    'login lockout counts failures per instance until it is back',
  );

  constructor(private readonly redis: Redis) {}

  async lockRemainingMs(keys: readonly string[]): Promise<number[]> {
    try {
      const remaining = await Promise.all(keys.map((key) => this.redis.pttl(lockKeyOf(key))));
      const fallback = await this.fallback.lockRemainingMs(keys);
      return remaining.map((ms, index) => Math.max(ms, fallback[index]));
    } catch (error) {
      this.outage.report(error);
      return this.fallback.lockRemainingMs(keys);
    }
  }

  async countFailure(key: string, rule: FailureRule): Promise<boolean> {
    try {
      const locked = await this.redis.eval(
        COUNT_FAILURE,
        2,
        key,
        lockKeyOf(key),
        rule.limit,
        rule.windowMs,
        rule.sliding ? 1 : 0,
        rule.lockMs,
      );
      return locked === 1;
    } catch (error) {
      this.outage.report(error);
      return this.fallback.countFailure(key, rule);
    }
  }

  async reset(key: string): Promise<void> {
    await this.fallback.reset(key);
    try {
      await this.redis.del(key);
    } catch (error) {
      this.outage.report(error);
    }
  }
}
