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
    expect(config.session).toEqual({ idleTtlSeconds: 7 * 86400, maxAgeSeconds: 30 * 86400, reuseGraceSeconds: 0 });
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
      REFRESH_TTL: '1d',
      SESSION_MAX_AGE: '14d',
      REFRESH_REUSE_GRACE: '30s',
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
    expect(config.session).toEqual({ idleTtlSeconds: 86400, maxAgeSeconds: 14 * 86400, reuseGraceSeconds: 30 });
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

  it('caps the refresh reuse grace at five minutes', () => {
    expect(problemsOf({ DATABASE_URL, REFRESH_REUSE_GRACE: '10m' })).toEqual([
      'REFRESH_REUSE_GRACE must be a duration such as 30s, 15m, 12h or 7d between 0s and 300s (got "10m")',
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
  describe('the admin account', () => {
    const ADMIN_PASSWORD = 'velvet-otter-climbs-quietly';

    it('is unset when neither variable is', () => {
      expect(loadAppConfig({ DATABASE_URL }).admin).toBeUndefined();
    });

    it('reads both, the email trimmed and lower-cased like every stored email', () => {
      const config = loadAppConfig({ DATABASE_URL, ADMIN_EMAIL: '  Root@Example.COM ', ADMIN_PASSWORD });
      expect(config.admin).toEqual({ email: 'root@example.com', password: ADMIN_PASSWORD });
    });

    it.each([
      [{ ADMIN_EMAIL: 'root@example.com' }, 'ADMIN_PASSWORD'],
      [{ ADMIN_PASSWORD }, 'ADMIN_EMAIL'],
      [{ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: '   ' }, 'ADMIN_PASSWORD'],
    ])('refuses one without the other: %p', (env, missing) => {
      expect(problemsOf({ DATABASE_URL, ...env })).toEqual([
        `ADMIN_EMAIL and ADMIN_PASSWORD must be set together (${missing} is missing)`,
      ]);
    });

    it.each(['root', 'root@', '@example.com', 'root@example', `${'a'.repeat(250)}@example.com`])(
      'refuses the malformed email %p',
      (email) => {
        expect(problemsOf({ DATABASE_URL, ADMIN_EMAIL: email, ADMIN_PASSWORD })).toEqual([
          `ADMIN_EMAIL must be an email address (got "${email}")`,
        ]);
      },
    );

    it('holds the password to the registration policy, never echoing it', () => {
      expect(problemsOf({ DATABASE_URL, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'password123' })).toEqual([
        'ADMIN_PASSWORD is too common; choose a less guessable password',
      ]);
      expect(problemsOf({ DATABASE_URL, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'Xk3#vQ9' })).toEqual([
        'ADMIN_PASSWORD must be at least 8 characters',
      ]);
      expect(problemsOf({ DATABASE_URL, ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'root@example.com' })).toEqual(
        ['ADMIN_PASSWORD must not be your email address'],
      );
    });

    it('applies PASSWORD_MIN_LENGTH to it', () => {
      const problems = problemsOf({
        DATABASE_URL,
        PASSWORD_MIN_LENGTH: '30',
        ADMIN_EMAIL: 'root@example.com',
        ADMIN_PASSWORD,
      });
      expect(problems).toEqual(['ADMIN_PASSWORD must be at least 30 characters']);
      expect(problems.join('\n')).not.toContain(ADMIN_PASSWORD);
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
