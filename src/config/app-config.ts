/** The typed configuration tree, built and validated once at boot from an environment record. */
import { KeyRingSigning, readAccessTokenSigning, SharedSecretSigning } from './access-token-signing-config';
import { AdminConfig, readAdminConfig } from './admin-config';
import { BruteForceConfig, readBruteForceConfig } from './brute-force-config';
import { ACCESS_TOKEN_ALGORITHMS, LOG_LEVELS, REFRESH_TRANSPORTS, VARIABLES } from './config-variables';
import { ConfigValidationError } from './config-validation.error';
import { readSecretFiles } from './secret-files';
import { AuditExportConfig, readAuditExportConfig } from './audit-config';
import { EnvironmentReader } from './environment-reader';
import { AccountTokensConfig, MailConfig, readAccountTokensConfig, readMailConfig } from './mail-config';
import { MfaConfig, readMfaConfig } from './mfa-config';
import { readSsoConfig, SsoConfig } from './sso-config';
import { readWebauthnConfig, WebauthnConfig } from './webauthn-config';
import { readPepper } from './secret-config';
import { readTracingConfig, TracingConfig } from './tracing-config';
import { readTrustProxy, TrustProxy } from './trust-proxy-config';
import { NODE_ENVIRONMENTS, NodeEnvironment } from './variable-declaration';

export { ACCESS_TOKEN_ALGORITHMS, LOG_LEVELS, NODE_ENVIRONMENTS, REFRESH_TRANSPORTS };
export type { AccountTokensConfig, KeyRingSigning, MailConfig, NodeEnvironment, SharedSecretSigning };

export type RefreshTransport = (typeof REFRESH_TRANSPORTS)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];
export type AccessTokenAlgorithm = (typeof ACCESS_TOKEN_ALGORITHMS)[number];

/** JWT_ACCESS_TTL's bounds, which the token-pair DTO documents. */
export const MIN_ACCESS_TTL_SECONDS: number = VARIABLES.JWT_ACCESS_TTL.min;
export const MAX_ACCESS_TTL_SECONDS: number = VARIABLES.JWT_ACCESS_TTL.max;

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
  /** Swagger UI at /docs and the document at /docs/openapi.json. */
  readonly servesDocs: boolean;
  /** Liveness fails for a while after the event loop stalled longer than this. */
  readonly livenessEventLoopLimitSeconds: number;
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
  /** PostgreSQL cancels a statement running longer; the client gives up on an unanswered one a second later. */
  readonly statementTimeoutSeconds: number;
}

export interface MetricsConfig {
  readonly enabled: boolean;
  /** 0: /metrics on the main listener; otherwise on this port alone. */
  readonly port: number;
}

/** Redis's settings beside its URL (redisUrl). */
export interface RedisConfig {
  /** A command unanswered after this fails; a connection silent for it while a command waits is remade. */
  readonly commandTimeoutSeconds: number;
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
  /** How often the revoked-session set is caught up from the table: the longest a lost announcement goes unnoticed. */
  readonly revocationResyncSeconds: number;
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
  readonly nodeEnv: NodeEnvironment;
  readonly logLevel: LogLevel;
  readonly http: HttpConfig;
  readonly database: DatabaseConfig;
  readonly redisUrl: string | undefined;
  readonly redis: RedisConfig;
  readonly metrics: MetricsConfig;
  readonly tracing: TracingConfig;
  readonly auditExport: AuditExportConfig;
  readonly accessToken: AccessTokenConfig;
  readonly session: SessionConfig;
  readonly password: PasswordConfig;
  readonly bruteForce: BruteForceConfig;
  readonly mail: MailConfig;
  readonly accountTokens: AccountTokensConfig;
  readonly mfa: MfaConfig;
  readonly webauthn: WebauthnConfig;
  readonly sso: SsoConfig;
  /** Set when ADMIN_EMAIL and ADMIN_PASSWORD are: the admin account to create if no user has the email. */
  readonly admin?: AdminConfig;

  constructor(sections: AppConfigSections) {
    this.nodeEnv = sections.nodeEnv;
    this.logLevel = sections.logLevel;
    this.http = sections.http;
    this.database = sections.database;
    this.redisUrl = sections.redisUrl;
    this.redis = sections.redis;
    this.metrics = sections.metrics;
    this.tracing = sections.tracing;
    this.auditExport = sections.auditExport;
    this.accessToken = sections.accessToken;
    this.session = sections.session;
    this.password = sections.password;
    this.bruteForce = sections.bruteForce;
    this.mail = sections.mail;
    this.accountTokens = sections.accountTokens;
    this.mfa = sections.mfa;
    this.webauthn = sections.webauthn;
    this.sso = sections.sso;
    this.admin = sections.admin;
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

/** Every section of the configuration: what AppConfig is built from. */
export type AppConfigSections = Omit<AppConfig, 'isProduction'>;

/** Builds the configuration from an environment, or throws one error that names every problem. */
export function loadAppConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const secretFiles = readSecretFiles(env);
  const read = new EnvironmentReader(env, secretFiles.values);
  read.problems.push(...secretFiles.problems);
  const nodeEnv = read.oneOf(VARIABLES.NODE_ENV);
  const production = nodeEnv === 'production';

  const port = read.integer(VARIABLES.PORT);
  const configuredServiceUrl = read.url(VARIABLES.SERVICE_URL);
  const http: HttpConfig = {
    host: read.text(VARIABLES.HOST),
    port,
    serviceUrl: (configuredServiceUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    serviceUrlConfigured: configuredServiceUrl !== undefined,
    trustProxy: readTrustProxy(read),
    corsOrigins: read.origins(VARIABLES.CORS_ORIGINS),
    bodyLimitBytes: read.sizeBytes(VARIABLES.BODY_LIMIT),
    servesDocs: read.boolean(VARIABLES.DOCS_ENABLED, nodeEnv),
    livenessEventLoopLimitSeconds: read.durationSeconds(VARIABLES.LIVENESS_EVENT_LOOP_LIMIT),
    timeouts: {
      requestSeconds: read.durationSeconds(VARIABLES.HTTP_REQUEST_TIMEOUT),
      keepAliveSeconds: read.durationSeconds(VARIABLES.HTTP_KEEP_ALIVE_TIMEOUT),
    },
    shutdown: {
      delaySeconds: read.durationSeconds(VARIABLES.SHUTDOWN_DELAY),
      graceSeconds: read.durationSeconds(VARIABLES.SHUTDOWN_GRACE),
    },
  };

  const database: DatabaseConfig = {
    url: read.url(VARIABLES.DATABASE_URL) ?? '',
    poolSize: read.integer(VARIABLES.DATABASE_POOL_SIZE),
    connectTimeoutSeconds: read.durationSeconds(VARIABLES.DATABASE_CONNECT_TIMEOUT),
    statementTimeoutSeconds: read.durationSeconds(VARIABLES.DATABASE_STATEMENT_TIMEOUT),
  };

  const redisUrl = read.url(VARIABLES.REDIS_URL);
  const redis: RedisConfig = {
    commandTimeoutSeconds: read.durationSeconds(VARIABLES.REDIS_COMMAND_TIMEOUT),
  };

  const accessToken: AccessTokenConfig = {
    signing: readAccessTokenSigning(read, nodeEnv),
    ttlSeconds: read.durationSeconds(VARIABLES.JWT_ACCESS_TTL),
    // RFC 9068 section 2.2: iss identifies the issuer, as a URL; resource servers pin it.
    issuer: read.url(VARIABLES.JWT_ISSUER) ?? http.serviceUrl,
    audience: read.text(VARIABLES.JWT_AUDIENCE),
    clientId: read.text(VARIABLES.JWT_CLIENT_ID),
  };

  const session: SessionConfig = {
    idleTtlSeconds: read.durationSeconds(VARIABLES.REFRESH_TTL),
    maxAgeSeconds: read.durationSeconds(VARIABLES.SESSION_MAX_AGE),
    reuseGraceSeconds: read.durationSeconds(VARIABLES.REFRESH_REUSE_GRACE),
    refreshTransport: read.oneOf(VARIABLES.REFRESH_TRANSPORT),
    purgeRetentionSeconds: read.durationSeconds(VARIABLES.SESSION_PURGE_RETENTION),
    revocationResyncSeconds: read.durationSeconds(VARIABLES.REVOCATION_RESYNC_INTERVAL),
  };
  // Instances reload revocations from the sessions table for one access-token lifetime (plus skew).
  if (session.purgeRetentionSeconds <= accessToken.ttlSeconds + 60) {
    read.problems.push('SESSION_PURGE_RETENTION must be longer than JWT_ACCESS_TTL plus one minute');
  }

  const password: PasswordConfig = {
    bcryptCost: read.integer(VARIABLES.BCRYPT_COST),
    minLength: read.integer(VARIABLES.PASSWORD_MIN_LENGTH),
    pepper: readPepper(read, production),
  };

  // Read in this order so that problems are listed in it.
  const config = new AppConfig({
    nodeEnv,
    http,
    database,
    redisUrl,
    redis,
    metrics: { enabled: read.boolean(VARIABLES.METRICS_ENABLED), port: read.integer(VARIABLES.METRICS_PORT) },
    tracing: readTracingConfig(read),
    accessToken,
    session,
    password,
    logLevel: read.oneOf(VARIABLES.LOG_LEVEL, nodeEnv),
    bruteForce: readBruteForceConfig(read),
    auditExport: readAuditExportConfig(read, production),
    mail: readMailConfig(read),
    accountTokens: readAccountTokensConfig(read),
    mfa: readMfaConfig(read, production),
    webauthn: readWebauthnConfig(read),
    sso: readSsoConfig(read, production),
    admin: readAdminConfig(read, password.minLength, production),
  });

  if (read.problems.length > 0) throw new ConfigValidationError(read.problems);
  return config;
}
