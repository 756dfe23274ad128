import { Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import { API_PREFIX } from '../common/http/http-constants';
import { emailAddressProblem, normalizeEmail } from '../common/validation/email-address';
import { AppConfig } from '../config/app-config';
import { GITHUB_ENDPOINTS, type SsoProviderConfig } from '../config/sso-config';
import type { SsoCode } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { MAX_NAME_LENGTH } from '../users/dto/user-name-field.decorator';
import { GithubEmail, githubClaimsOf, GithubUser } from './github-profile';
import { type ClaimsSource, OidcFlow, type VerifiedClaims } from './oidc-strategy';
import { SsoProviders } from './sso-providers';
import { SsoRepository } from './sso.repository';

/** Ten minutes to sign in at the provider; sixty seconds for the app to exchange its code (API.md). */
const STATE_TTL_MS = 10 * 60 * 1000;
const CODE_TTL_MS = 60 * 1000;

/** The `error` a callback redirects the app with: stable codes an app can switch on. */
export type SsoRedirectError =
  | 'SSO_PROVIDER_ERROR'
  | 'SSO_VALIDATION_FAILED'
  | 'SSO_PROVIDER_MISMATCH'
  | 'SSO_EMAIL_MISSING'
  | 'SSO_PROVIDER_UNAVAILABLE';

/** What a verified callback established, as the exchange reads it. */
export type VerifiedSignIn = Omit<SsoCode, 'id' | 'codeHash' | 'expiresAt' | 'createdAt'>;

// RFC 8176 methods and the acr values (PAPE, Entra, Okta) that say the provider checked a second factor.
const SECOND_FACTOR_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sms', 'fido', 'pop']);
const SECOND_FACTOR_ACR = /multi-factor|mfa|phr|phrh|possession/i;

const sha256 = (value: string) => new Uint8Array(createHash('sha256').update(value, 'utf8').digest());

/**
 * The redirect half of single sign-on, on openid-client's Passport strategy: the start (state, nonce and
 * PKCE S256 kept in the database, single use), and the callback, verified as a relying party must, that
 * ends in a redirect to the app with a one-time code or an error. Accounts are the exchange's business.
 */
@Injectable()
export class SsoFlowService {
  private readonly flows = new Map<string, { readonly configuration: oidc.Configuration; readonly flow: OidcFlow }>();

  constructor(
    private readonly providers: SsoProviders,
    private readonly flowsInFlight: SsoRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** The redirect_uri as given, if the allow-list has it exactly; INVALID_REDIRECT_URI otherwise. */
  allowedRedirectUri(redirectUri: string | undefined): string {
    if (redirectUri === undefined || !this.config.sso.redirectUris.includes(redirectUri)) {
      throw new DomainError('INVALID_REDIRECT_URI', 'redirect_uri must be one of SSO_REDIRECT_URIS, exactly');
    }
    return redirectUri;
  }

  /** The provider's authorization URL for a new flow; `linkUserId` binds it to a signed-in user (linking). */
  async start(providerName: string, redirectUri: string, linkUserId?: string): Promise<string> {
    const provider = this.providers.named(providerName);
    const allowed = this.allowedRedirectUri(redirectUri);
    const flow = await this.flowOf(provider);
    const state = oidc.randomState();
    const { url, secrets } = await flow.start(state, provider.type === 'oidc' ? oidc.randomNonce() : undefined);
    await this.flowsInFlight.insertState({
      stateHash: sha256(state),
      provider: provider.name,
      nonce: secrets.nonce ?? null,
      codeVerifier: secrets.code_verifier,
      redirectUri: allowed,
      linkUserId: linkUserId ?? null,
      expiresAt: new Date(Date.now() + STATE_TTL_MS),
    });
    return url;
  }

  /**
   * Verifies the provider's callback and answers where to send the browser: the app's redirect_uri with
   * `code` (one-time, 60 s) or with `error`. A state that is missing, unknown, used or expired cannot
   * name an app to go back to: that is INVALID_SSO_STATE, answered as problem details.
   */
  async callback(providerName: string, query: URLSearchParams, client: ClientInfo): Promise<string> {
    const state = query.get('state');
    const started = state ? await this.flowsInFlight.consumeState(sha256(state), new Date()) : undefined;
    if (!state || !started) {
      await this.refused(providerName, 'INVALID_SSO_STATE', 'missing, unknown, used or expired state', client);
      throw new DomainError('INVALID_SSO_STATE', 'This sign-in is unknown, used or expired: start it again');
    }
    const back = (parameters: Record<string, string>) => {
      const target = new URL(started.redirectUri);
      for (const [key, value] of Object.entries(parameters)) target.searchParams.set(key, value);
      return target.href;
    };
    const fail = async (error: SsoRedirectError, reason: string) => {
      await this.refused(providerName, error, reason, client, started.linkUserId);
      return back({ error });
    };
    // A callback at one provider's endpoint for a flow started at another: a mix-up, never followed.
    if (started.provider !== providerName) return fail('SSO_PROVIDER_MISMATCH', `state of ${started.provider}`);
    const provider = this.providers.named(providerName);
    const providerError = query.get('error');
    if (providerError !== null)
      return fail('SSO_PROVIDER_ERROR', `the provider answered ${providerError.slice(0, 64)}`);

    let flow: OidcFlow;
    try {
      flow = await this.flowOf(provider);
    } catch {
      return fail('SSO_PROVIDER_UNAVAILABLE', 'discovery failed');
    }
    const secrets = { state, nonce: started.nonce ?? undefined, code_verifier: started.codeVerifier };
    const outcome = await flow.callback(query, secrets);
    if (outcome.kind === 'fail') return fail('SSO_PROVIDER_ERROR', outcome.reason);
    if (outcome.kind === 'error') return fail(errorOf(outcome.error), outcome.error.message.slice(0, 200));
    if (outcome.kind !== 'success') return fail('SSO_VALIDATION_FAILED', 'no claims');
    const { claims } = outcome;
    const email = typeof claims.email === 'string' ? normalizeEmail(claims.email) : undefined;
    if (!email) return fail('SSO_EMAIL_MISSING', 'the provider gave no email');
    // Held to the rules of a registration's email: the provider's address becomes an account's.
    const emailProblem = emailAddressProblem(email);
    if (emailProblem) return fail('SSO_EMAIL_MISSING', `the provider's email is not usable: ${emailProblem}`);

    const code = randomBytes(32).toString('base64url');
    await this.flowsInFlight.insertCode({
      codeHash: sha256(code),
      provider: provider.name,
      subject: claims.sub,
      email,
      emailVerified: claims.email_verified === true,
      name: displayNameOf(claims.name),
      secondFactor: provider.trustSecondFactor && assertsSecondFactor(claims),
      linkUserId: started.linkUserId,
      expiresAt: new Date(Date.now() + CODE_TTL_MS),
    });
    return back({ code });
  }

  /** Uses an app's code up in the exchange's transaction; undefined when it is unknown, used or expired. */
  async consumeCode(transaction: Transaction, code: string): Promise<VerifiedSignIn | undefined> {
    return this.flowsInFlight.consumeCode(transaction, sha256(code), new Date());
  }

  private async flowOf(provider: SsoProviderConfig): Promise<OidcFlow> {
    const configuration = await this.providers.configurationOf(provider);
    const cached = this.flows.get(provider.name);
    if (cached?.configuration === configuration) return cached.flow;
    const callbackUrl = new URL(`${this.config.http.serviceUrl}/${API_PREFIX}/auth/sso/${provider.name}/callback`);
    const flow = new OidcFlow(configuration, callbackUrl, provider.scopes, claimsSourceOf(provider, configuration));
    this.flows.set(provider.name, { configuration, flow });
    return flow;
  }

  private refused(
    provider: string,
    error: string,
    reason: string,
    client: ClientInfo,
    subjectId?: string | null,
  ): Promise<void> {
    return this.audit.recordAlone({
      type: 'SSO_LOGIN_FAILED',
      subjectId: subjectId ?? null,
      origin: client,
      details: { provider: provider.slice(0, 64), error, reason },
    });
  }
}

/** The provider's name for the user as an account name: printable, within the account's bound. */
function displayNameOf(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const printable = name
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
  return printable === '' ? null : printable;
}

/** The ID token's claims (OpenID Connect), the userinfo endpoint's (plain OAuth 2.0), or GitHub's REST API. */
function claimsSourceOf(provider: SsoProviderConfig, configuration: oidc.Configuration): ClaimsSource {
  if (provider.type === 'oidc') return (tokens) => Promise.resolve(tokens.claims() as VerifiedClaims | undefined);
  if (provider.type === 'oauth2') {
    return async (tokens) => await oidc.fetchUserInfo(configuration, tokens.access_token, oidc.skipSubjectCheck);
  }
  const endpoint = provider.endpoints?.userinfo ?? GITHUB_ENDPOINTS.userinfo;
  return async (tokens) => {
    const get = async <T>(url: string): Promise<T> => {
      const response = await oidc.fetchProtectedResource(configuration, tokens.access_token, new URL(url), 'GET');
      if (!response.ok) throw new Error(`GitHub answered ${response.status} for ${url}`);
      return (await response.json()) as T;
    };
    const [user, emails] = await Promise.all([get<GithubUser>(endpoint), get<GithubEmail[]>(`${endpoint}/emails`)]);
    return githubClaimsOf(user, emails);
  };
}

function assertsSecondFactor(claims: VerifiedClaims): boolean {
  const amr: readonly unknown[] = Array.isArray(claims.amr) ? claims.amr : [];
  return (
    amr.some((method) => typeof method === 'string' && SECOND_FACTOR_AMR.has(method)) ||
    (typeof claims.acr === 'string' && SECOND_FACTOR_ACR.test(claims.acr))
  );
}

/** A provider that cannot be reached is not a forged callback: the app may offer to try again. */
function errorOf(error: Error): SsoRedirectError {
  if (error instanceof oidc.AuthorizationResponseError) return 'SSO_PROVIDER_ERROR';
  const cause = (error as { cause?: unknown }).cause;
  const network =
    error.name === 'TypeError' ||
    error.name === 'TimeoutError' ||
    (cause instanceof Error && /fetch|ECONN|timeout/i.test(cause.message));
  return network ? 'SSO_PROVIDER_UNAVAILABLE' : 'SSO_VALIDATION_FAILED';
}
