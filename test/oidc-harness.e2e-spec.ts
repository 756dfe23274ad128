import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type GenerateKeyPairResult } from 'jose';
import * as client from 'openid-client';
import { startTestOidcProvider, type TestAccount, type TestOidcProvider } from './support/oidc-provider';
import { CookieJar, followSsoFlow } from './support/sso-browser';

// The harness (a real OpenID provider and a browser stand-in) proven with openid-client as the relying
// party, independently of the service's own single sign-on.

const ALICE: TestAccount = {
  sub: 'alice',
  email: 'alice@example.com',
  email_verified: true,
  name: 'Alice Liddell',
  amr: ['pwd', 'mfa'],
  acr: 'urn:example:loa:2',
};
const BOB: TestAccount = { sub: 'bob', email: 'bob@example.com', email_verified: false };
const SECRET = 'a client secret long enough for the provider';

/** A relying party's HTTP server: `handle` is set per test. */
async function startRelyingParty(): Promise<{ server: Server; url: string; handle: (handler: Handler) => void }> {
  let handler: Handler = (_request, response) => {
    response.writeHead(404).end();
  };
  const server = createServer((request, response) => {
    Promise.resolve(handler(request, response)).catch((error: Error) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(error.stack);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle: (next) => void (handler = next),
  };
}
type Handler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

async function discover(
  op: TestOidcProvider,
  clientId: string,
  metadata?: Partial<client.ClientMetadata> | string,
  auth?: client.ClientAuth,
) {
  return client.discovery(new URL(op.url), clientId, metadata, auth, { execute: [client.allowInsecureRequests] });
}

/** An authorization URL with PKCE S256, state and nonce, and what the callback needs to check them. */
async function authorizationRequest(config: client.Configuration, redirectUri: string, scope = 'openid email profile') {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
  });
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } };
}

describe('OIDC test harness: oidc-provider and the SSO browser, with openid-client as relying party', () => {
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let op: TestOidcProvider;
  let callback: string;
  let config: client.Configuration;
  let clientKeys: GenerateKeyPairResult;

  beforeAll(async () => {
    rp = await startRelyingParty();
    callback = `${rp.url}/callback`;
    clientKeys = await generateKeyPair('ES256');
    op = await startTestOidcProvider({
      clients: [
        { client_id: 'basic', client_secret: SECRET, redirect_uris: [callback] },
        {
          client_id: 'post-es256',
          client_secret: SECRET,
          redirect_uris: [callback],
          token_endpoint_auth_method: 'client_secret_post',
          id_token_signed_response_alg: 'ES256',
        },
        {
          client_id: 'jwt',
          redirect_uris: [callback],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [{ ...(await exportJWK(clientKeys.publicKey)), alg: 'ES256' }] },
        },
      ],
      accounts: [ALICE, BOB],
    });
    config = await discover(op, 'basic', SECRET);
  });

  afterAll(async () => {
    await op?.close();
    await new Promise((resolve) => rp?.server.close(resolve));
  });

  it('publishes discovery with PKCE S256, the three scopes and an RS256 and an ES256 key', async () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(op.url);
    expect(op.issuer).toBe(op.url);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    expect(metadata.response_types_supported).toEqual(['code']);
    const jwks = (await (await fetch(metadata.jwks_uri!)).json()) as { keys: Array<{ alg: string; d?: string }> };
    expect(jwks.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });

  it('signs alice in through login and consent; the id_token carries her claims, the nonce, amr and acr', async () => {
    const { url, checks } = await authorizationRequest(config, callback);

    const redirect = await followSsoFlow(url.href, { login: 'alice', stopAt: callback });
    expect(redirect.searchParams.get('state')).toBe(checks.expectedState);
    expect(redirect.searchParams.get('iss')).toBe(op.issuer);

    const tokens = await client.authorizationCodeGrant(config, redirect, checks);
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    expect(tokens.claims()).toMatchObject({
      iss: op.issuer,
      aud: 'basic',
      sub: 'alice',
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Liddell',
      nonce: checks.expectedNonce,
      amr: ['pwd', 'mfa'],
      acr: 'urn:example:loa:2',
    });
    const userInfo = await client.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(userInfo).toMatchObject({ sub: 'alice', email: 'alice@example.com', name: 'Alice Liddell' });
  });

  it('gives only the claims of the scopes asked for, and no amr where the account has none', async () => {
    const { url, checks } = await authorizationRequest(config, callback, 'openid email');
    const redirect = await followSsoFlow(url.href, { login: 'bob', stopAt: callback });
    const claims = (await client.authorizationCodeGrant(config, redirect, checks)).claims()!;
    expect(claims).toMatchObject({ sub: 'bob', email: 'bob@example.com', email_verified: false });
    expect(claims).not.toHaveProperty('name');
    expect(claims).not.toHaveProperty('amr');
  });

  it('signs with ES256 and takes client_secret_post, or private_key_jwt, where the client is registered so', async () => {
    const post = await discover(
      op,
      'post-es256',
      { client_secret: SECRET, id_token_signed_response_alg: 'ES256' },
      client.ClientSecretPost(SECRET),
    );
    const postRequest = await authorizationRequest(post, callback);
    const postTokens = await client.authorizationCodeGrant(
      post,
      await followSsoFlow(postRequest.url.href, { login: 'alice', stopAt: callback }),
      postRequest.checks,
    );
    expect(decodeProtectedHeader(postTokens.id_token!).alg).toBe('ES256');
    expect(postTokens.claims()?.sub).toBe('alice');

    const jwt = await discover(op, 'jwt', undefined, client.PrivateKeyJwt(clientKeys.privateKey));
    const jwtRequest = await authorizationRequest(jwt, callback);
    const jwtTokens = await client.authorizationCodeGrant(
      jwt,
      await followSsoFlow(jwtRequest.url.href, { login: 'bob', stopAt: callback }),
      jwtRequest.checks,
    );
    expect(jwtTokens.claims()?.sub).toBe('bob');
  });

  it('sends a declined consent back as error=access_denied, which openid-client raises', async () => {
    const { url, checks } = await authorizationRequest(config, callback);
    const redirect = await followSsoFlow(url.href, { login: 'alice', stopAt: callback, decline: true });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('state')).toBe(checks.expectedState);
    expect(redirect.searchParams.has('code')).toBe(false);
    await expect(client.authorizationCodeGrant(config, redirect, checks)).rejects.toMatchObject({
      name: 'AuthorizationResponseError',
      error: 'access_denied',
    });
  });

  it('fails the next authorization alone with the error asked for', async () => {
    op.errorOnNextAuthorization('temporarily_unavailable', 'down for a test');
    const failing = await authorizationRequest(config, callback);
    const failed = await followSsoFlow(failing.url.href, { login: 'alice', stopAt: callback });
    expect(Object.fromEntries(failed.searchParams)).toMatchObject({
      error: 'temporarily_unavailable',
      error_description: 'down for a test',
      state: failing.checks.expectedState,
    });

    const next = await authorizationRequest(config, callback);
    const redirect = await followSsoFlow(next.url.href, { login: 'alice', stopAt: callback });
    expect(redirect.searchParams.has('code')).toBe(true);
  });

  it('keeps the provider session in a shared jar: signed in once, the next flow asks for nothing', async () => {
    const jar = new CookieJar();
    const first = await authorizationRequest(config, callback);
    await followSsoFlow(first.url.href, { login: 'alice', stopAt: callback, jar });

    const second = await authorizationRequest(config, callback);
    // An unknown login would fail the flow, were the login form shown again.
    const redirect = await followSsoFlow(second.url.href, { login: 'nobody', stopAt: callback, jar });
    expect((await client.authorizationCodeGrant(config, redirect, second.checks)).claims()?.sub).toBe('alice');
  });

  it('requires PKCE', async () => {
    const url = client.buildAuthorizationUrl(config, { redirect_uri: callback, scope: 'openid', state: 'no-pkce' });
    const redirect = await followSsoFlow(url.href, { login: 'alice', stopAt: callback });
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses a login for an account it does not have, showing the page where the flow stuck', async () => {
    const { url } = await authorizationRequest(config, callback);
    await expect(followSsoFlow(url.href, { login: 'mallory', stopAt: callback })).rejects.toThrow(
      /stuck at 403 .*\/interaction\/.*no test account with sub "mallory"/s,
    );
  });

  it('passes through the relying party callback, which exchanges the code, keeping its cookie, to the app', async () => {
    // Like the service will: /login keeps the PKCE verifier, state and nonce behind a cookie, /callback
    // exchanges the code and redirects to the app.
    const pending = new Map<string, Awaited<ReturnType<typeof authorizationRequest>>['checks']>();
    const appUrl = `${rp.url}/app`;
    rp.handle(async (request, response) => {
      const current = new URL(request.url!, rp.url);
      if (current.pathname === '/login') {
        const { url, checks } = await authorizationRequest(config, callback);
        pending.set(checks.expectedState, checks);
        response
          .writeHead(302, {
            location: url.href,
            'set-cookie': `rp_flow=${checks.expectedState}; Path=/; HttpOnly; SameSite=Lax`,
          })
          .end();
        return;
      }
      const flow = /(?:^|;\s*)rp_flow=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      const checks = flow ? pending.get(flow) : undefined;
      if (current.pathname !== '/callback' || !checks) {
        response.writeHead(400).end(`no flow for ${request.url}, cookie ${request.headers.cookie}`);
        return;
      }
      const claims = (await client.authorizationCodeGrant(config, current, checks)).claims()!;
      response.writeHead(302, { location: `${appUrl}?email=${encodeURIComponent(claims.email as string)}` }).end();
    });

    // An account added, then changed, at runtime.
    op.setAccount({ sub: 'carol', email: 'carol@example.com', email_verified: true });
    op.setAccount({ sub: 'carol', email: 'carol@example.org', email_verified: true });
    const landed = await followSsoFlow(`${rp.url}/login`, {
      login: 'carol',
      stopAt: appUrl,
      headers: { 'user-agent': 'sso-browser' },
    });
    expect(landed.searchParams.get('email')).toBe('carol@example.org');
  });

  it('announces an overridden issuer, which openid-client refuses at discovery', async () => {
    const impostor = await startTestOidcProvider({
      clients: [{ client_id: 'basic', client_secret: SECRET, redirect_uris: [callback] }],
      issuer: 'https://idp.example.com',
    });
    try {
      const metadata = (await (await fetch(`${impostor.url}/.well-known/openid-configuration`)).json()) as Record<
        string,
        string
      >;
      expect(metadata.issuer).toBe('https://idp.example.com');
      expect(metadata.token_endpoint).toBe(`${impostor.url}/token`);
      await expect(discover(impostor, 'basic', SECRET)).rejects.toThrow(/issuer does not match/);
    } finally {
      await impostor.close();
    }
  });
});
