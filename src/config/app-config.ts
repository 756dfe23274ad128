import { KeyObject, randomBytes } from 'node:crypto';
import { AdminConfig, readAdminConfig } from './admin-config';
import { BruteForceConfig, readBruteForceConfig } from './brute-force-config';
import { ConfigValidationError } from './config-validation.error';
import { EnvironmentReader } from './environment-reader';
import { ASYMMETRIC_ALGORITHMS, AsymmetricAlgorithm, parseSigningKeyPem, parseVerificationKeyPems } from './pem-keys';
import { checkSecret, MIN_SECRET_BYTES, readPepper } from './secret-config';
import { GENERATE_SECRET_HINT } from './secret-strength';
import { readTrustProxy, TrustProxy } from './trust-proxy-config';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

export const REFRESH_TRANSPORTS = ['body', 'cookie', 'both'] as const;
export type RefreshTransport = (typeof REFRESH_TRANSPORTS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

// JWT_ACCESS_TTL's range: under 30 s clients refresh more than they call; over a day a stolen token lives too long.
export const MIN_ACCESS_TTL_SECONDS = 30;
export const MAX_ACCESS_TTL_SECONDS = 24 * 3600;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  readonly host: string;
  readonly port: number;
  /** Where clients reach this service (scheme, host, port; no trailing slash): the default token issuer. */
  readonly serviceUrl: string;
  /** False when serviceUrl is the local default, which differs between instances on different ports. */
  readonly serviceUrlConfigured: boolean;
  /** Whose X-Forwarded-For decides the client address (rate limits, lockout, sessions, audit). */
  readonly trustProxy: TrustProxy;
  /** Browser origins allowed to call the API (CORS); empty: no cross-origin access. */
  readonly corsOrigins: readonly string[];
  /** Largest request body accepted; credential payloads are tiny, so a small limit costs nothing. */
  readonly bodyLimitBytes: number;
  readonly timeouts: {
    /** The whole request, headers and body, must arrive within this; a slow sender gets 408 and is closed. */
    readonly requestSeconds: number;
    /** An idle keep-alive connection is closed after this; longer than load balancers' idle timeouts (60 s). */
    readonly keepAliveSeconds: number;
  };
  readonly shutdown: {
    /** How long the instance keeps serving after SIGTERM, reporting not ready, before it stops listening. */
    readonly delaySeconds: number;
    /** How long in-flight requests then get before the process exits anyway. */
    readonly graceSeconds: number;
  };
}

export interface DatabaseConfig {
  readonly url: string;
  readonly poolSize: number;
  /** A query that cannot get a connection within this time fails fast with 503 instead of queueing. */
  readonly connectTimeoutSeconds: number;
}

export const ACCESS_TOKEN_ALGORITHMS = ['HS256', ...ASYMMETRIC_ALGORITHMS] as const;
export type AccessTokenAlgorithm = (typeof ACCESS_TOKEN_ALGORITHMS)[number];

/** One shared HMAC secret: only this service can check its tokens. */
export interface SharedSecretSigning {
  readonly algorithm: 'HS256';
  readonly secret: Buffer;
  /** True when no secret was configured and one was generated for this process (development and tests only). */
  readonly secretGenerated: boolean;
}

/** A key ring: other services check tokens themselves with the public keys published as a JWKS. */
export interface KeyRingSigning {
  readonly algorithm: AsymmetricAlgorithm;
  /** The private key that signs new tokens. */
  readonly signingKey: KeyObject;
  /** Public keys also accepted and published: the previous key after a rotation, or the next one before it. */
  readonly verificationKeys: readonly KeyObject[];
}

export interface AccessTokenConfig {
  readonly signing: SharedSecretSigning | KeyRingSigning;
  /** Short, because an access token is checked without the database: revocation lists live this long. */
  readonly ttlSeconds: number;
  readonly issuer: string;
  readonly audience: string;
  /** RFC 9068's client_id: the application tokens are issued to (first-party: this service's own clients). */
  readonly clientId: string;
}

export interface SessionConfig {
  /** Idle limit: a session unused this long ends. */
  readonly idleTtlSeconds: number;
  /** Absolute limit: rotation never extends a session past it (ASVS 10.4.8). */
  readonly maxAgeSeconds: number;
  /**
   * Racing tabs: for this long after a rotation, the rotated token still gets the current pair
   * instead of counting as reuse, while its successor is unused. 0 turns the grace off.
   */
  readonly reuseGraceSeconds: number;
  /** Where refresh tokens travel: the JSON body, an HttpOnly cookie, or both. */
  readonly refreshTransport: RefreshTransport;
  /** How long an ended (expired or revoked) session is kept for history and reuse detection before the purge. */
  readonly purgeRetentionSeconds: number;
}

export interface PasswordConfig {
  /** bcrypt work factor: 12 costs ~300 ms here, the OWASP floor is 10. */
  readonly bcryptCost: number;
  readonly minLength: number;
  /** HMAC key of the pre-hash; changing it invalidates every stored password. */
  readonly pepper: Buffer;
}

/** The whole configuration, validated once at boot; nothing else reads process.env. */
export class AppConfig {
  constructor(
    readonly nodeEnv: NodeEnvironment,
    readonly logLevel: LogLevel,
    readonly http: HttpConfig,
    readonly database: DatabaseConfig,
    readonly redisUrl: string | undefined,
    readonly accessToken: AccessTokenConfig,
    readonly session: SessionConfig,
    readonly password: PasswordConfig,
    readonly bruteForce: BruteForceConfig,
    readonly mail: MailConfig,
    readonly accountTokens: AccountTokensConfig,
    /** Set when ADMIN_EMAIL and ADMIN_PASSWORD are: the admin account to create if no user has the email. */
    readonly admin?: AdminConfig,
  ) {}

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

/** Builds the configuration from an environment, or throws one error that names every problem. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const read = new EnvironmentReader(env);
  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVIRONMENTS, 'development');

  const port = read.integer('PORT', 3000, { min: 0, max: 65535 });
  const configuredServiceUrl = read.url('SERVICE_URL', ['http', 'https'], { required: false });
  const http: HttpConfig = {
    host: read.string('HOST', '0.0.0.0'),
    port,
    serviceUrl: (configuredServiceUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    serviceUrlConfigured: configuredServiceUrl !== undefined,
    trustProxy: readTrustProxy(read),
    corsOrigins: read.origins('CORS_ORIGINS'),
    bodyLimitBytes: read.sizeBytes('BODY_LIMIT', '64kb', { min: 1024, max: 10 * 1024 * 1024 }),
    timeouts: {
      requestSeconds: read.durationSeconds('HTTP_REQUEST_TIMEOUT', '30s', { min: 1, max: 600 }),
      keepAliveSeconds: read.durationSeconds('HTTP_KEEP_ALIVE_TIMEOUT', '72s', { min: 1, max: 600 }),
    },
    shutdown: {
      delaySeconds: read.durationSeconds('SHUTDOWN_DELAY', '0s', { min: 0, max: 120 }),
      graceSeconds: read.durationSeconds('SHUTDOWN_GRACE', '10s', { min: 1, max: 300 }),
    },
  };

  const database: DatabaseConfig = {
    url:
      read.url('DATABASE_URL', ['postgres', 'postgresql'], {
        required: true,
        hint: '`npm start` and `npm test` provide an embedded PostgreSQL when it is unset',
      }) ?? '',
    poolSize: read.integer('DATABASE_POOL_SIZE', 10, { min: 1, max: 200 }),
    connectTimeoutSeconds: read.durationSeconds('DATABASE_CONNECT_TIMEOUT', '5s', { min: 1, max: 60 }),
  };

  const redisUrl = read.url('REDIS_URL', ['redis', 'rediss'], { required: false });

  const accessToken: AccessTokenConfig = {
    signing: readAccessTokenSigning(read, nodeEnv),
    ttlSeconds: read.durationSeconds('JWT_ACCESS_TTL', '15m', {
      min: MIN_ACCESS_TTL_SECONDS,
      max: MAX_ACCESS_TTL_SECONDS,
    }),
    // RFC 9068 section 2.2: iss identifies the issuer, as a URL; resource servers pin it.
    issuer: read.url('JWT_ISSUER', ['http', 'https'], { required: false }) ?? http.serviceUrl,
    audience: read.string('JWT_AUDIENCE', 'auth-service'),
    clientId: read.string('JWT_CLIENT_ID', 'auth-service'),
  };

  const session: SessionConfig = {
    idleTtlSeconds: read.durationSeconds('REFRESH_TTL', '7d', { min: 60, max: 365 * 86400 }),
    maxAgeSeconds: read.durationSeconds('SESSION_MAX_AGE', '30d', { min: 60, max: 365 * 86400 }),
    // Minutes would let a stolen predecessor ride along with the owner; SuperTokens uses 30 s.
    reuseGraceSeconds: read.durationSeconds('REFRESH_REUSE_GRACE', '0s', { min: 0, max: 300 }),
    refreshTransport: read.oneOf('REFRESH_TRANSPORT', REFRESH_TRANSPORTS, 'body'),
    purgeRetentionSeconds: read.durationSeconds('SESSION_PURGE_RETENTION', '7d', { min: 3600, max: 3650 * 86400 }),
  };
  // Instances reload revocations from the sessions table for one access-token lifetime (plus skew).
  if (session.purgeRetentionSeconds <= accessToken.ttlSeconds + 60) {
    read.problems.push('SESSION_PURGE_RETENTION must be longer than JWT_ACCESS_TTL plus one minute');
  }

  const password: PasswordConfig = {
    bcryptCost: read.integer('BCRYPT_COST', 12, { min: 4, max: 15 }),
    minLength: read.integer('PASSWORD_MIN_LENGTH', 8, { min: 8, max: 128 }),
    pepper: readPepper(read, nodeEnv === 'production'),
  };

  const config = new AppConfig(
    nodeEnv,
    read.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'warn' : 'info'),
    http,
    database,
    redisUrl,
    accessToken,
    session,
    password,
    readBruteForceConfig(read),
    readMailConfig(read),
    readAccountTokensConfig(read),
    readAdminConfig(read, password.minLength, nodeEnv === 'production'),
  );

  if (read.problems.length > 0) throw new ConfigValidationError(read.problems);
  return config;
}

function readAccessTokenSigning(read: EnvironmentReader, nodeEnv: NodeEnvironment): AccessTokenConfig['signing'] {
  const algorithm = read.oneOf('JWT_ALGORITHM', ACCESS_TOKEN_ALGORITHMS, 'HS256');
  if (algorithm !== 'HS256') return readKeyRing(read, algorithm);
  for (const name of ['JWT_SIGNING_KEY', 'JWT_VERIFICATION_KEYS']) {
    // Keys without the algorithm would silently leave tokens on HS256 and the JWKS empty.
    if (read.raw(name) !== undefined) read.fail(name, 'needs JWT_ALGORITHM set to RS256 or EdDSA', undefined);
  }
  return readSharedSecret(read, nodeEnv);
}

function readSharedSecret(read: EnvironmentReader, nodeEnv: NodeEnvironment): SharedSecretSigning {
  const configured = read.raw('JWT_ACCESS_SECRET');
  if (configured === undefined) {
    if (nodeEnv === 'production') {
      read.problems.push(
        `JWT_ACCESS_SECRET is required in production (at least ${MIN_SECRET_BYTES} random bytes); ${GENERATE_SECRET_HINT}`,
      );
    }
    return { algorithm: 'HS256', secret: randomBytes(MIN_SECRET_BYTES), secretGenerated: true };
  }
  checkSecret(read, 'JWT_ACCESS_SECRET', configured, nodeEnv === 'production');
  return { algorithm: 'HS256', secret: Buffer.from(configured, 'utf8'), secretGenerated: false };
}

function readKeyRing(read: EnvironmentReader, algorithm: AsymmetricAlgorithm): KeyRingSigning {
  const signingPem = read.raw('JWT_SIGNING_KEY');
  const signingKey = signingPem === undefined ? undefined : parseSigningKeyPem(signingPem, algorithm);
  if (signingKey === undefined) {
    read.problems.push(`JWT_SIGNING_KEY is required when JWT_ALGORITHM is ${algorithm} (a PEM private key)`);
  } else if ('problem' in signingKey) {
    read.fail('JWT_SIGNING_KEY', signingKey.problem, undefined);
  }

  const verificationPems = read.raw('JWT_VERIFICATION_KEYS');
  const verification = verificationPems === undefined ? undefined : parseVerificationKeyPems(verificationPems);
  for (const problem of verification?.problems ?? []) read.fail('JWT_VERIFICATION_KEYS', problem, undefined);

  return {
    algorithm,
    // Not a key only when a problem was recorded: loadAppConfig then throws before anyone reads it.
    signingKey: signingKey as KeyObject,
    verificationKeys: verification?.keys ?? [],
  };
}

export interface MailConfig {
  /** smtp:// or smtps:// URL of the relay (credentials in it); unset: mail is written to the log instead. */
  readonly smtpUrl: string | undefined;
  /** The From header of every message, e.g. `Auth Service <no-reply@example.com>`. */
  readonly from: string;
  /** Base URL of the pages that take a mailed token (`/reset-password`, `/verify-email`), without a trailing slash. */
  readonly publicUrl: string;
}

export interface AccountTokensConfig {
  /** Refuse login (403 EMAIL_NOT_VERIFIED) until the account's email is verified. */
  readonly requireVerifiedEmail: boolean;
  /** A reset link grants the account: short, as OWASP's forgot-password cheat sheet advises. */
  readonly passwordResetTtlSeconds: number;
  /** Grants only "this address is mine": a day leaves time to open the mail. */
  readonly emailVerificationTtlSeconds: number;
}

const DEFAULT_MAIL_CONFIG: MailConfig = {
  smtpUrl: undefined,
  from: 'Auth Service <no-reply@localhost>',
  publicUrl: 'http://localhost:3000',
};

const DEFAULT_ACCOUNT_TOKENS_CONFIG: AccountTokensConfig = {
  requireVerifiedEmail: false,
  passwordResetTtlSeconds: 30 * 60,
  emailVerificationTtlSeconds: 24 * 3600,
};

function readMailConfig(read: EnvironmentReader): MailConfig {
  const publicUrl = read.url('PUBLIC_URL', ['http', 'https'], { required: false }) ?? DEFAULT_MAIL_CONFIG.publicUrl;
  return {
    smtpUrl: read.url('SMTP_URL', ['smtp', 'smtps'], { required: false }),
    from: read.string('MAIL_FROM', DEFAULT_MAIL_CONFIG.from),
    publicUrl: publicUrl.replace(/\/+$/, ''),
  };
}

function readAccountTokensConfig(read: EnvironmentReader): AccountTokensConfig {
  return {
    requireVerifiedEmail: read.boolean('REQUIRE_VERIFIED_EMAIL', DEFAULT_ACCOUNT_TOKENS_CONFIG.requireVerifiedEmail),
    passwordResetTtlSeconds: read.durationSeconds('PASSWORD_RESET_TTL', '30m', { min: 60, max: 24 * 3600 }),
    emailVerificationTtlSeconds: read.durationSeconds('EMAIL_VERIFICATION_TTL', '24h', { min: 60, max: 30 * 86400 }),
  };
}
