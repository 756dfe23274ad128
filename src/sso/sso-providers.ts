import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { importJWK } from 'jose';
import * as oidc from 'openid-client';
import { DomainError } from '../common/errors/domain.error';
import { AppConfig } from '../config/app-config';
import type { OAuthEndpoints, SsoProviderConfig } from '../config/sso-config';

const DISCOVERY_TIMEOUT_SECONDS = 5;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 5 * 60 * 1000;

interface Discovered {
  readonly configuration?: oidc.Configuration;
  readonly error?: string;
  readonly retry?: NodeJS.Timeout;
  readonly attempt: number;
}

/**
 * The configured identity providers and their discovered metadata (issuer, endpoints, JWKS URI) through
 * openid-client. Discovery runs at boot without holding it up; a provider that fails is logged, retried
 * with backoff up to every five minutes, tried again on use, and answered 503 while unreachable.
 */
@Injectable()
export class SsoProviders implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SsoProviders.name);
  private readonly discovered = new Map<string, Discovered>();
  private readonly inFlight = new Map<string, Promise<oidc.Configuration | undefined>>();
  private stopped = false;

  constructor(private readonly config: AppConfig) {}

  get all(): readonly SsoProviderConfig[] {
    return this.config.sso.providers;
  }

  onApplicationBootstrap(): void {
    for (const provider of this.all.filter((candidate) => candidate.type === 'oidc')) void this.discover(provider);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const { retry } of this.discovered.values()) clearTimeout(retry);
  }

  /** The provider of this name; NOT_FOUND when none is configured. */
  named(name: string): SsoProviderConfig {
    const provider = this.all.find((candidate) => candidate.name === name);
    if (!provider) throw new DomainError('NOT_FOUND', 'No single sign-on provider of this name');
    return provider;
  }

  /** The provider whose email domains include the email's, if any (home-realm discovery). */
  forEmail(email: string): SsoProviderConfig | undefined {
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    return this.all.find((provider) => provider.emailDomains.includes(domain));
  }

  /** Discovery problems by provider, for readiness details: empty when every provider answered. */
  problems(): Record<string, string> {
    return Object.fromEntries(
      [...this.discovered.entries()].flatMap(([name, state]) => (state.error ? [[name, state.error]] : [])),
    );
  }

  /** The provider's discovered configuration; SERVICE_UNAVAILABLE while its discovery fails. */
  async configurationOf(provider: SsoProviderConfig): Promise<oidc.Configuration> {
    if (provider.endpoints) return this.configuredServer(provider, provider.endpoints);
    const configuration = this.discovered.get(provider.name)?.configuration ?? (await this.discover(provider));
    if (!configuration) {
      throw new DomainError(
        'SERVICE_UNAVAILABLE',
        `The identity provider ${provider.name} cannot be reached; try again later`,
      );
    }
    return configuration;
  }

  /** A plain OAuth 2.0 server is not discovered: its endpoints are configured. */
  private async configuredServer(provider: SsoProviderConfig, endpoints: OAuthEndpoints): Promise<oidc.Configuration> {
    const cached = this.discovered.get(provider.name)?.configuration;
    if (cached) return cached;
    const configuration = new oidc.Configuration(
      {
        issuer: provider.issuer,
        authorization_endpoint: endpoints.authorization,
        token_endpoint: endpoints.token,
        userinfo_endpoint: endpoints.userinfo,
        // PKCE S256 is always sent; saying so keeps the strategy from choosing a state of its own.
        code_challenge_methods_supported: ['S256'],
      },
      provider.clientId,
      undefined,
      await clientAuthenticationOf(provider),
    );
    configuration.timeout = DISCOVERY_TIMEOUT_SECONDS;
    if (new URL(endpoints.token).protocol === 'http:') oidc.allowInsecureRequests(configuration);
    this.discovered.set(provider.name, { configuration, attempt: 0 });
    return configuration;
  }

  private discover(provider: SsoProviderConfig): Promise<oidc.Configuration | undefined> {
    const running = this.inFlight.get(provider.name);
    if (running) return running;
    const attempt = this.attemptDiscovery(provider).finally(() => this.inFlight.delete(provider.name));
    this.inFlight.set(provider.name, attempt);
    return attempt;
  }

  private async attemptDiscovery(provider: SsoProviderConfig): Promise<oidc.Configuration | undefined> {
    const previous = this.discovered.get(provider.name);
    clearTimeout(previous?.retry);
    try {
      const issuer = new URL(provider.issuer);
      const configuration = await oidc.discovery(
        issuer,
        provider.clientId,
        undefined,
        await clientAuthenticationOf(provider),
        {
          timeout: DISCOVERY_TIMEOUT_SECONDS,
          // Only outside production (sso-config allows http issuers nowhere else): a local provider.
          ...(issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      );
      if (previous?.error)
        this.logger.log(`Identity provider ${provider.name} discovered after ${previous.attempt} failed attempt(s)`);
      this.discovered.set(provider.name, { configuration, attempt: 0 });
      return configuration;
    } catch (error) {
      const attempt = (previous?.attempt ?? 0) + 1;
      const delay = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LAST_RETRY_MS);
      const message = `discovery of ${provider.issuer} failed: ${(error as Error).message}`;
      this.logger.warn(`Identity provider ${provider.name}: ${message}; retrying in ${Math.round(delay / 1000)} s`);
      const retry = this.stopped ? undefined : setTimeout(() => void this.discover(provider), delay);
      retry?.unref();
      this.discovered.set(provider.name, { error: message, retry, attempt });
      return undefined;
    }
  }
}

async function clientAuthenticationOf(provider: SsoProviderConfig): Promise<oidc.ClientAuth> {
  const authentication = provider.clientAuthentication;
  switch (authentication.method) {
    case 'client_secret_basic':
      return oidc.ClientSecretBasic(authentication.secret);
    case 'client_secret_post':
      return oidc.ClientSecretPost(authentication.secret);
    case 'private_key_jwt': {
      const jwk = authentication.privateKeyJwk as Parameters<typeof importJWK>[0];
      const key = (await importJWK(jwk, jwk.alg ?? 'RS256')) as oidc.CryptoKey;
      return oidc.PrivateKeyJwt({ key, kid: typeof jwk.kid === 'string' ? jwk.kid : undefined });
    }
  }
}
