import { ConfigValidationError } from './config-validation.error';
import { loadAppConfig } from './app-config';

const DATABASE_URL = 'postgresql://localhost/auth';

describe('brute-force configuration', () => {
  it('defaults to the documented limits', () => {
    expect(loadAppConfig({ DATABASE_URL }).bruteForce).toEqual({
      throttle: { limit: 10, ttlSeconds: 60, onRedisFailure: 'open' },
      lockout: {
        threshold: 10,
        accountFailureLimit: 100,
        accountWindowSeconds: 3600,
        durationSeconds: 900,
        checkSlotSeconds: 60,
      },
      redisKeyPrefix: 'auth:',
    });
  });

  it('reads every variable', () => {
    const config = loadAppConfig({
      DATABASE_URL,
      THROTTLE_AUTH_LIMIT: '3',
      THROTTLE_AUTH_TTL: '2m',
      LOCKOUT_THRESHOLD: '5',
      LOCKOUT_DURATION: '1h',
      ACCOUNT_FAILURE_LIMIT: '50',
      REDIS_KEY_PREFIX: 'staging:',
      THROTTLE_ON_REDIS_FAILURE: 'closed',
    });
    expect(config.bruteForce).toEqual({
      throttle: { limit: 3, ttlSeconds: 120, onRedisFailure: 'closed' },
      lockout: {
        threshold: 5,
        accountFailureLimit: 50,
        accountWindowSeconds: 3600,
        durationSeconds: 3600,
        checkSlotSeconds: 60,
      },
      redisKeyPrefix: 'staging:',
    });
  });

  it('names each malformed variable', () => {
    const load = () =>
      loadAppConfig({
        DATABASE_URL,
        THROTTLE_AUTH_LIMIT: '0',
        LOCKOUT_DURATION: 'forever',
        ACCOUNT_FAILURE_LIMIT: 'x',
      });
    expect(load).toThrow(ConfigValidationError);
    expect(load).toThrow(/THROTTLE_AUTH_LIMIT[\s\S]*ACCOUNT_FAILURE_LIMIT[\s\S]*LOCKOUT_DURATION/);
  });
});
