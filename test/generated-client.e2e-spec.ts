import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import createClient from 'openapi-fetch';
import { Secret, TOTP } from 'otpauth';
import { PrismaService } from '../src/prisma/prisma.service';
import type { paths } from './generated/api';
import { registerAdmin, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestOidcProvider, type TestOidcProvider } from './support/oidc-provider';
import { followSsoFlow } from './support/sso-browser';
import { startTestApp } from './support/test-app';
import { freePort } from './support/free-port';

const APP_REDIRECT = 'http://app.example.test/signed-in';
const SSO_SECRET = 'a client secret long enough for the provider';

// What a client team does: generate types from /docs/openapi.json and call the service through openapi-fetch.
// `npm run typecheck` and `npm test` write ./generated/api.d.ts first, so tsc checks every call below
// against the document: a route, field or error code missing from it fails the type check.
describe('A client generated from the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let client: ReturnType<typeof createClient<paths>>;
  let baseUrl: string;
  let op: TestOidcProvider;

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    op = await startTestOidcProvider({
      clients: [
        {
          client_id: 'generated-client-app',
          client_secret: SSO_SECRET,
          redirect_uris: [`${baseUrl}/api/v1/auth/sso/corp/callback`],
        },
      ],
    });
    app = await startTestApp({
      env: {
        SERVICE_URL: baseUrl,
        SSO_PROVIDERS: JSON.stringify([
          { name: 'corp', issuer: op.issuer, clientId: 'generated-client-app', clientSecret: SSO_SECRET },
        ]),
        SSO_REDIRECT_URIS: APP_REDIRECT,
      },
    });
    await app.listen(port, '127.0.0.1');
    client = createClient<paths>({ baseUrl });
  });

  afterAll(async () => {
    await app.close();
    await op.close();
  });

  it('was type-checked against the document this app serves', async () => {
    // openapi-typescript is ESM inside (jest cannot load it), so the script runs it in a child process.
    const script = join(__dirname, '../scripts/openapi/client-types.mjs');
    const served = await promisify(execFile)(process.execPath, [
      script,
      '--print-from',
      `${baseUrl}/docs/openapi.json`,
    ]);
    expect(await readFile(join(__dirname, 'generated/api.d.ts'), 'utf8')).toBe(served.stdout);
  });

  it('registers, logs in, refreshes, reads the user and logs out', async () => {
    const email = uniqueEmail('client');
    const registered = await client.POST('/api/v1/auth/register', { body: { email, password: STRONG_PASSWORD } });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.user.email).toBe(email);

    const loggedIn = await client.POST('/api/v1/auth/login', { body: { email, password: STRONG_PASSWORD } });
    expect(loggedIn.response.status).toBe(200);
    const refreshToken = loggedIn.data!.refreshToken;

    const refreshed = await client.POST('/api/v1/auth/refresh', { body: { refreshToken } });
    expect(refreshed.response.status).toBe(200);
    const tokens = refreshed.data!;
    expect(tokens.refreshToken).not.toBe(refreshToken);

    const me = await client.GET('/api/v1/auth/me', { headers: { authorization: `Bearer ${tokens.accessToken}` } });
    expect(me.response.status).toBe(200);
    expect(me.data?.email).toBe(email);

    const loggedOut = await client.POST('/api/v1/auth/logout', { body: { refreshToken: tokens.refreshToken } });
    expect(loggedOut.response.status).toBe(204);
    const afterLogout = await client.POST('/api/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    expect(afterLogout.response.status).toBe(401);
  });

  it('enrols an authenticator and completes a login through MFA_REQUIRED, branching on the typed problem', async () => {
    const email = uniqueEmail('client-mfa');
    const registered = await client.POST('/api/v1/auth/register', { body: { email, password: STRONG_PASSWORD } });
    const headers = { authorization: `Bearer ${registered.data!.accessToken}` };
    const enrolment = await client.POST('/api/v1/auth/mfa/totp', { headers });
    const totp = new TOTP({
      secret: Secret.fromBase32(enrolment.data!.secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const codeAt = (offsetSteps: number) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
    if (Date.now() % 30_000 > 25_000) await new Promise((resolve) => setTimeout(resolve, 5_200));
    const confirmed = await client.POST('/api/v1/auth/mfa/totp/confirm', { headers, body: { code: codeAt(0) } });
    expect(confirmed.data?.recoveryCodes).toHaveLength(10);

    const login = await client.POST('/api/v1/auth/login', { body: { email, password: STRONG_PASSWORD } });
    expect(login.response.status).toBe(403);
    // The generated type of the 403 carries the MFA_REQUIRED members.
    const problem = login.error!;
    if (problem.code !== 'MFA_REQUIRED') throw new Error(`expected MFA_REQUIRED, got ${problem.code}`);
    const mfaToken: string | undefined = problem.mfaToken;
    expect(problem.methods).toEqual(['totp', 'recovery_code']);
    const verified = await client.POST('/api/v1/auth/mfa/verify', { body: { mfaToken: mfaToken!, code: codeAt(1) } });
    expect(verified.response.status).toBe(200);
    expect(verified.data?.user.email).toBe(email);
  });

  it('lists users with an admin token', async () => {
    const admin = await registerAdmin(app.getHttpServer(), app.get(PrismaService));
    const page = await client.GET('/api/v1/users', {
      params: { query: { q: admin.user.email, limit: 10 } },
      headers: { authorization: `Bearer ${admin.accessToken}` },
    });
    expect(page.response.status).toBe(200);
    expect(page.data?.items.map((user) => user.email)).toEqual([admin.user.email]);
  });

  it('types an error as problem details with its documented code', async () => {
    const email = uniqueEmail('taken');
    await client.POST('/api/v1/auth/register', { body: { email, password: STRONG_PASSWORD } });
    const again = await client.POST('/api/v1/auth/register', { body: { email, password: STRONG_PASSWORD } });
    expect(again.response.status).toBe(409);
    // Fails the type check when the document stops listing 409 EMAIL_TAKEN for register.
    const emailTaken: RegisterConflict['code'] = 'EMAIL_TAKEN';
    expect(again.error?.code).toBe(emailTaken);
    expect(again.error).toMatchObject({ status: 409, type: expect.any(String), title: expect.any(String) });
  });

  it('signs in through an OpenID Connect provider and exchanges the code for a session', async () => {
    const providers = await client.GET('/api/v1/auth/sso/providers');
    expect(providers.data?.map((provider) => provider.name)).toEqual(['corp']);
    const email = uniqueEmail('generated-sso');
    const sub = `generated-${Date.now()}`;
    op.setAccount({ sub, email, email_verified: true });
    const signedIn = await followSsoFlow(
      `${baseUrl}/api/v1/auth/sso/corp/start?redirect_uri=${encodeURIComponent(APP_REDIRECT)}`,
      { login: sub, stopAt: APP_REDIRECT },
    );
    const exchanged = await client.POST('/api/v1/auth/sso/exchange', {
      body: { code: signedIn.searchParams.get('code') ?? '' },
    });
    expect(exchanged.response.status).toBe(200);
    expect(exchanged.data?.user.email).toBe(email);

    const again = await client.POST('/api/v1/auth/sso/exchange', {
      body: { code: signedIn.searchParams.get('code') ?? '' },
    });
    // Fails the type check when the document stops listing 400 INVALID_SSO_CODE for the exchange.
    const invalidCode: ExchangeRefusal['code'] = 'INVALID_SSO_CODE';
    expect(again.error?.code).toBe(invalidCode);
  });
});

type ExchangeRefusal =
  paths['/api/v1/auth/sso/exchange']['post']['responses'][400]['content']['application/problem+json'];

type RegisterConflict = paths['/api/v1/auth/register']['post']['responses'][409]['content']['application/problem+json'];
