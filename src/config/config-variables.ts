/**
 * Every environment variable the service reads, declared once: kind, default, bounds, description
 * and whether it is secret. The readers take these declarations, never names; .env.example is
 * checked against them (env-example.spec.ts). Rules that tie variables together stay in the readers.
 */
import { ASYMMETRIC_ALGORITHMS } from './pem-keys';
import {
  boolean,
  declareVariables,
  duration,
  integer,
  NODE_ENVIRONMENTS,
  oneOf,
  optionalText,
  origins,
  pem,
  secret,
  size,
  text,
  trustProxy,
  url,
} from './variable-declaration';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const REFRESH_TRANSPORTS = ['body', 'cookie', 'both'] as const;
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export const ACCESS_TOKEN_ALGORITHMS = ['HS256', ...ASYMMETRIC_ALGORITHMS] as const;

const DAY = 86400;

export const VARIABLES = declareVariables({
  NODE_ENV: oneOf({
    values: NODE_ENVIRONMENTS,
    default: 'development',
    description: 'production requires real secrets, refuses weak ones and hides internals',
    secret: false,
  }),
  LOG_LEVEL: oneOf({
    values: LOG_LEVELS,
    default: 'info',
    defaultUnder: { test: 'warn' },
    description: 'Lowest level of the JSON log lines written to stdout',
    secret: false,
  }),

  // HTTP listener
  HOST: text({ default: '0.0.0.0', description: 'Address the HTTP listener binds', secret: false }),
  PORT: integer({ default: 3000, min: 0, max: 65535, description: 'Port the HTTP listener binds', secret: false }),
  SERVICE_URL: url({
    schemes: ['http', 'https'],
    unset: 'http://localhost:PORT',
    description: 'Where clients reach this service, the same on every instance: the default token issuer',
    secret: false,
  }),
  TRUST_PROXY: trustProxy({
    default: 'false',
    // More proxies than this in front of one service is a misconfiguration, not a topology.
    maxHops: 20,
    description:
      'Which X-Forwarded-For entries decide the client address: false, true, a hop count, or proxy addresses',
    secret: false,
  }),
  CORS_ORIGINS: origins({
    unset: 'no cross-origin access',
    description: 'Browser origins allowed to call the API, comma-separated',
    secret: false,
  }),
  BODY_LIMIT: size({
    default: '64kb',
    min: 1024,
    max: 10 * 1024 * 1024,
    description: 'Largest request body accepted; credential payloads are tiny',
    secret: false,
  }),
  HTTP_REQUEST_TIMEOUT: duration({
    default: '30s',
    min: 1,
    max: 600,
    description: 'A request, headers and body, must arrive within this or gets 408',
    secret: false,
  }),
  HTTP_KEEP_ALIVE_TIMEOUT: duration({
    default: '72s',
    min: 1,
    max: 600,
    description: 'An idle keep-alive connection is closed after this; longer than the load balancer idle timeout',
    secret: false,
  }),
  SHUTDOWN_DELAY: duration({
    default: '0s',
    min: 0,
    max: 120,
    description: 'After SIGTERM, how long the instance keeps serving while reporting not ready',
    secret: false,
  }),
  LIVENESS_EVENT_LOOP_LIMIT: duration({
    default: '5s',
    min: 1,
    max: 120,
    description: 'Liveness answers 503 for a few seconds after the event loop stalled longer than this',
    secret: false,
  }),
  METRICS_ENABLED: boolean({
    default: true,
    description: 'Serve Prometheus metrics at /metrics (on METRICS_PORT when it is set)',
    secret: false,
  }),
  METRICS_PORT: integer({
    default: 0,
    min: 0,
    max: 65535,
    description: 'A listener of its own for /metrics, kept off the ingress; 0: /metrics on the main port',
    secret: false,
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: url({
    schemes: ['http', 'https'],
    unset: 'no traces: the OpenTelemetry SDK is not even loaded',
    description: 'OpenTelemetry collector (its OTLP/HTTP base, port 4318): traces of HTTP, PostgreSQL and Redis',
    secret: false,
  }),
  OTEL_EXPORTER_OTLP_PROTOCOL: oneOf({
    values: OTLP_PROTOCOLS,
    default: 'http/protobuf',
    description: 'How spans are encoded on their way to OTEL_EXPORTER_OTLP_ENDPOINT',
    secret: false,
  }),
  OTEL_EXPORTER_OTLP_HEADERS: optionalText({
    unset: 'no headers',
    description: 'Headers on every export, key=value pairs separated by commas (a vendor API key, say)',
    secret: true,
  }),
  OTEL_SERVICE_NAME: text({
    default: 'auth-service',
    description: "The traces' service.name",
    secret: false,
  }),
  SHUTDOWN_GRACE: duration({
    default: '10s',
    min: 1,
    max: 300,
    description: 'Then how long in-flight requests get before the process exits anyway',
    secret: false,
  }),
  DOCS_ENABLED: boolean({
    default: true,
    defaultUnder: { production: false },
    description: 'Serve Swagger UI at /docs and the OpenAPI document at /docs/openapi.json (off in production)',
    secret: false,
  }),

  // Stores
  DATABASE_URL: url({
    schemes: ['postgres', 'postgresql'],
    required: { hint: '`npm start` and `npm test` provide an embedded PostgreSQL when it is unset' },
    description: 'PostgreSQL connection URL (its password included)',
    secret: true,
  }),
  DATABASE_POOL_SIZE: integer({
    default: 10,
    min: 1,
    max: 200,
    description: 'Connections per instance',
    secret: false,
  }),
  DATABASE_CONNECT_TIMEOUT: duration({
    default: '5s',
    min: 1,
    max: 60,
    description: 'A query that cannot get a connection within this answers 503 instead of queueing',
    secret: false,
  }),
  DATABASE_STATEMENT_TIMEOUT: duration({
    default: '10s',
    min: 1,
    max: 600,
    description: 'A statement still running (or unanswered) after this is cancelled and the request answers 503',
    secret: false,
  }),
  REDIS_URL: url({
    schemes: ['redis', 'rediss'],
    unset: 'in-process stores (one instance only)',
    description: 'Redis shared by all instances: rate limits, lockout, revocations (its password included)',
    secret: true,
  }),
  REDIS_COMMAND_TIMEOUT: duration({
    default: '1s',
    min: 1,
    max: 60,
    description: 'A Redis command unanswered after this fails, and a connection silent that long is dropped and remade',
    secret: false,
  }),

  // Access tokens
  JWT_ALGORITHM: oneOf({
    values: ACCESS_TOKEN_ALGORITHMS,
    default: 'HS256',
    description: 'HS256 signs with JWT_ACCESS_SECRET; RS256 and EdDSA with a key ring published as a JWKS',
    secret: false,
  }),
  JWT_ACCESS_SECRET: secret({
    // HMAC keys shorter than the hash output weaken HS256 (RFC 7518 section 3.2).
    minBytes: 32,
    unset: 'a random secret per process (tokens do not survive a restart); required in production with HS256',
    description: 'HS256 signing secret of access tokens',
    secret: true,
  }),
  JWT_SIGNING_KEY: pem({
    unset: 'required with RS256 and EdDSA',
    description: 'PEM private key that signs new tokens: RSA of at least 2048 bits, or Ed25519',
    secret: true,
  }),
  JWT_VERIFICATION_KEYS: pem({
    unset: 'only the signing key',
    // Private keys are accepted here (their public half is taken), so the value may hold one.
    description: 'PEM keys also accepted and published: the previous key after a rotation, or the next one',
    secret: true,
  }),
  JWT_ACCESS_TTL: duration({
    default: '15m',
    // Under 30 s clients refresh more than they call; over a day a stolen token lives too long.
    min: 30,
    max: DAY,
    description: 'Access-token lifetime: revocation lists are kept this long',
    secret: false,
  }),
  JWT_ISSUER: url({
    schemes: ['http', 'https'],
    unset: 'SERVICE_URL',
    description: 'The iss claim (RFC 9068: a URL) every token carries and every check demands',
    secret: false,
  }),
  JWT_AUDIENCE: text({ default: 'auth-service', description: 'The aud claim of every token', secret: false }),
  JWT_CLIENT_ID: text({
    default: 'auth-service',
    description: 'The client_id claim: the application tokens are issued to',
    secret: false,
  }),

  // Sessions
  REFRESH_TTL: duration({
    default: '7d',
    min: 60,
    max: 365 * DAY,
    description: 'Idle limit: a session unused this long ends',
    secret: false,
  }),
  SESSION_MAX_AGE: duration({
    default: '30d',
    min: 60,
    max: 365 * DAY,
    description: 'Absolute limit rotation never extends a session past',
    secret: false,
  }),
  REFRESH_REUSE_GRACE: duration({
    default: '0s',
    min: 0,
    // Minutes would let a stolen predecessor ride along with the owner; SuperTokens uses 30 s.
    max: 300,
    description: 'For racing tabs: how long a just-rotated refresh token still gets the new pair (0s: off)',
    secret: false,
  }),
  REFRESH_TRANSPORT: oneOf({
    values: REFRESH_TRANSPORTS,
    default: 'body',
    description: 'Where refresh tokens travel: the JSON body, an HttpOnly cookie, or both',
    secret: false,
  }),
  REVOCATION_RESYNC_INTERVAL: duration({
    default: '30s',
    min: 1,
    // Longer lets a revocation lost in transit outlive many requests; shorter only adds queries.
    max: 600,
    description: 'How often each instance catches its revoked-session set up from the table',
    secret: false,
  }),
  SESSION_PURGE_RETENTION: duration({
    default: '7d',
    min: 3600,
    max: 3650 * DAY,
    description: 'How long an ended session is kept for history and reuse detection before the purge',
    secret: false,
  }),

  // Passwords
  BCRYPT_COST: integer({
    default: 12,
    // 12 costs ~300 ms a hash here; OWASP's floor is 10, tests go down to 4.
    min: 4,
    max: 15,
    description: 'bcrypt work factor',
    secret: false,
  }),
  PASSWORD_MIN_LENGTH: integer({
    default: 8,
    // NIST SP 800-63B: at least 8; above 128 nothing could pass the maximum length.
    min: 8,
    max: 128,
    description: 'Fewest characters a new password may have',
    secret: false,
  }),
  PASSWORD_PEPPER: secret({
    minBytes: 32,
    unset: 'required in production',
    // Public on purpose: it only keeps development data stable; production must set PASSWORD_PEPPER.
    defaultOutsideProduction: 'auth-service/password-prehash/v1',
    description: 'HMAC key of the password pre-hash; set once: every stored password depends on it',
    secret: true,
  }),
  ADMIN_EMAIL: optionalText({
    unset: 'no admin account is created',
    description: 'With ADMIN_PASSWORD: the admin account created at boot when no user has the email',
    secret: false,
  }),
  ADMIN_PASSWORD: optionalText({
    unset: 'no admin account is created',
    description: "The admin account's password; must pass the password policy",
    secret: true,
  }),

  // Second factors
  MFA_ENCRYPTION_KEY: secret({
    minBytes: 32,
    unset: 'required in production',
    // Public on purpose: it only keeps development data readable; production must set its own.
    defaultOutsideProduction: 'ZGV2ZWxvcG1lbnQtb25seS1tZmEta2V5LTMyLWJ5dGU=',
    description: 'AES-256-GCM key of the TOTP secrets at rest: 32 bytes, base64 or hex',
    secret: true,
  }),
  MFA_ENCRYPTION_PREVIOUS_KEYS: optionalText({
    unset: 'no earlier key: every secret is under MFA_ENCRYPTION_KEY',
    description: 'Earlier MFA_ENCRYPTION_KEYs, comma-separated: still decrypt, and secrets move to the new key on use',
    secret: true,
  }),
  MFA_REQUIRED_ROLES: optionalText({
    unset: 'no role must have a second factor',
    description:
      'Roles (USER, ADMIN), comma-separated, whose accounts must set up a second factor before anything else',
    secret: false,
  }),
  MFA_ISSUER: text({
    default: 'Auth Service',
    description: 'The issuer authenticator apps show beside the account',
    secret: false,
  }),
  MFA_STEP_UP_MAX_AGE: duration({
    default: '15m',
    min: 60,
    max: DAY,
    description: 'A route needing a second factor accepts a token whose second factor is at most this old',
    secret: false,
  }),

  // Passkeys (WebAuthn)
  WEBAUTHN_RP_ID: optionalText({
    unset: 'the host of PUBLIC_URL',
    description:
      'The relying party ID passkeys are bound to: a domain, the host of every WEBAUTHN_ORIGINS entry or its parent',
    secret: false,
  }),
  WEBAUTHN_RP_NAME: text({
    default: 'Auth Service',
    description: 'The name browsers show when a passkey is created',
    secret: false,
  }),
  WEBAUTHN_ORIGINS: origins({
    unset: 'the origin of PUBLIC_URL',
    description: 'The web origins passkey ceremonies may come from, comma-separated; any other is refused',
    secret: false,
  }),

  // Single sign-on
  SSO_PROVIDERS: optionalText({
    unset: 'no single sign-on',
    description:
      'Identity providers, a JSON array of {name, type?, issuer, clientId, clientSecret | privateKeyJwk, scopes?, emailDomains?, displayName?, trustSecondFactor?}',
    secret: true,
  }),
  SSO_REDIRECT_URIS: optionalText({
    unset: 'no app may receive a single sign-on result',
    description: 'The app URIs a single sign-on may return to (exact match), comma-separated',
    secret: false,
  }),

  // Brute-force defence
  THROTTLE_AUTH_LIMIT: integer({
    default: 10,
    min: 1,
    max: 1_000_000,
    description: 'Requests per window one client address may make to one credential route',
    secret: false,
  }),
  THROTTLE_AUTH_TTL: duration({
    default: '60s',
    min: 1,
    max: DAY,
    description: 'The window of THROTTLE_AUTH_LIMIT',
    secret: false,
  }),
  THROTTLE_ON_REDIS_FAILURE: oneOf({
    values: ['open', 'closed'],
    default: 'open',
    description: 'While Redis does not answer, credential routes skip the rate limit (open) or answer 503 (closed)',
    secret: false,
  }),
  LOCKOUT_THRESHOLD: integer({
    default: 10,
    min: 1,
    max: 1_000_000,
    description: 'Failed logins of one email from one address before that pair is locked',
    secret: false,
  }),
  ACCOUNT_FAILURE_LIMIT: integer({
    default: 100,
    min: 1,
    max: 1_000_000,
    description: 'Failed logins of one email per hour, from all addresses, before the email is locked',
    secret: false,
  }),
  LOCKOUT_DURATION: duration({
    default: '15m',
    min: 1,
    max: DAY,
    description: 'How long a pair, an email or a password change stays locked',
    secret: false,
  }),
  REDIS_KEY_PREFIX: text({
    default: 'auth:',
    description:
      'Prefix of every Redis key and channel (rate limits, lockouts, revocations), so deployments can share one Redis',
    secret: false,
  }),

  // Audit export
  AUDIT_EXPORT: oneOf({
    values: ['off', 'stdout', 'webhook'],
    default: 'off',
    description: 'Also stream each committed audit event: as a JSON line on stdout, or to AUDIT_WEBHOOK_URL',
    secret: false,
  }),
  AUDIT_WEBHOOK_URL: url({
    schemes: ['http', 'https'],
    unset: 'required with AUDIT_EXPORT=webhook',
    description: 'Where audit events are POSTed in batches, signed, retried until accepted',
    secret: true,
  }),
  AUDIT_WEBHOOK_SECRET: secret({
    minBytes: 32,
    unset: 'required with AUDIT_EXPORT=webhook',
    description: 'HMAC-SHA256 key of the X-Audit-Signature header the receiver checks',
    secret: true,
  }),

  // Mail and mailed tokens
  SMTP_URL: url({
    schemes: ['smtp', 'smtps'],
    unset: 'mail is written to the log instead',
    description: 'SMTP relay (its credentials included)',
    secret: true,
  }),
  MAIL_FROM: text({
    default: 'Auth Service <no-reply@localhost>',
    description: 'The From header of every message',
    secret: false,
  }),
  PUBLIC_URL: url({
    schemes: ['http', 'https'],
    default: 'http://localhost:3000',
    description: 'Base URL of the web pages that take a mailed token (/reset-password, /verify-email)',
    secret: false,
  }),
  ACCOUNT_PAGES_ENABLED: boolean({
    default: true,
    description:
      'Serve the pages the mailed links open (/reset-password, /verify-email); false when the web app at PUBLIC_URL does',
    secret: false,
  }),
  PASSWORD_RESET_TTL: duration({
    default: '30m',
    // A reset link grants the account: short, as OWASP's forgot-password cheat sheet advises.
    min: 60,
    max: DAY,
    description: 'Lifetime of a mailed password-reset link',
    secret: false,
  }),
  EMAIL_VERIFICATION_TTL: duration({
    default: '24h',
    // Grants only "this address is mine": a day leaves time to open the mail.
    min: 60,
    max: 30 * DAY,
    description: 'Lifetime of a mailed email-verification link',
    secret: false,
  }),
  REQUIRE_VERIFIED_EMAIL: boolean({
    default: false,
    description: 'Refuse login (403 EMAIL_NOT_VERIFIED) until the account email is verified',
    secret: false,
  }),
});
