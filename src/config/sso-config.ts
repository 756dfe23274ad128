/** SSO_*: the OpenID Connect providers users may sign in with, and where the browser may return after. */
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

/** A private key as a JSON Web Key (RFC 7517), for private_key_jwt client authentication. */
export type PrivateJwk = Readonly<Record<string, unknown>>;

/**
 * `oidc`: OpenID Connect, discovered from its issuer, the user from the ID token. `oauth2`: a plain
 * OAuth 2.0 server with the endpoints given and a userinfo endpoint answering OpenID claims. `github`:
 * GitHub's endpoints, the user from its REST API (`/user`, and `/user/emails` for a verified address).
 */
export type SsoProviderType = 'oidc' | 'oauth2' | 'github';

export interface OAuthEndpoints {
  readonly authorization: string;
  readonly token: string;
  readonly userinfo: string;
}

export const GITHUB_ENDPOINTS: OAuthEndpoints = {
  authorization: 'https://github.com/login/oauth/authorize',
  token: 'https://github.com/login/oauth/access_token',
  userinfo: 'https://api.github.com/user',
};

export interface SsoProviderConfig {
  /** In URLs (`/auth/sso/<name>/start`) and in identities: lower-case letters, digits and dashes. */
  readonly name: string;
  readonly displayName: string;
  readonly type: SsoProviderType;
  /** Its issuer identifier: discovery reads `<issuer>/.well-known/openid-configuration` (oidc). */
  readonly issuer: string;
  /** The endpoints of a provider that is not discovered (oauth2, github). */
  readonly endpoints?: OAuthEndpoints;
  readonly clientId: string;
  readonly clientAuthentication:
    | { readonly method: 'client_secret_basic' | 'client_secret_post'; readonly secret: string }
    | { readonly method: 'private_key_jwt'; readonly privateKeyJwk: PrivateJwk };
  readonly scopes: readonly string[];
  /** Home-realm discovery: emails of these domains sign in here (POST /auth/sso/discover). */
  readonly emailDomains: readonly string[];
  /** Whether the provider's `amr`/`acr` may stand for this service's second factor. */
  readonly trustSecondFactor: boolean;
}

export interface SsoConfig {
  readonly providers: readonly SsoProviderConfig[];
  /** Exact URIs the callback may redirect the browser to, with the one-time code. */
  readonly redirectUris: readonly string[];
}

/** Enough for every organisation's IdPs; bounds the provider list and a user's identities (one per provider). */
export const MAX_SSO_PROVIDERS = 50;

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const FIELDS = new Set([
  'name',
  'type',
  'authorizationEndpoint',
  'tokenEndpoint',
  'userinfoEndpoint',
  'displayName',
  'issuer',
  'clientId',
  'clientSecret',
  'privateKeyJwk',
  'tokenEndpointAuthMethod',
  'scopes',
  'emailDomains',
  'trustSecondFactor',
]);

export function readSsoConfig(read: EnvironmentReader, production: boolean): SsoConfig {
  return {
    providers: readProviders(read, production),
    redirectUris: readRedirectUris(read, production),
  };
}

function readProviders(read: EnvironmentReader, production: boolean): SsoProviderConfig[] {
  const variable = VARIABLES.SSO_PROVIDERS;
  const raw = read.optionalText(variable);
  if (raw === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Never the value: it holds client secrets.
    return read.fail(variable, 'must be a JSON array of providers (it does not parse as JSON)', []);
  }
  if (!Array.isArray(parsed)) return read.fail(variable, 'must be a JSON array of providers', []);
  if (parsed.length > MAX_SSO_PROVIDERS)
    return read.fail(variable, `lists more than ${MAX_SSO_PROVIDERS} providers`, []);
  const providers: SsoProviderConfig[] = [];
  parsed.forEach((entry: unknown, index) => {
    const problems: string[] = [];
    const provider = readProvider(entry, production, problems);
    const label =
      typeof (entry as { name?: unknown })?.name === 'string'
        ? `"${(entry as { name: string }).name}"`
        : `${index + 1}`;
    for (const problem of problems) read.fail(variable, `provider ${label}: ${problem}`, undefined);
    if (provider && problems.length === 0) {
      if (providers.some((other) => other.name === provider.name)) {
        read.fail(variable, `provider ${label}: the name is used twice`, undefined);
      } else providers.push(provider);
    }
  });
  return providers;
}

function readProvider(entry: unknown, production: boolean, problems: string[]): SsoProviderConfig | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    problems.push('must be an object');
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields).filter((key) => !FIELDS.has(key)))
    problems.push(`has an unknown field "${key}"`);
  const text = (key: string): string | undefined => {
    const value = fields[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${key} must be a non-empty string`);
      return undefined;
    }
    return value.trim();
  };
  const name = text('name');
  if (name === undefined) problems.push('name is required');
  else if (!NAME.test(name)) problems.push('name must be lower-case letters, digits and dashes (at most 32)');
  const type = text('type') ?? 'oidc';
  if (type !== 'oidc' && type !== 'oauth2' && type !== 'github') problems.push('type must be oidc, oauth2 or github');
  const endpoints =
    type === 'github' ? GITHUB_ENDPOINTS : type === 'oauth2' ? readEndpoints(text, production, problems) : undefined;
  // A plain OAuth 2.0 server has no issuer identifier to discover: its authorization endpoint's origin stands for it.
  const issuer = text('issuer') ?? (endpoints ? new URL(endpoints.authorization).origin : undefined);
  if (issuer === undefined)
    problems.push(type === 'oauth2' ? 'authorizationEndpoint is required' : 'issuer is required');
  else if (!isIssuer(issuer, production)) {
    problems.push(
      `issuer must be an https URL without query or fragment${production ? '' : ' (http outside production)'}`,
    );
  }
  const clientId = text('clientId');
  if (clientId === undefined) problems.push('clientId is required');
  const clientAuthentication = readClientAuthentication(fields, text, problems);
  const defaultScopes = type === 'github' ? ['read:user', 'user:email'] : ['openid', 'email', 'profile'];
  const scopes = stringList(fields.scopes, 'scopes', problems) ?? defaultScopes;
  if (type === 'oidc' && !scopes.includes('openid')) problems.push('scopes must include openid');
  const emailDomains = (stringList(fields.emailDomains, 'emailDomains', problems) ?? []).map((domain) =>
    domain.toLowerCase(),
  );
  for (const domain of emailDomains.filter((candidate) => !DOMAIN.test(candidate))) {
    problems.push(`emailDomains has "${domain}", which is not a domain`);
  }
  if (fields.trustSecondFactor !== undefined && typeof fields.trustSecondFactor !== 'boolean') {
    problems.push('trustSecondFactor must be true or false');
  }
  if (!name || !issuer || !clientId || !clientAuthentication) return undefined;
  return {
    name,
    displayName: text('displayName') ?? name,
    type: type as SsoProviderType,
    issuer,
    ...(endpoints ? { endpoints } : {}),
    clientId,
    clientAuthentication,
    scopes,
    emailDomains,
    trustSecondFactor: fields.trustSecondFactor === true,
  };
}

function readClientAuthentication(
  fields: Record<string, unknown>,
  text: (key: string) => string | undefined,
  problems: string[],
): SsoProviderConfig['clientAuthentication'] | undefined {
  const method =
    text('tokenEndpointAuthMethod') ?? (fields.privateKeyJwk !== undefined ? 'private_key_jwt' : 'client_secret_basic');
  if (method === 'private_key_jwt') {
    const jwk = fields.privateKeyJwk;
    if (typeof jwk !== 'object' || jwk === null || typeof (jwk as { d?: unknown }).d !== 'string') {
      problems.push('privateKeyJwk must be a private JWK (with "d") for private_key_jwt');
      return undefined;
    }
    return { method, privateKeyJwk: jwk as PrivateJwk };
  }
  if (method !== 'client_secret_basic' && method !== 'client_secret_post') {
    problems.push('tokenEndpointAuthMethod must be client_secret_basic, client_secret_post or private_key_jwt');
    return undefined;
  }
  const secret = text('clientSecret');
  if (secret === undefined) {
    problems.push(`clientSecret is required for ${method}`);
    return undefined;
  }
  return { method, secret };
}

function readEndpoints(
  text: (key: string) => string | undefined,
  production: boolean,
  problems: string[],
): OAuthEndpoints | undefined {
  const endpoint = (key: string) => {
    const value = text(key);
    if (value === undefined) problems.push(`${key} is required for type oauth2`);
    else if (!isIssuer(value, production)) {
      problems.push(`${key} must be an https URL${production ? '' : ' (http outside production)'}`);
    }
    return value;
  };
  const [authorization, token, userinfo] = ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'].map(endpoint);
  return authorization && token && userinfo ? { authorization, token, userinfo } : undefined;
}

function stringList(value: unknown, key: string, problems: string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.trim() === '')) {
    problems.push(`${key} must be an array of non-empty strings`);
    return undefined;
  }
  return value.map((item: string) => item.trim());
}

function isIssuer(value: string, production: boolean): boolean {
  try {
    const url = new URL(value);
    const schemeAllowed = url.protocol === 'https:' || (!production && url.protocol === 'http:');
    return schemeAllowed && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

function readRedirectUris(read: EnvironmentReader, production: boolean): string[] {
  const variable = VARIABLES.SSO_REDIRECT_URIS;
  const entries = (read.optionalText(variable) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    let url: URL | undefined;
    try {
      url = new URL(entry);
    } catch {
      url = undefined;
    }
    const local = url?.hostname === 'localhost' || url?.hostname === '127.0.0.1';
    if (
      !url ||
      url.hash !== '' ||
      !(url.protocol === 'https:' || (url.protocol === 'http:' && (!production || local)))
    ) {
      read.fail(
        variable,
        `has "${entry}", which is not an https URL without a fragment (http only for localhost in production)`,
        undefined,
      );
    }
  }
  return entries;
}
