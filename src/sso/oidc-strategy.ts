import type { Request } from 'express';
import type * as oidc from 'openid-client';
import { type AuthenticateOptions, Strategy } from 'openid-client/passport';
import type { StrategyCreated, StrategyCreatedStatic } from 'passport';

/** What the strategy keeps between the redirect and the callback (openid-client's state data). */
export interface FlowSecrets {
  readonly state: string;
  /** Only with OpenID Connect: a plain OAuth 2.0 provider issues no ID token to carry it. */
  readonly nonce?: string;
  readonly code_verifier: string;
}

/** The claims of a verified ID token that this service uses. */
export interface VerifiedClaims {
  readonly sub: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly name?: string;
  readonly amr?: readonly string[];
  readonly acr?: string;
}

export type StrategyOutcome =
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'success'; readonly claims: VerifiedClaims }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'error'; readonly error: Error };

const SESSION_KEY = 'sso';

/**
 * The request a Passport strategy reads, made by this service rather than by Express: its "session"
 * holds only this flow's secrets, loaded from (and saved to) the database by SsoFlowService, so the
 * flow needs no server session and works across instances.
 */
interface FlowRequest {
  readonly method: 'GET';
  readonly session: Record<string, unknown>;
  readonly flow: { readonly state?: string; readonly nonce?: string; readonly currentUrl?: URL };
}

/**
 * openid-client's Passport strategy, told the state and nonce to send (it adds the PKCE S256 pair) and
 * the callback URL it is answering, since there is no Express request to read them from.
 */
class ServerSideOidcStrategy extends Strategy {
  override authorizationRequestParams<TOptions extends AuthenticateOptions>(
    request: Request,
    options: TOptions,
  ): URLSearchParams {
    const params = new URLSearchParams(super.authorizationRequestParams(request, options) as URLSearchParams);
    const { flow } = request as unknown as FlowRequest;
    if (flow.state) params.set('state', flow.state);
    if (flow.nonce) params.set('nonce', flow.nonce);
    return params;
  }

  override currentUrl(request: Request): URL {
    const { currentUrl } = (request as unknown as FlowRequest).flow;
    if (!currentUrl) throw new Error('A callback is verified against the URL it arrived at');
    return currentUrl;
  }
}

/** Runs a Passport strategy on a request and resolves with what it decided (the Passport Strategy contract). */
function run(strategy: Strategy, request: FlowRequest, options: AuthenticateOptions): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const actions = Object.create(strategy) as StrategyCreated<Strategy, Strategy & StrategyCreatedStatic>;
    actions.redirect = (url: string) => resolve({ kind: 'redirect', url });
    actions.success = (claims: VerifiedClaims) => resolve({ kind: 'success', claims });
    actions.fail = (challenge?: { message?: string }) =>
      resolve({ kind: 'fail', reason: challenge?.message ?? 'the provider refused the sign-in' });
    actions.error = (error: Error) => resolve({ kind: 'error', error });
    actions.pass = () => resolve({ kind: 'error', error: new Error('the strategy passed the request on') });
    // Passport calls a strategy's authenticate with the actions bound as `this`; so does this.
    const authenticate = strategy.authenticate.bind(actions) as (
      request: Request,
      options: AuthenticateOptions,
    ) => void;
    authenticate(request as unknown as Request, options);
  });
}

/** How the user is read once the code is exchanged: the ID token, or an API called with the access token. */
export type ClaimsSource = (
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
) => Promise<VerifiedClaims | undefined>;

/** One provider's strategy: the redirect with state, nonce and PKCE, and the verification of its callback. */
export class OidcFlow {
  private readonly strategy: ServerSideOidcStrategy;

  constructor(
    configuration: oidc.Configuration,
    private readonly callbackUrl: URL,
    scopes: readonly string[],
    claimsOf: ClaimsSource,
  ) {
    this.strategy = new ServerSideOidcStrategy(
      { config: configuration, sessionKey: SESSION_KEY, callbackURL: callbackUrl, scope: scopes.join(' ') },
      (tokens, verified) => {
        claimsOf(tokens).then(
          (claims) => {
            verified(null, claims ?? false);
          },
          (error: Error) => {
            verified(error);
          },
        );
      },
    );
  }

  /** The provider's authorization URL for this state (and nonce), and the PKCE verifier the strategy made. */
  async start(state: string, nonce?: string): Promise<{ readonly url: string; readonly secrets: FlowSecrets }> {
    // Without a code or an error in the URL, the strategy starts a flow rather than verifying one.
    const request: FlowRequest = { method: 'GET', session: {}, flow: { state, nonce, currentUrl: this.callbackUrl } };
    const outcome = await run(this.strategy, request, {});
    if (outcome.kind !== 'redirect') {
      throw outcome.kind === 'error' ? outcome.error : new Error('The strategy did not redirect');
    }
    const secrets = request.session[SESSION_KEY] as FlowSecrets | undefined;
    if (!secrets?.code_verifier || secrets.state !== state || (nonce !== undefined && secrets.nonce !== nonce)) {
      throw new Error('The strategy kept no PKCE verifier, state and nonce');
    }
    return { url: outcome.url, secrets };
  }

  /**
   * Verifies a callback (its query) with the flow's secrets: state, issuer (RFC 9207), the code's
   * exchange with PKCE, and the ID token (signature on the provider's JWKS, issuer, audience, expiry,
   * issued-at, nonce), all by openid-client.
   */
  callback(query: URLSearchParams, secrets: FlowSecrets): Promise<StrategyOutcome> {
    const currentUrl = new URL(this.callbackUrl);
    for (const [key, value] of query) currentUrl.searchParams.append(key, value);
    const request: FlowRequest = { method: 'GET', session: { [SESSION_KEY]: { ...secrets } }, flow: { currentUrl } };
    return run(this.strategy, request, {});
  }
}
