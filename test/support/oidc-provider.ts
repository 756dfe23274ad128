import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AdapterFactory, AdapterPayload, Configuration, default as Provider } from 'oidc-provider';

/** A user at the test provider; `sub` is also what the login form takes. */
export interface TestAccount {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  /** Put into the id_token as given (e.g. ['pwd', 'mfa']). */
  amr?: string[];
  acr?: string;
}

export interface TestOidcClient {
  client_id: string;
  client_secret?: string;
  redirect_uris: string[];
  /** client_secret_basic unless set; `none` is a public client (PKCE only). */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
  /** The client's public keys, for private_key_jwt. */
  jwks?: { keys: object[] };
  /** RS256 unless set; the provider has a key for each. */
  id_token_signed_response_alg?: 'RS256' | 'ES256';
}

export interface TestOidcProviderOptions {
  clients: TestOidcClient[];
  accounts?: TestAccount[];
  /**
   * The issuer identifier the provider announces (discovery, `iss` of its tokens) instead of its own
   * URL, to test issuer mix-up. Its endpoints stay reachable at `url`.
   */
  issuer?: string;
}

export interface TestOidcProvider {
  /** The issuer identifier: `url` unless overridden. */
  readonly issuer: string;
  /** Where the provider listens: http://127.0.0.1:<ephemeral port>, no trailing slash. */
  readonly url: string;
  /** Adds an account, or replaces the one with the same `sub`. */
  setAccount(account: TestAccount): void;
  /**
   * Makes the next interaction page (login, or consent) redirect back to the client with
   * `?error=<error>` instead of showing itself. Every authorization from a fresh browser gets there.
   */
  errorOnNextAuthorization(error: string, description?: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) in the test process, on 127.0.0.1 and a free
 * port, over plain HTTP. Authorization code flow only, PKCE S256 required, scopes openid, email and
 * profile. Its login and consent pages are minimal HTML forms (see `followSsoFlow`): the login form
 * takes an account's `sub` and no password; the consent page has an allow and a decline form.
 */
export async function startTestOidcProvider(options: TestOidcProviderOptions): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccount>();
  for (const account of options.accounts ?? []) accounts.set(account.sub, account);
  let pendingError: { error: string; error_description?: string } | undefined;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.issuer ?? url;

  const configuration: Configuration = {
    adapter: memoryAdapter(options.clients),
    jwks: { keys: await signingKeys() },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          email_verified: account.email_verified,
          name: account.name,
        }),
      };
    },
    // amr and acr under openid: oidc-provider otherwise puts them in the id_token only when asked
    // for (acr_values, the claims parameter).
    claims: { openid: ['sub', 'amr', 'acr'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'email', 'profile'],
    // By default an id_token that comes with an access token carries only `sub` (the rest is at
    // userinfo); a relying party that reads the email from the id_token needs it there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    responseTypes: ['code'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Set so that oidc-provider does not print a notice for each default it falls back to.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'text';
      ctx.body = `oidc-provider error: ${JSON.stringify(out)}`;
    },
  };

  const provider = await withoutProviderNotices(async () => {
    const { default: OidcProvider } = await import('oidc-provider');
    return new OidcProvider(issuer, configuration);
  });
  // The interaction pages. oidc-provider's routes come first and pass on what they do not match.
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(ctx.path);
    const [, uid, step = 'show'] = match ?? [];
    if (!match || (step === 'show') !== (ctx.method === 'GET')) {
      await next();
      return;
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) ctx.throw(400, 'interaction cookie and URL disagree');

    if (step === 'show' && pendingError) {
      const result = pendingError;
      pendingError = undefined;
      return finish(provider, ctx, result, false);
    }
    if (step === 'show') return render(ctx, uid, details.prompt.name, details.params);
    if (step === 'abort') {
      return finish(
        provider,
        ctx,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        false,
      );
    }
    if (step === 'login') {
      const sub = (await readForm(ctx.req)).get('login') ?? '';
      const account = accounts.get(sub);
      if (!account) return ctx.throw(403, `no test account with sub "${sub}"`);
      return finish(provider, ctx, { login: { accountId: sub, amr: account.amr, acr: account.acr } }, false);
    }
    return finish(provider, ctx, { consent: { grantId: await grantFor(provider, details) } }, true);
  });
  const handle = provider.callback();
  server.on('request', (request, response) => void handle(request, response));

  return {
    issuer,
    url,
    setAccount: (account) => void accounts.set(account.sub, account),
    errorOnNextAuthorization: (error, description) => {
      pendingError = { error, error_description: description };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive connections (fetch pools them) would hold close() open.
        server.closeAllConnections();
      }),
  };
}

/**
 * The provider's store, clients included. oidc-provider's own in-memory store would do, but it deep
 * copies statically configured clients with structuredClone, which under jest builds objects of the
 * outer realm; its plain-object check then calls the client's jwks invalid.
 */
function memoryAdapter(clients: readonly TestOidcClient[]): AdapterFactory {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const keysByGrant = new Map<string, Set<string>>();
  const sessionIdsByUid = new Map<string, string>();
  for (const client of clients) {
    const payload = { grant_types: ['authorization_code'], response_types: ['code' as const], ...client };
    entries.set(`Client:${client.client_id}`, { payload, expiresAt: Infinity });
  }
  const find = (key: string) => {
    const entry = entries.get(key);
    if (!entry || entry.expiresAt > Date.now()) return entry?.payload;
    entries.delete(key);
    return undefined;
  };
  return (model) => {
    const keyOf = (id: string) => `${model}:${id}`;
    const done = () => Promise.resolve();
    return {
      upsert: (id, payload, expiresIn) => {
        const key = keyOf(id);
        entries.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
        if (payload.grantId) keysByGrant.set(payload.grantId, (keysByGrant.get(payload.grantId) ?? new Set()).add(key));
        if (model === 'Session' && payload.uid) sessionIdsByUid.set(payload.uid, id);
        return done();
      },
      find: (id) => Promise.resolve(find(keyOf(id))),
      findByUid: (uid) => {
        const id = sessionIdsByUid.get(uid);
        return Promise.resolve(id === undefined ? undefined : find(keyOf(id)));
      },
      // The device flow, the one user of user codes, is off.
      findByUserCode: () => Promise.resolve(undefined),
      consume: (id) => {
        const payload = find(keyOf(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
        return done();
      },
      destroy: (id) => {
        entries.delete(keyOf(id));
        return done();
      },
      revokeByGrantId: (grantId) => {
        for (const key of keysByGrant.get(grantId) ?? []) entries.delete(key);
        keysByGrant.delete(grantId);
        return done();
      },
    };
  };
}

/** One RS256 and one ES256 private signing key, fresh for each provider. */
async function signingKeys(): Promise<JWK[]> {
  return Promise.all(
    (['RS256', 'ES256'] as const).map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomUUID()}` };
    }),
  );
}

/**
 * oidc-provider warns on import under Node 20 (it asks for Node 22 or later), which is beside the
 * point in a test; everything else it would print is configured away.
 */
async function withoutProviderNotices<T>(work: () => Promise<T>): Promise<T> {
  const { warn, info } = console;
  const filter =
    (print: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
      print.apply(console, args);
    };
  console.warn = filter(warn);
  console.info = filter(info);
  try {
    return await work();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

type InteractionResult = Parameters<Provider['interactionResult']>[2];
/** A request's koa context outside oidc-provider's own routes (no `ctx.oidc` there). */
type KoaContext = Parameters<Parameters<Provider['use']>[0]>[0];

async function finish(provider: Provider, ctx: KoaContext, result: InteractionResult, merge: boolean) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Grants what the consent prompt says is missing, as a user clicking "Allow" would. */
async function grantFor(provider: Provider, { grantId, session, params, prompt }: Interaction): Promise<string> {
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ??
    new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
  const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  return grant.save();
}

function render(ctx: KoaContext, uid: string, prompt: string, params: Record<string, unknown>): void {
  const action = (step: string) => `/interaction/${encodeURIComponent(uid)}/${step}`;
  const decline = `<form method="post" action="${action('abort')}"><button type="submit">Decline</button></form>`;
  const body =
    prompt === 'login'
      ? `<h1>Sign in</h1>
<form method="post" action="${action('login')}">
  <input type="text" name="login" value="${escapeHtml(text(params.login_hint))}" autofocus>
  <button type="submit">Sign in</button>
</form>
${decline}`
      : `<h1>Authorize ${escapeHtml(text(params.client_id))}</h1>
<p>Scope: ${escapeHtml(text(params.scope))}</p>
<form method="post" action="${action('confirm')}"><button type="submit">Allow</button></form>
${decline}`;
  ctx.type = 'html';
  ctx.body = `<!doctype html>\n<html><head><title>Test OpenID Provider</title></head><body>\n${body}\n</body></html>\n`;
}

function text(param: unknown): string {
  return typeof param === 'string' ? param : '';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
