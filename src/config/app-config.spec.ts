import { loadAppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { parseDurationSeconds } from './duration';

const DATABASE_URL = 'postgresql://app@localhost:5432/auth';
const STRONG_SECRET = 'Zq8!rT2#vL9@pW4$kM7%nB1^xC6&yD3*';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadAppConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadAppConfig({ DATABASE_URL });
    expect(config.nodeEnv).toBe('development');
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      trustProxy: false,
      bodyLimitBytes: 65536,
      shutdownGraceSeconds: 10,
    });
    expect(config.database).toEqual({ url: DATABASE_URL, poolSize: 10, connectTimeoutSeconds: 5 });
    expect(config.redisUrl).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.session).toEqual({
      idleTtlSeconds: 7 * 86400,
      maxAgeSeconds: 30 * 86400,
      purgeRetentionSeconds: 7 * 86400,
    });
    expect(config.password).toMatchObject({ bcryptCost: 12, minLength: 8 });
    expect(config.accessToken.ttlSeconds).toBe(900);
  });

  it('reads every variable it knows', () => {
    const config = loadAppConfig({
      DATABASE_URL,
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '127.0.0.1',
      TRUST_PROXY: 'true',
      BODY_LIMIT: '1mb',
      SHUTDOWN_GRACE: '30s',
      DATABASE_POOL_SIZE: '25',
      DATABASE_CONNECT_TIMEOUT: '2s',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'debug',
      JWT_ACCESS_SECRET: STRONG_SECRET,
    });
    expect(config.isProduction).toBe(true);
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      trustProxy: true,
      bodyLimitBytes: 1024 * 1024,
      shutdownGraceSeconds: 30,
    });
    expect(config.database).toEqual({ url: DATABASE_URL, poolSize: 25, connectTimeoutSeconds: 2 });
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.logLevel).toBe('debug');
    expect(config.accessToken).toEqual({
      secret: Buffer.from(STRONG_SECRET),
      secretGenerated: false,
      ttlSeconds: 900,
      issuer: 'auth-service',
      audience: 'auth-service',
    });
  });

  it('names every problem at once', () => {
    const problems = problemsOf({
      PORT: '70000',
      NODE_ENV: 'staging',
      TRUST_PROXY: 'maybe',
      BODY_LIMIT: 'huge',
      LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'NODE_ENV must be one of development, test, production (got "staging")',
      'PORT must be an integer from 0 to 65535 (got "70000")',
      'TRUST_PROXY must be true or false (got "maybe")',
      'BODY_LIMIT must be a size such as 512b, 64kb or 1mb between 1024 and 10485760 bytes (got "huge")',
      'DATABASE_URL is required: `npm start` and `npm test` provide an embedded PostgreSQL when it is unset',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ]);
  });

  it('keeps ended sessions longer than an access token lives, so revocations can still be reloaded', () => {
    expect(loadAppConfig({ DATABASE_URL, SESSION_PURGE_RETENTION: '90d' }).session.purgeRetentionSeconds).toBe(
      90 * 86400,
    );
    expect(problemsOf({ DATABASE_URL, SESSION_PURGE_RETENTION: '2h', JWT_ACCESS_TTL: '2h' })).toEqual([
      'SESSION_PURGE_RETENTION must be longer than JWT_ACCESS_TTL plus one minute',
    ]);
  });

  it('never echoes a URL that may hold a password', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:hunter2@db/app', REDIS_URL: 'http://:pw@cache' });
    expect(problems.join('\n')).not.toContain('hunter2');
    expect(problems).toContain('DATABASE_URL must be a URL starting with postgres:// or postgresql://');
    expect(problems).toContain('REDIS_URL must be a URL starting with redis:// or rediss://');
  });

  describe('the access-token secret', () => {
    it('is generated per process outside production when unset', () => {
      const first = loadAppConfig({ DATABASE_URL });
      const second = loadAppConfig({ DATABASE_URL });
      expect(first.accessToken.secretGenerated).toBe(true);
      expect(first.accessToken.secret).toHaveLength(32);
      expect(first.accessToken.secret.equals(second.accessToken.secret)).toBe(false);
    });

    it('is required in production', () => {
      expect(problemsOf({ DATABASE_URL, NODE_ENV: 'production' })).toEqual([
        'JWT_ACCESS_SECRET is required in production (at least 32 random bytes)',
      ]);
    });

    it('must be at least 32 bytes in every environment', () => {
      expect(problemsOf({ DATABASE_URL, JWT_ACCESS_SECRET: 'x'.repeat(8) + 'abcdefgh' })).toEqual([
        'JWT_ACCESS_SECRET must be at least 32 bytes (got 16)',
      ]);
    });

    it('refuses a long but repetitive secret', () => {
      expect(problemsOf({ DATABASE_URL, NODE_ENV: 'production', JWT_ACCESS_SECRET: 'ab'.repeat(20) })).toEqual([
        'JWT_ACCESS_SECRET is too repetitive to be a random secret',
      ]);
    });
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['900', 900],
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['7d', 604800],
    [' 30s ', 30],
  ])('reads %p as %p seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'm', '15 minutes', '-5s', '1.5h', '10w'])('refuses %p', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});
