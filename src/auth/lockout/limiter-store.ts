import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisOutageWarning } from '../../redis/redis-outage-warning';

export interface LimiterOptions {
  readonly points: number;
  readonly durationSeconds: number;
}

/** A consume's answer: granted with the count it reached, or refused (over the points) with the time left. */
export type Consumed =
  | { readonly granted: true; readonly consumedPoints: number }
  | { readonly granted: false; readonly msBeforeNext: number };

/**
 * Makes the lockout's counters (`rate-limiter-flexible`): in Redis when REDIS_URL is set, where each
 * consume is one atomic Lua script shared by every instance, in this process otherwise. While Redis is
 * unreachable a Redis limiter counts in this process instead (its insurance limiter): per instance,
 * but still counted and still locking, where failing open would lift the lockout exactly when Redis
 * is attacked or down.
 */
export class LimiterStore {
  private readonly outage = new RedisOutageWarning(
    new Logger(LimiterStore.name),
    'the lockout counts attempts in each instance’s memory until it is back',
  );

  constructor(
    private readonly keyPrefix: string,
    private readonly redis?: Redis,
  ) {}

  create(name: string, options: LimiterOptions): RateLimiterAbstract {
    const base = { keyPrefix: `${this.keyPrefix}${name}`, points: options.points, duration: options.durationSeconds };
    const redis = this.redis;
    if (!redis) return new RateLimiterMemory(base);
    return new RateLimiterRedis({
      ...base,
      storeClient: redis,
      // Straight to the insurance while disconnected, instead of waiting for a command to fail.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceLimiter(base, () => this.outage.report(new Error(`connection ${redis.status}`))),
    });
  }
}

/** Consumes one point; a refusal (the points are used up) is an answer, any other error is thrown. */
export async function consumeOne(limiter: RateLimiterAbstract, key: string): Promise<Consumed> {
  try {
    const counted = await limiter.consume(key);
    return { granted: true, consumedPoints: counted.consumedPoints };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return { granted: false, msBeforeNext: refusal.msBeforeNext };
    throw refusal;
  }
}

/** The in-memory limiter a Redis limiter falls back to; each use during an outage is reported (rate-limited). */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: ConstructorParameters<typeof RateLimiterMemory>[0],
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(...args);
  }

  override reward(...args: Parameters<RateLimiterMemory['reward']>): Promise<RateLimiterRes> {
    this.onUse();
    return super.reward(...args);
  }

  override get(...args: Parameters<RateLimiterMemory['get']>): Promise<RateLimiterRes | null> {
    this.onUse();
    return super.get(...args);
  }

  override delete(...args: Parameters<RateLimiterMemory['delete']>): Promise<boolean> {
    this.onUse();
    return super.delete(...args);
  }
}
