import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import createClient from 'openapi-fetch';
import { PrismaService } from '../src/prisma/prisma.service';
import type { paths } from './generated/api';
import { registerAdmin, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

// What a client team does: generate types from /docs/openapi.json and call the service through openapi-fetch.
// `npm run typecheck` and `npm test` write ./generated/api.d.ts first, so tsc checks every call below
// against the document: a route, field or error code missing from it fails the type check.
describe('A client generated from the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let client: ReturnType<typeof createClient<paths>>;
  let baseUrl: string;

  beforeAll(async () => {
    app = await startTestApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
    client = createClient<paths>({ baseUrl: baseUrl.replace('[::1]', '127.0.0.1') });
  });

  afterAll(async () => {
    await app.close();
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
});

type RegisterConflict = paths['/api/v1/auth/register']['post']['responses'][409]['content']['application/problem+json'];
