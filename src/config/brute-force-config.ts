import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

/** Per-client rate limit on the credential routes (login, register, refresh, password and email flows). */
export interface CredentialThrottleConfig {
  /** Requests one client address may make to one credential route per window. */
  readonly limit: number;
  readonly ttlSeconds: number;
  /** While the Redis counters cannot be reached: let requests through (open) or refuse them with 503 (closed). */
  readonly onRedisFailure: 'open' | 'closed';
}

/** Login lockout: per (email, client address) pair, and per email for everyone. */
export interface LockoutConfig {
  /** Consecutive failures of one pair before it is locked (Auth0's rule: others cannot lock the owner out). */
  readonly threshold: number;
  /** Failures for one email from all addresses within accountWindowSeconds before the email is locked (ASVS 2.2.1). */
  readonly accountFailureLimit: number;
  readonly accountWindowSeconds: number;
  /** How long a pair, an email, or an account's password change stays locked. */
  readonly durationSeconds: number;
  /** Longest one change-password check holds its account's only check slot, should its instance die mid-check. */
  readonly checkSlotSeconds: number;
}

export interface BruteForceConfig {
  readonly throttle: CredentialThrottleConfig;
  readonly lockout: LockoutConfig;
  /** Prefix of the Redis keys of both counters, so several deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string;
}

export function readBruteForceConfig(read: EnvironmentReader): BruteForceConfig {
  return {
    throttle: {
      limit: read.integer(VARIABLES.THROTTLE_AUTH_LIMIT),
      ttlSeconds: read.durationSeconds(VARIABLES.THROTTLE_AUTH_TTL),
      onRedisFailure: read.oneOf(VARIABLES.THROTTLE_ON_REDIS_FAILURE),
    },
    lockout: {
      threshold: read.integer(VARIABLES.LOCKOUT_THRESHOLD),
      accountFailureLimit: read.integer(VARIABLES.ACCOUNT_FAILURE_LIMIT),
      // ASVS 2.2.1 counts failures per hour; not configurable so the documented rule stays true.
      accountWindowSeconds: 3600,
      durationSeconds: read.durationSeconds(VARIABLES.LOCKOUT_DURATION),
      // Far above a bcrypt check even with a long pool queue (seconds); short enough that a dead holder is forgotten.
      checkSlotSeconds: 60,
    },
    redisKeyPrefix: read.text(VARIABLES.REDIS_KEY_PREFIX),
  };
}
