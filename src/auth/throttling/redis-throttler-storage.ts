import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { DomainError } from '../../common/errors/domain.error';
import { RedisOutageWarning } from '../../redis/redis-outage-warning';

// One round trip, atomic, so N instances share one exact count per key.
// KEYS: hits, block. ARGV: ttl ms, limit, block ms. Returns hits, ms to window end, blocked (1/0), ms to block end.
const INCREMENT = `
local blockMs = redis.call('PTTL', KEYS[2])
if blockMs > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blockMs}
end
local hits = redis.call('INCR', KEYS[1])
local ttlMs = redis.call('PTTL', KEYS[1])
if ttlMs < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttlMs = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttlMs, 1, tonumber(ARGV[3])}
end
return {hits, ttlMs, 0, 0}
`;

// The package exports the storage interface but not its record type.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** The throttler's counters in Redis (fixed window per key), shared by every instance. */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly outage: RedisOutageWarning;

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly onFailure: 'open' | 'closed' = 'open',
  ) {
    this.outage = new RedisOutageWarning(
      new Logger(RedisThrottlerStorage.name),
      onFailure === 'open'
        ? 'credential routes are not rate limited until it is back (the login lockout still applies)'
        : 'credential routes answer 503 until it is back (THROTTLE_ON_REDIS_FAILURE=closed)',
    );
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const hitsKey = `${this.keyPrefix}${throttlerName}:${key}`;
    try {
      const [totalHits, ttlMs, blocked, blockMs] = (await this.redis.eval(
        INCREMENT,
        2,
        hitsKey,
        `${hitsKey}:block`,
        ttl,
        limit,
        blockDuration,
      )) as [number, number, number, number];
      return {
        totalHits,
        timeToExpire: toSeconds(ttlMs),
        isBlocked: blocked === 1,
        timeToBlockExpire: toSeconds(blockMs),
      };
    } catch (error) {
      // Fail open: a Redis outage must not turn every login, registration and refresh into a 500.
      // The rate limit only sheds load; the lockout (which falls back to per-instance counters)
      // still stops password guessing meanwhile, and the outage is logged and shows in readiness.
      this.outage.report(error);
      // Closed, for deployments that would rather refuse than serve a credential route unlimited.
      if (this.onFailure === 'closed') {
        throw new DomainError('SERVICE_UNAVAILABLE', 'Rate limiting is unavailable; try again shortly');
      }
      return { totalHits: 0, timeToExpire: toSeconds(ttl), isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}

function toSeconds(milliseconds: number): number {
  return Math.max(0, Math.ceil(milliseconds / 1000));
}
