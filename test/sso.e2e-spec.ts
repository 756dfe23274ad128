import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, register, uniqueEmail } from './support/accounts';
import { startTestOidcProvider, type TestAccount, type TestOidcProvider } from './support/oidc-provider';
import { followSsoFlow } from './support/sso-browser';
import { startTestApp } from './support/test-app';
import { freePort } from './support/free-port';

const API = '/api/v1';
const APP = 'http://app.example.test/sso/done';
const SECRET = 'a client secret long enough for the provider';

let serial = 0;
/** A provider account with a unique subject and email (unless given). */
function account(changes: Partial<TestAccount> = {}): TestAccount {
  serial += 1;
  return { sub: `user-${serial}-${Date.now()}`, email: uniqueEmail('sso'), email_verified: true, ...changes };
}

describe('Single sign-on with a real OpenID Connect provider', () => {
  let op: TestOidcProvider;
  let app: NestFastifyApplication;
  let other: NestFastifyApplication;
  let base: string;
  let prisma: PrismaService;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const callback = (name: string) => `${base}${API}/auth/sso/${name}/callback`;
    // A client that authenticates with a signed assertion (private_key_jwt), its key as the service holds it.
    const clientKeys = await generateKeyPair('ES256', { extractable: true });
    const privateKeyJwk = { ...(await exportJWK(clientKeys.privateKey)), alg: 'ES256', kid: 'service-key-1' };
    const publicJwk = { ...(await exportJWK(clientKeys.publicKey)), alg: 'ES256', kid: 'service-key-1' };
    op = await startTestOidcProvider({
      clients: [
        { client_id: 'auth-service', client_secret: SECRET, redirect_uris: [callback('corp')] },
        { client_id: 'auth-service-plain', client_secret: SECRET, redirect_uris: [callback('plain')] },
        {
          client_id: 'auth-service-keyed',
          redirect_uris: [callback('keyed')],
          token_endpoint_auth_method: 'private_key_jwt',
          jwks: { keys: [publicJwk] },
        },
        {
          client_id: 'auth-service-trusted',
          client_secret: SECRET,
          redirect_uris: [callback('trusted')],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
    });
    const env = {
      SERVICE_URL: base,
      // Both instances sign and verify with one key, as a deployment's instances do.
      JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
      SSO_PROVIDERS: JSON.stringify([
        {
          name: 'corp',
          displayName: 'Corp SSO',
          issuer: op.issuer,
          clientId: 'auth-service',
          clientSecret: SECRET,
          emailDomains: ['corp.example'],
        },
        {
          name: 'trusted',
          issuer: op.issuer,
          clientId: 'auth-service-trusted',
          clientSecret: SECRET,
          tokenEndpointAuthMethod: 'client_secret_post',
          trustSecondFactor: true,
        },
        // The same server as a plain OAuth 2.0 provider: configured endpoints, the user from userinfo.
        {
          name: 'plain',
          type: 'oauth2',
          authorizationEndpoint: `${op.url}/auth`,
          tokenEndpoint: `${op.url}/token`,
          userinfoEndpoint: `${op.url}/me`,
          clientId: 'auth-service-plain',
          clientSecret: SECRET,
        },
        { name: 'keyed', issuer: op.issuer, clientId: 'auth-service-keyed', privateKeyJwk },
        // Nothing listens there: the service boots anyway and answers 503 for it.
        { name: 'down', issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: SECRET },
      ]),
      SSO_REDIRECT_URIS: APP,
    };
    app = await startTestApp({ env });
    await app.listen(port, '127.0.0.1');
    // A second instance on the same database and Redis, as behind a load balancer.
    other = await startTestApp({ env });
    prisma = app.get(PrismaService);
  }, 60_000);

  afterAll(async () => {
    await other?.close();
    await app?.close();
    await op?.close();
  });

  const start = (provider = 'corp', redirectUri = APP) =>
    `${base}${API}/auth/sso/${provider}/start?redirect_uri=${encodeURIComponent(redirectUri)}`;

  /** Signs `who` in at the provider and answers the URL the service sent the browser back to the app with. */
  async function signIn(who: TestAccount, provider = 'corp'): Promise<URL> {
    op.setAccount(who);
    return followSsoFlow(start(provider), { login: who.sub, stopAt: APP });
  }

  const exchange = (code: string | null, server = app.getHttpServer()) =>
    request(server).post(`${API}/auth/sso/exchange`).send({ code });

  async function signedInPair(who: TestAccount, provider = 'corp') {
    const answer = await exchange((await signIn(who, provider)).searchParams.get('code'));
    expect(answer.status).toBe(200);
    return answer.body as { accessToken: string; refreshToken: string; user: { id: string; email: string } };
  }

  it('lists the providers and finds one by email domain', async () => {
    const providers = await request(app.getHttpServer()).get(`${API}/auth/sso/providers`);
    expect(providers.body).toEqual([
      { name: 'corp', displayName: 'Corp SSO', type: 'oidc' },
      { name: 'trusted', displayName: 'trusted', type: 'oidc' },
      { name: 'plain', displayName: 'plain', type: 'oauth2' },
      { name: 'keyed', displayName: 'keyed', type: 'oidc' },
      { name: 'down', displayName: 'down', type: 'oidc' },
    ]);
    const discover = (email: string) => request(app.getHttpServer()).post(`${API}/auth/sso/discover`).send({ email });
    expect((await discover('Ada@Corp.Example')).body).toEqual({ provider: 'corp' });
    expect((await discover('ada@elsewhere.example')).body).toEqual({ provider: null });
  });

  it('creates the user on a first login (email verified as the provider asserts), and finds it on the second', async () => {
    const who = account({ name: 'Grace Hopper' });
    const back = await signIn(who);
    expect(back.origin + back.pathname).toBe(APP);
    expect(back.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const first = await exchange(back.searchParams.get('code'));
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ email: who.email, name: 'Grace Hopper', emailVerified: true });
    expect(decodeJwt(first.body.accessToken as string).amr).toEqual(['fed']);

    const second = await signedInPair(who);
    expect(second.user.id).toBe(first.body.user.id);
    const identities = await request(app.getHttpServer()).get(`${API}/auth/identities`).set(bearer(second.accessToken));
    expect(identities.body).toEqual([
      expect.objectContaining({ provider: 'corp', email: who.email, lastUsedAt: expect.any(String) }),
    ]);
    const user = await prisma.user.findUniqueOrThrow({ where: { id: second.user.id } });
    expect(user.passwordHash).toBeNull();
    const events = await prisma.auditEvent.findMany({ where: { subjectId: user.id }, orderBy: { occurredAt: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['USER_REGISTERED', 'IDENTITY_LINKED', 'LOGIN_SUCCEEDED']),
    );
  });

  it('holds what the provider says to the account rules: a printable name within bounds, an email a registration would take', async () => {
    const named = await signedInPair(account({ name: `Ada\u0007 ${'L'.repeat(300)}` }));
    expect(named.user).toMatchObject({ name: `Ada ${'L'.repeat(96)}` });
    const unusable = await signIn(account({ email: 'not an address' }));
    expect(unusable.searchParams.get('error')).toBe('SSO_EMAIL_MISSING');
  });

  it('authenticates to the provider with private_key_jwt where configured so', async () => {
    const who = account();
    const pair = await signedInPair(who, 'keyed');
    expect(pair.user.email).toBe(who.email);
  });

  it('signs in through a plain OAuth 2.0 provider, reading the user from its userinfo endpoint', async () => {
    const who = account({ name: 'Plain User' });
    const first = await signedInPair(who, 'plain');
    expect(first.user).toMatchObject({ email: who.email, emailVerified: true });
    expect(decodeJwt(first.accessToken).amr).toEqual(['fed']);
    const again = await signedInPair(who, 'plain');
    expect(again.user.id).toBe(first.user.id);
    const state = await prisma.ssoState.count({ where: { provider: 'plain' } });
    expect(state).toBe(0);
  });

  it('links an existing account automatically only when both the provider and the account verified the email', async () => {
    const verifiedLocal = await register(app.getHttpServer(), uniqueEmail('sso-local'));
    await prisma.user.update({ where: { id: verifiedLocal.user.id }, data: { emailVerifiedAt: new Date() } });
    const linked = await signedInPair(account({ email: verifiedLocal.user.email }));
    expect(linked.user.id).toBe(verifiedLocal.user.id);

    // The provider does not vouch for the address: signing in would hand the account to whoever typed it.
    const claimed = await exchange(
      (await signIn(account({ email: verifiedLocal.user.email, email_verified: false }))).searchParams.get('code'),
    );
    expect(claimed.status).toBe(409);
    expect(claimed.body.code).toBe('ACCOUNT_EXISTS');

    const unverifiedLocal = await register(app.getHttpServer(), uniqueEmail('sso-unverified'));
    const refused = await exchange(
      (await signIn(account({ email: unverifiedLocal.user.email }))).searchParams.get('code'),
    );
    expect(refused.body.code).toBe('ACCOUNT_EXISTS');
  });

  it('links a provider account the signed-in user chooses, whatever its email, and unlinks it under the last-credential rule', async () => {
    const local = await register(app.getHttpServer(), uniqueEmail('sso-link'));
    const who = account({ email: uniqueEmail('elsewhere') });
    op.setAccount(who);
    const started = await request(app.getHttpServer())
      .post(`${API}/auth/identities/corp/link`)
      .set(bearer(local.accessToken))
      .send({ redirect_uri: APP });
    expect(started.status).toBe(200);
    const back = await followSsoFlow(started.body.url as string, { login: who.sub, stopAt: APP });
    const linked = await exchange(back.searchParams.get('code'));
    expect(linked.status).toBe(200);
    expect(linked.body.user.id).toBe(local.user.id);
    const identities = await request(app.getHttpServer()).get(`${API}/auth/identities`).set(bearer(local.accessToken));
    expect(identities.body).toHaveLength(1);

    // The account has a password: unlinking leaves a way in.
    const unlinked = await request(app.getHttpServer())
      .delete(`${API}/auth/identities/${identities.body[0].id as string}`)
      .set(bearer(local.accessToken));
    expect(unlinked.status).toBe(204);

    // An account made by the provider has no password: its only identity stays.
    const ssoOnly = await signedInPair(account());
    const [only] = (await request(app.getHttpServer()).get(`${API}/auth/identities`).set(bearer(ssoOnly.accessToken)))
      .body as { id: string }[];
    const last = await request(app.getHttpServer())
      .delete(`${API}/auth/identities/${only.id}`)
      .set(bearer(ssoOnly.accessToken));
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('LAST_CREDENTIAL');
  });

  it('refuses a provider account linked to another user', async () => {
    const who = account();
    await signedInPair(who);
    const local = await register(app.getHttpServer(), uniqueEmail('sso-taken'));
    const started = await request(app.getHttpServer())
      .post(`${API}/auth/identities/corp/link`)
      .set(bearer(local.accessToken))
      .send({ redirect_uri: APP });
    const back = await followSsoFlow(started.body.url as string, { login: who.sub, stopAt: APP });
    const answer = await exchange(back.searchParams.get('code'));
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('IDENTITY_IN_USE');
  });

  it('applies the account’s second factor unless a trusted provider asserted one', async () => {
    const who = account({ amr: ['pwd', 'mfa'] });
    const first = await signedInPair(who);
    const enrolment = await request(app.getHttpServer()).post(`${API}/auth/mfa/totp`).set(bearer(first.accessToken));
    const totp = new TOTP({
      secret: Secret.fromBase32(enrolment.body.secret as string),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const confirm = await request(app.getHttpServer())
      .post(`${API}/auth/mfa/totp/confirm`)
      .set(bearer(first.accessToken))
      .send({ code: totp.generate() });
    expect(confirm.status).toBe(200);

    const required = await exchange((await signIn(who)).searchParams.get('code'));
    expect(required.status).toBe(403);
    expect(required.body).toMatchObject({ code: 'MFA_REQUIRED', methods: ['totp', 'recovery_code'] });
    const verified = await request(app.getHttpServer())
      .post(`${API}/auth/mfa/verify`)
      .send({ mfaToken: required.body.mfaToken, code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(verified.status).toBe(200);
    expect(decodeJwt(verified.body.accessToken as string).amr).toEqual(['fed', 'otp', 'mfa']);

    // The same person through the provider trusted for its second factor: no step here. (Its own
    // identity: a provider account links to one user per provider name.)
    const trustedIdentity = await request(app.getHttpServer())
      .post(`${API}/auth/identities/trusted/link`)
      .set(bearer(verified.body.accessToken as string))
      .send({ redirect_uri: APP });
    const linkBack = await followSsoFlow(trustedIdentity.body.url as string, { login: who.sub, stopAt: APP });
    const linked = await exchange(linkBack.searchParams.get('code'));
    expect(linked.status).toBe(200);
    expect(decodeJwt(linked.body.accessToken as string).amr).toEqual(['fed', 'mfa']);
  });

  it('refuses a disabled account', async () => {
    const who = account();
    const pair = await signedInPair(who);
    await prisma.user.update({ where: { id: pair.user.id }, data: { status: 'DISABLED' } });
    const answer = await exchange((await signIn(who)).searchParams.get('code'));
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('ACCOUNT_DISABLED');
  });

  it('uses each code once and never after its 60 seconds, and each state never after its ten minutes', async () => {
    const code = (await signIn(account())).searchParams.get('code');
    expect((await exchange(code)).status).toBe(200);
    const replay = await exchange(code);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('INVALID_SSO_CODE');

    const late = (await signIn(account())).searchParams.get('code');
    await prisma.ssoCode.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await exchange(late)).body.code).toBe('INVALID_SSO_CODE');
    const refusals = await prisma.auditEvent.findMany({ where: { type: 'SSO_LOGIN_FAILED' } });
    expect(
      refusals.filter((event) => (event.details as { error: string }).error === 'INVALID_SSO_CODE').length,
    ).toBeGreaterThanOrEqual(2);

    // A state past its ten minutes is refused like a used one.
    const who = account();
    op.setAccount(who);
    const callback = await followSsoFlow(start(), { login: who.sub, stopAt: `${base}${API}/auth/sso/corp/callback` });
    await prisma.ssoState.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await request(app.getHttpServer()).get(callback.pathname + callback.search);
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('INVALID_SSO_STATE');
  });

  it('redirects with a stable error for what the provider or the response got wrong, and audits it', async () => {
    const server = app.getHttpServer();
    const callbackOf = async (who: TestAccount) => {
      op.setAccount(who);
      return followSsoFlow(start(), { login: who.sub, stopAt: `${base}${API}/auth/sso/corp/callback` });
    };
    const follow = async (callback: URL | string) => {
      const target = new URL(callback);
      const answer = await request(server).get(target.pathname + target.search);
      return answer;
    };

    op.errorOnNextAuthorization('access_denied', 'The user declined');
    const declined = await follow(await callbackOf(account()));
    expect(declined.status).toBe(302);
    expect(new URL(declined.headers.location).searchParams.get('error')).toBe('SSO_PROVIDER_ERROR');

    // Mix-up: the response claims another issuer (RFC 9207), as an attacker's provider would.
    const mixed = await callbackOf(account());
    mixed.searchParams.set('iss', 'https://attacker.example');
    const mixUp = await follow(mixed);
    expect(new URL(mixUp.headers.location).searchParams.get('error')).toBe('SSO_VALIDATION_FAILED');

    // The nonce kept for the flow is not the one in the ID token.
    const callback = await callbackOf(account());
    await prisma.ssoState.updateMany({ data: { nonce: 'another-nonce' } });
    const nonceMismatch = await follow(callback);
    expect(new URL(nonceMismatch.headers.location).searchParams.get('error')).toBe('SSO_VALIDATION_FAILED');

    // A state used once (replayed), or never issued: there is no app to go back to, so problem details.
    const replayed = await follow(callback);
    expect(replayed.status).toBe(400);
    expect(replayed.body.code).toBe('INVALID_SSO_STATE');
    const forged = await follow(`${base}${API}/auth/sso/corp/callback?code=x&state=forged`);
    expect(forged.body.code).toBe('INVALID_SSO_STATE');

    // A flow started at one provider, returned at another's callback.
    const started = await callbackOf(account());
    const elsewhere = await follow(started.href.replace('/sso/corp/callback', '/sso/trusted/callback'));
    expect(new URL(elsewhere.headers.location).searchParams.get('error')).toBe('SSO_PROVIDER_MISMATCH');

    const failures = await prisma.auditEvent.findMany({ where: { type: 'SSO_LOGIN_FAILED' } });
    expect(failures.map((event) => (event.details as { error: string }).error)).toEqual(
      expect.arrayContaining([
        'SSO_PROVIDER_ERROR',
        'SSO_VALIDATION_FAILED',
        'INVALID_SSO_STATE',
        'SSO_PROVIDER_MISMATCH',
      ]),
    );
  });

  it('refuses a redirect_uri outside SSO_REDIRECT_URIS, and answers 503 for a provider it cannot reach', async () => {
    const server = app.getHttpServer();
    const open = await request(server).get(
      `${API}/auth/sso/corp/start?redirect_uri=${encodeURIComponent('https://evil.example/steal')}`,
    );
    expect(open.status).toBe(400);
    expect(open.body.code).toBe('INVALID_REDIRECT_URI');
    expect(
      (await request(server).get(`${API}/auth/sso/nope/start?redirect_uri=${encodeURIComponent(APP)}`)).status,
    ).toBe(404);
    const down = await request(server).get(`${API}/auth/sso/down/start?redirect_uri=${encodeURIComponent(APP)}`);
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('SERVICE_UNAVAILABLE');
    // Reported in readiness, which it does not fail: the other providers and passwords still work.
    const ready = await request(server).get(`${API}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.details.sso).toEqual({
      status: 'degraded',
      providers: { down: expect.stringContaining('discovery of http://127.0.0.1:9 failed') },
    });
  });

  describe('races', () => {
    const statuses = (answers: { status: number }[]) => answers.map((answer) => answer.status).sort();

    it('of one code exchanged 8 times at once, exactly one signs in (5 rounds)', async () => {
      for (let round = 0; round < 5; round += 1) {
        const code = (await signIn(account())).searchParams.get('code');
        const answers = await Promise.all(Array.from({ length: 8 }, () => exchange(code)));
        expect(statuses(answers)).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
      }
    });

    it('of one callback delivered 6 times at once, exactly one gets a code (5 rounds)', async () => {
      for (let round = 0; round < 5; round += 1) {
        const who = account();
        op.setAccount(who);
        const callback = await followSsoFlow(start(), {
          login: who.sub,
          stopAt: `${base}${API}/auth/sso/corp/callback`,
        });
        const answers = await Promise.all(
          Array.from({ length: 6 }, () => request(app.getHttpServer()).get(callback.pathname + callback.search)),
        );
        const codes = answers.filter(
          (answer) => answer.status === 302 && new URL(answer.headers.location).searchParams.has('code'),
        );
        expect(codes).toHaveLength(1);
        expect(answers.filter((answer) => answer.status === 400)).toHaveLength(5);
      }
    });

    it('of the two identities of an account without a password unlinked at once, one stays (5 rounds)', async () => {
      for (let round = 0; round < 5; round += 1) {
        const who = account();
        const pair = await signedInPair(who);
        const linking = await request(app.getHttpServer())
          .post(`${API}/auth/identities/trusted/link`)
          .set(bearer(pair.accessToken))
          .send({ redirect_uri: APP });
        const back = await followSsoFlow(linking.body.url as string, { login: who.sub, stopAt: APP });
        expect((await exchange(back.searchParams.get('code'))).status).toBe(200);
        const identities = (
          await request(app.getHttpServer()).get(`${API}/auth/identities`).set(bearer(pair.accessToken))
        ).body as { id: string }[];
        expect(identities).toHaveLength(2);
        const answers = await Promise.all(
          identities.map(({ id }) =>
            request(app.getHttpServer()).delete(`${API}/auth/identities/${id}`).set(bearer(pair.accessToken)),
          ),
        );
        expect(statuses(answers)).toEqual([204, 409]);
        expect(await prisma.identity.count({ where: { userId: pair.user.id } })).toBe(1);
      }
    });
  });

  it('completes a flow started on one instance on another: state and codes are in the shared database', async () => {
    const who = account();
    op.setAccount(who);
    const callback = await followSsoFlow(start(), { login: who.sub, stopAt: `${base}${API}/auth/sso/corp/callback` });
    const answered = await request(other.getHttpServer()).get(callback.pathname + callback.search);
    expect(answered.status).toBe(302);
    const code = new URL(answered.headers.location).searchParams.get('code');
    const pair = await exchange(code, app.getHttpServer());
    expect(pair.status).toBe(200);
    expect(pair.body.user.email).toBe(who.email);
  });
});
