import { generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadAppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { parseDurationSeconds } from './duration';

const DATABASE_URL = 'postgresql://app@localhost:5432/auth';
const STRONG_SECRET = 'Zq8!rT2#vL9@pW4$kM7%nB1^xC6&yD3*';
const PEPPER = 'Xb2vN8qLk4Tz9sWm1RyH6cJd3FgP7aEu';
const MFA_KEY = randomBytes(32).toString('base64');
const GENERATE = 'generate one with: openssl rand -base64 48';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

function secretOf(config: AppConfig): Buffer {
  if (config.accessToken.signing.algorithm !== 'HS256') throw new Error('expected HS256');
  return config.accessToken.signing.secret;
}

describe('loadAppConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadAppConfig({ DATABASE_URL });
    expect(config.nodeEnv).toBe('development');
    expect(config.http).toEqual({
      host: '0.0.0.0',
      port: 3000,
      serviceUrl: 'http://localhost:3000',
      serviceUrlConfigured: false,
      trustProxy: { kind: 'none' },
      corsOrigins: [],
      bodyLimitBytes: 65536,
      servesDocs: true,
      livenessEventLoopLimitSeconds: 5,
      timeouts: { requestSeconds: 30, keepAliveSeconds: 72 },
      shutdown: { delaySeconds: 0, graceSeconds: 10 },
    });
    expect(config.database).toEqual({
      url: DATABASE_URL,
      poolSize: 10,
      connectTimeoutSeconds: 5,
      statementTimeoutSeconds: 10,
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redis).toEqual({ commandTimeoutSeconds: 1 });
    expect(config.logLevel).toBe('info');
    expect(config.session).toEqual({
      idleTtlSeconds: 7 * 86400,
      maxAgeSeconds: 30 * 86400,
      reuseGraceSeconds: 0,
      refreshTransport: 'body',
      purgeRetentionSeconds: 7 * 86400,
      revocationResyncSeconds: 30,
    });
    expect(config.password).toMatchObject({ bcryptCost: 12, minLength: 8 });
    expect(config.accessToken.ttlSeconds).toBe(900);
  });

  it('reads every variable it knows', () => {
    const config = loadAppConfig({
      DATABASE_URL,
      NODE_ENV: 'production',
      PORT: '8080',
      SERVICE_URL: 'https://auth.example.com/',
      JWT_ISSUER: 'https://issuer.example.com',
      JWT_CLIENT_ID: 'web-app',
      HOST: '127.0.0.1',
      TRUST_PROXY: 'true',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      BODY_LIMIT: '1mb',
      HTTP_REQUEST_TIMEOUT: '10s',
      HTTP_KEEP_ALIVE_TIMEOUT: '65s',
      SHUTDOWN_GRACE: '30s',
      SHUTDOWN_DELAY: '5s',
      DATABASE_POOL_SIZE: '25',
      DATABASE_CONNECT_TIMEOUT: '2s',
      DATABASE_STATEMENT_TIMEOUT: '30s',
      REDIS_COMMAND_TIMEOUT: '3s',
      REDIS_URL: 'redis://cache:6379',
      LOG_LEVEL: 'debug',
      JWT_ACCESS_SECRET: STRONG_SECRET,
      PASSWORD_PEPPER: PEPPER,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      REFRESH_TTL: '1d',
      SESSION_MAX_AGE: '14d',
      REFRESH_REUSE_GRACE: '30s',
    });
    expect(config.isProduction).toBe(true);
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 8080,
      servesDocs: false,
      livenessEventLoopLimitSeconds: 5,
      serviceUrl: 'https://auth.example.com',
      serviceUrlConfigured: true,
      trustProxy: { kind: 'all' },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      bodyLimitBytes: 1024 * 1024,
      timeouts: { requestSeconds: 10, keepAliveSeconds: 65 },
      shutdown: { delaySeconds: 5, graceSeconds: 30 },
    });
    expect(config.database).toEqual({
      url: DATABASE_URL,
      poolSize: 25,
      connectTimeoutSeconds: 2,
      statementTimeoutSeconds: 30,
    });
    expect(config.redis.commandTimeoutSeconds).toBe(3);
    expect(config.redisUrl).toBe('redis://cache:6379');
    expect(config.logLevel).toBe('debug');
    expect(config.session).toMatchObject({ idleTtlSeconds: 86400, maxAgeSeconds: 14 * 86400, reuseGraceSeconds: 30 });
    expect(config.password.pepper).toEqual(Buffer.from(PEPPER));
    expect(config.accessToken).toEqual({
      signing: { algorithm: 'HS256', secret: Buffer.from(STRONG_SECRET), secretGenerated: false },
      ttlSeconds: 900,
      issuer: 'https://issuer.example.com',
      audience: 'auth-service',
      clientId: 'web-app',
    });
  });

  it('takes the token issuer as a URL (RFC 9068), by default SERVICE_URL or the local address', () => {
    expect(loadAppConfig({ DATABASE_URL, PORT: '4000' }).accessToken.issuer).toBe('http://localhost:4000');
    expect(loadAppConfig({ DATABASE_URL, SERVICE_URL: 'https://id.example.com' }).accessToken.issuer).toBe(
      'https://id.example.com',
    );
    expect(problemsOf({ DATABASE_URL, JWT_ISSUER: 'auth-service' })).toEqual([
      'JWT_ISSUER must be a URL starting with http:// or https://',
    ]);
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
      'TRUST_PROXY must be false, true (trust every proxy), a hop count such as 1, or proxy addresses such as 10.0.0.0/8,loopback (got "maybe"; "maybe" is not an IP address, CIDR or loopback/linklocal/uniquelocal)',
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

  it('keeps ended sessions longer than an access token lives, so revocations can still be reloaded', () => {
    expect(loadAppConfig({ DATABASE_URL, SESSION_PURGE_RETENTION: '90d' }).session.purgeRetentionSeconds).toBe(
      90 * 86400,
    );
    expect(problemsOf({ DATABASE_URL, SESSION_PURGE_RETENTION: '2h', JWT_ACCESS_TTL: '2h' })).toEqual([
      'SESSION_PURGE_RETENTION must be longer than JWT_ACCESS_TTL plus one minute',
    ]);
  });

  it('accepts only bare origins in CORS_ORIGINS', () => {
    expect(problemsOf({ DATABASE_URL, CORS_ORIGINS: 'https://ok.example.com,*,https://app.example.com/path' })).toEqual(
      [
        'CORS_ORIGINS must list origins such as https://app.example.com, comma-separated, without paths or * (got "*", "https://app.example.com/path")',
      ],
    );
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
      expect(first.accessToken.signing).toMatchObject({ algorithm: 'HS256', secretGenerated: true });
      expect(secretOf(first)).toHaveLength(32);
      expect(secretOf(first).equals(secretOf(second))).toBe(false);
    });

    it('is required in production, with the way to generate one', () => {
      const [problem] = problemsOf({
        DATABASE_URL,
        NODE_ENV: 'production',
        PASSWORD_PEPPER: PEPPER,
        MFA_ENCRYPTION_KEY: MFA_KEY,
      });
      expect(problem).toMatch(/^JWT_ACCESS_SECRET is required in production \(at least 32 random bytes\); /);
      expect(problem).toContain(GENERATE);
    });

    it('must be at least 32 bytes in every environment', () => {
      expect(problemsOf({ DATABASE_URL, JWT_ACCESS_SECRET: 'x'.repeat(8) + 'abcdefgh' })).toEqual([
        'JWT_ACCESS_SECRET must be at least 32 bytes (got 16)',
      ]);
    });

    it('refuses a long but repetitive secret', () => {
      expect(problemsOf({ DATABASE_URL, JWT_ACCESS_SECRET: 'ab'.repeat(20) })).toEqual([
        'JWT_ACCESS_SECRET is too repetitive to be a random secret',
      ]);
    });
  });
  describe('pages served', () => {
    const production = {
      DATABASE_URL,
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: STRONG_SECRET,
      PASSWORD_PEPPER: PEPPER,
      MFA_ENCRYPTION_KEY: MFA_KEY,
    };

    it('serves /docs outside production only, unless DOCS_ENABLED says otherwise', () => {
      expect(loadAppConfig({ DATABASE_URL }).http.servesDocs).toBe(true);
      expect(loadAppConfig({ DATABASE_URL, NODE_ENV: 'test' }).http.servesDocs).toBe(true);
      expect(loadAppConfig(production).http.servesDocs).toBe(false);
      expect(loadAppConfig({ ...production, DOCS_ENABLED: 'true' }).http.servesDocs).toBe(true);
      expect(loadAppConfig({ DATABASE_URL, DOCS_ENABLED: 'false' }).http.servesDocs).toBe(false);
      expect(problemsOf({ DATABASE_URL, DOCS_ENABLED: 'sometimes' })).toEqual([
        'DOCS_ENABLED must be true or false (got "sometimes")',
      ]);
    });

    it("serves the mailed links' pages unless ACCOUNT_PAGES_ENABLED is false", () => {
      expect(loadAppConfig(production).accountTokens.servesPages).toBe(true);
      expect(loadAppConfig({ DATABASE_URL, ACCOUNT_PAGES_ENABLED: 'false' }).accountTokens.servesPages).toBe(false);
    });
  });

  describe('secrets from files (<NAME>_FILE)', () => {
    const directory = mkdtempSync(join(tmpdir(), 'secret-files-'));
    const fileWith = (name: string, content: string) => {
      const path = join(directory, name);
      writeFileSync(path, content);
      return path;
    };
    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    it('reads every secret from its file, less one trailing newline, in production', () => {
      const config = loadAppConfig({
        NODE_ENV: 'production',
        DATABASE_URL_FILE: fileWith('database-url', `${DATABASE_URL}\n`),
        JWT_ACCESS_SECRET_FILE: fileWith('jwt', `${STRONG_SECRET}\n`),
        PASSWORD_PEPPER_FILE: fileWith('pepper', PEPPER),
        MFA_ENCRYPTION_KEY_FILE: fileWith('mfa', `${MFA_KEY}\r\n`),
      });
      expect(config.database.url).toBe(DATABASE_URL);
      expect(secretOf(config).toString('utf8')).toBe(STRONG_SECRET);
      expect(config.password.pepper.toString('utf8')).toBe(PEPPER);
    });

    it('reads a PEM key ring from files with real newlines', () => {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const config = loadAppConfig({
        DATABASE_URL,
        JWT_ALGORITHM: 'EdDSA',
        JWT_SIGNING_KEY_FILE: fileWith('signing.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
        JWT_VERIFICATION_KEYS_FILE: fileWith('keys.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      });
      expect(config.accessToken.signing.algorithm).toBe('EdDSA');
    });

    it('refuses a secret set both ways, and a file it cannot read, naming the path but no value', () => {
      const missing = join(directory, 'absent');
      const problems = problemsOf({
        DATABASE_URL,
        JWT_ACCESS_SECRET: STRONG_SECRET,
        JWT_ACCESS_SECRET_FILE: fileWith('both', STRONG_SECRET),
        PASSWORD_PEPPER_FILE: missing,
      });
      expect(problems).toEqual([
        'JWT_ACCESS_SECRET and JWT_ACCESS_SECRET_FILE are both set: set one of them',
        `PASSWORD_PEPPER_FILE: cannot read ${missing} (ENOENT)`,
      ]);
      expect(problems.join('\n')).not.toContain(STRONG_SECRET);
    });

    it('reads no file for a variable that is not secret', () => {
      expect(loadAppConfig({ DATABASE_URL, PORT_FILE: fileWith('port', '4000') }).http.port).toBe(3000);
    });
  });

  describe('secrets in production', () => {
    const production = (env: Record<string, string>) => ({
      DATABASE_URL,
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: STRONG_SECRET,
      PASSWORD_PEPPER: PEPPER,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      ...env,
    });
    const randomSecrets = () => [
      randomBytes(32).toString('base64'),
      randomBytes(32).toString('base64url'),
      randomBytes(32).toString('hex'),
      // openssl rand -base64 48
      randomBytes(48).toString('base64'),
    ];

    it('refuses changeme-changeme-changeme-changeme, saying how to generate a good one, without echoing it', () => {
      const secret = 'changeme-changeme-changeme-changeme';
      const problems = problemsOf(production({ JWT_ACCESS_SECRET: secret }));
      expect(problems).toEqual([
        `JWT_ACCESS_SECRET looks like a placeholder (it contains a word such as changeme, secret, password, example or placeholder); ${GENERATE} (or node -e "console.log(require('node:crypto').randomBytes(48).toString('base64'))")`,
      ]);
      expect(problems.join('\n')).not.toContain(secret);
      // Outside production the same value still boots (eight distinct characters, 35 bytes).
      expect(loadAppConfig({ DATABASE_URL, JWT_ACCESS_SECRET: secret }).accessToken.signing).toMatchObject({
        secretGenerated: false,
      });
    });

    it.each([
      'your-256-bit-secret-your-256-bit-secret',
      'a-production-grade-secret-of-more-than-32-bytes',
      'PLACEHOLDER_value_for_the_jwt_signing_key_2024',
      'Change_Me_Before_Deploying_This_Service_2024',
      'an-example-key-0123456789abcdefghijklmnop',
      'MyPassword-is-not-random-but-very-long-indeed',
    ])('refuses the placeholder %p', (secret) => {
      expect(problemsOf(production({ JWT_ACCESS_SECRET: secret }))).toEqual([
        expect.stringMatching(
          /^JWT_ACCESS_SECRET looks like a placeholder .*; generate one with: openssl rand -base64 48/,
        ),
      ]);
    });

    it('refuses a secret made of one repeated unit', () => {
      expect(problemsOf(production({ JWT_ACCESS_SECRET: 'Xy7!Qp'.repeat(8) }))).toEqual([
        expect.stringMatching(/^JWT_ACCESS_SECRET is one short piece repeated; generate one with/),
      ]);
    });

    it.each([
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
      'a1'.repeat(12) + 'zyxwvutsrq',
    ])('refuses the low-entropy %p with its estimate', (secret) => {
      expect(problemsOf(production({ JWT_ACCESS_SECRET: secret }))).toEqual([
        expect.stringMatching(
          /^JWT_ACCESS_SECRET is too predictable to be a random secret \(about \d+ bits of entropy estimated, at least 128 needed\); generate one with/,
        ),
      ]);
    });

    it('accepts random 32- and 48-byte secrets, in base64, base64url and hex', () => {
      for (let round = 0; round < 250; round += 1) {
        for (const secret of randomSecrets()) {
          const config = loadAppConfig(production({ JWT_ACCESS_SECRET: secret, PASSWORD_PEPPER: secret }));
          expect(secretOf(config)).toEqual(Buffer.from(secret));
        }
      }
    });

    it('requires PASSWORD_PEPPER, saying how to generate one', () => {
      const [problem] = problemsOf({ DATABASE_URL, NODE_ENV: 'production', JWT_ACCESS_SECRET: STRONG_SECRET });
      expect(problem).toMatch(
        /^PASSWORD_PEPPER is required in production \(at least 32 random bytes, set once: every stored password depends on it\); /,
      );
      expect(problem).toContain(GENERATE);
    });

    it('refuses a short or placeholder pepper, and the public development default', () => {
      expect(problemsOf(production({ PASSWORD_PEPPER: 'Xb2vN8qLk4Tz9sWm' }))).toEqual([
        expect.stringMatching(/^PASSWORD_PEPPER must be at least 32 bytes \(got 16\); generate one with/),
      ]);
      for (const pepper of ['auth-service/password-prehash/v1', 'changeme-changeme-changeme-changeme']) {
        expect(problemsOf(production({ PASSWORD_PEPPER: pepper }))).toEqual([
          expect.stringMatching(/^PASSWORD_PEPPER looks like a placeholder/),
        ]);
      }
    });

    it('keeps the fixed development pepper outside production, and any pepper configured there', () => {
      expect(loadAppConfig({ DATABASE_URL }).password.pepper).toEqual(Buffer.from('auth-service/password-prehash/v1'));
      expect(loadAppConfig({ DATABASE_URL, PASSWORD_PEPPER: 'dev' }).password.pepper).toEqual(Buffer.from('dev'));
    });

    it('names every weak secret at once', () => {
      expect(
        problemsOf({
          DATABASE_URL,
          NODE_ENV: 'production',
          JWT_ACCESS_SECRET: 'changeme-changeme-changeme-changeme',
        }).map((problem) => problem.split(' ').slice(0, 3).join(' ')),
      ).toEqual(['JWT_ACCESS_SECRET looks like', 'PASSWORD_PEPPER is required', 'MFA_ENCRYPTION_KEY is required']);
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

    it.each([
      ['root', 'must be an email address'],
      ['root@', 'must be an email address'],
      ['@example.com', 'must be an email address'],
      ['root@example', 'must be an email address'],
      [`${'a'.repeat(250)}@example.com`, 'must be at most 254 characters'],
      ['ro\u200bot@example.com', 'must not contain control, invisible or space characters'],
    ])('refuses the malformed email %p', (email, problem) => {
      expect(problemsOf({ DATABASE_URL, ADMIN_EMAIL: email, ADMIN_PASSWORD })).toEqual([
        `ADMIN_EMAIL ${problem} (got ${JSON.stringify(email)})`,
      ]);
    });

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

    it('refuses a placeholder in production, which the password policy lets through', () => {
      const env = { DATABASE_URL, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'changeme-changeme' };
      expect(loadAppConfig(env).admin).toEqual({ email: 'root@example.com', password: 'changeme-changeme' });
      expect(
        problemsOf({
          ...env,
          NODE_ENV: 'production',
          JWT_ACCESS_SECRET: STRONG_SECRET,
          PASSWORD_PEPPER: PEPPER,
          MFA_ENCRYPTION_KEY: MFA_KEY,
        }),
      ).toEqual([
        'ADMIN_PASSWORD looks like a placeholder (it contains a word such as changeme, secret, password, example or placeholder); choose a passphrase of your own',
      ]);
      const production = {
        NODE_ENV: 'production',
        JWT_ACCESS_SECRET: STRONG_SECRET,
        PASSWORD_PEPPER: PEPPER,
        MFA_ENCRYPTION_KEY: MFA_KEY,
      };
      expect(loadAppConfig({ ...env, ...production, ADMIN_PASSWORD }).admin?.password).toBe(ADMIN_PASSWORD);
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

describe('loadAppConfig: signing keys', () => {
  const pem = (key: KeyObject) =>
    key.export(key.type === 'private' ? { type: 'pkcs8', format: 'pem' } : { type: 'spki', format: 'pem' }).toString();
  const ed25519 = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('reads a key ring and needs no JWT_ACCESS_SECRET for it, even in production', () => {
    const config = loadAppConfig({
      DATABASE_URL,
      NODE_ENV: 'production',
      PASSWORD_PEPPER: PEPPER,
      MFA_ENCRYPTION_KEY: MFA_KEY,
      JWT_ALGORITHM: 'EdDSA',
      JWT_SIGNING_KEY: pem(ed25519.privateKey),
      // A public key and a private key, one after the other: the private key's public half is taken.
      JWT_VERIFICATION_KEYS: `${pem(rsa.publicKey)}\n${pem(generateKeyPairSync('ed25519').privateKey)}`,
    });
    const signing = config.accessToken.signing;
    expect(signing.algorithm).toBe('EdDSA');
    if (signing.algorithm === 'HS256') return;
    expect(signing.signingKey.equals(ed25519.privateKey)).toBe(true);
    expect(signing.verificationKeys.map((key) => [key.type, key.asymmetricKeyType])).toEqual([
      ['public', 'rsa'],
      ['public', 'ed25519'],
    ]);
  });

  it('reads PKCS#1 RSA keys and PEMs written on one line with \\n escapes, as env files hold them', () => {
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const config = loadAppConfig({
      DATABASE_URL,
      JWT_ALGORITHM: 'RS256',
      JWT_SIGNING_KEY: pkcs1.replace(/\n/g, '\\n'),
      JWT_VERIFICATION_KEYS: pem(ed25519.publicKey).replace(/\n/g, '\\n'),
    });
    expect(config.accessToken.signing).toMatchObject({ algorithm: 'RS256', verificationKeys: [expect.anything()] });
  });

  it('requires JWT_SIGNING_KEY for RS256 and EdDSA, beside the other problems', () => {
    expect(problemsOf({ DATABASE_URL, PORT: 'eighty', JWT_ALGORITHM: 'RS256' })).toEqual([
      'PORT must be an integer from 0 to 65535 (got "eighty")',
      'JWT_SIGNING_KEY is required when JWT_ALGORITHM is RS256 (a PEM private key)',
    ]);
    expect(problemsOf({ DATABASE_URL, JWT_ALGORITHM: 'ES256' })).toEqual([
      'JWT_ALGORITHM must be one of HS256, RS256, EdDSA (got "ES256")',
    ]);
  });

  it('refuses a signing key that does not fit the algorithm, without echoing it', () => {
    const weakRsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(problemsOf({ DATABASE_URL, JWT_ALGORITHM: 'EdDSA', JWT_SIGNING_KEY: pem(rsa.privateKey) })).toEqual([
      'JWT_SIGNING_KEY must be an Ed25519 key for EdDSA (got a 2048-bit RSA key)',
    ]);
    expect(problemsOf({ DATABASE_URL, JWT_ALGORITHM: 'RS256', JWT_SIGNING_KEY: pem(weakRsa) })).toEqual([
      'JWT_SIGNING_KEY must be an RSA key of at least 2048 bits for RS256 (got a 1024-bit RSA key)',
    ]);
    const problems = problemsOf({ DATABASE_URL, JWT_ALGORITHM: 'RS256', JWT_SIGNING_KEY: pem(rsa.publicKey) });
    expect(problems).toEqual(['JWT_SIGNING_KEY must be an unencrypted PEM private key (PKCS#8, or PKCS#1 for RSA)']);
  });

  it('refuses garbage and unusable verification keys, naming each by position', () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----';
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(
      problemsOf({
        DATABASE_URL,
        JWT_ALGORITHM: 'EdDSA',
        JWT_SIGNING_KEY: garbage,
        JWT_VERIFICATION_KEYS: `${pem(rsa.publicKey)}${garbage}\n${pem(ec)}`,
      }),
    ).toEqual([
      'JWT_SIGNING_KEY must be an unencrypted PEM private key (PKCS#8, or PKCS#1 for RSA)',
      'JWT_VERIFICATION_KEYS key 2 is not a readable PEM public or private key',
      'JWT_VERIFICATION_KEYS key 3 must be an RSA key of at least 2048 bits or an Ed25519 key (got a key of type ec)',
    ]);
    const signingKey = pem(ed25519.privateKey);
    expect(
      problemsOf({ DATABASE_URL, JWT_ALGORITHM: 'EdDSA', JWT_SIGNING_KEY: signingKey, JWT_VERIFICATION_KEYS: 'x' }),
    ).toEqual(['JWT_VERIFICATION_KEYS must hold one or more PEM keys']);
    expect(
      problemsOf({
        DATABASE_URL,
        JWT_ALGORITHM: 'EdDSA',
        JWT_SIGNING_KEY: signingKey,
        JWT_VERIFICATION_KEYS: `${pem(rsa.publicKey)}, and more`,
      }),
    ).toEqual(['JWT_VERIFICATION_KEYS must hold only PEM keys, one after another']);
  });

  it('refuses keys set while the algorithm stays HS256', () => {
    expect(problemsOf({ DATABASE_URL, JWT_SIGNING_KEY: pem(ed25519.privateKey) })).toEqual([
      'JWT_SIGNING_KEY needs JWT_ALGORITHM set to RS256 or EdDSA',
    ]);
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
