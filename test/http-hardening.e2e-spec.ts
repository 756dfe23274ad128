import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const APP_ORIGIN = 'https://app.example.com';

/** Set-Cookie attributes of the refresh cookie, lower-cased, e.g. { refresh_token: '…', httponly: true }. */
function refreshCookieOf(response: request.Response): Record<string, string | true> | undefined {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((line) => line.startsWith('refresh_token='));
  if (!cookie) return undefined;
  return Object.fromEntries(
    cookie.split(';').map((part) => {
      const [name, ...value] = part.trim().split('=');
      return [name.toLowerCase(), value.length > 0 ? value.join('=') : true];
    }),
  );
}

describe('Refresh cookie transport', () => {
  describe('REFRESH_TRANSPORT=cookie', () => {
    let app: NestFastifyApplication;
    let server: Server;

    beforeAll(async () => {
      app = await startTestApp({ env: { REFRESH_TRANSPORT: 'cookie', CORS_ORIGINS: APP_ORIGIN } });
      server = app.getHttpServer();
    });

    afterAll(async () => {
      await app.close();
    });

    async function signIn() {
      const email = uniqueEmail('cookie');
      await request(server).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD });
      return request(server).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD });
    }

    it('sets the refresh token as an HttpOnly, Secure, SameSite=Strict cookie on the auth path only, not in the body', async () => {
      const response = await signIn();
      expect(response.status).toBe(200);
      expect(response.body.refreshToken).toBeUndefined();
      expect(response.body.accessToken).toBeDefined();
      const cookie = refreshCookieOf(response);
      expect(cookie).toMatchObject({
        refresh_token: expect.stringMatching(/^[\w-]{43}$/),
        httponly: true,
        secure: true,
        samesite: 'Strict',
        path: '/api/v1/auth',
        'max-age': String(7 * 86400),
      });
    });

    it('refreshes from the cookie with X-Requested-With, rotating the cookie', async () => {
      const login = refreshCookieOf(await signIn())!;
      const refreshed = await request(server)
        .post('/api/v1/auth/refresh')
        .set('cookie', `refresh_token=${login.refresh_token as string}`)
        .set('x-requested-with', 'XMLHttpRequest');
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).toBeUndefined();
      const rotated = refreshCookieOf(refreshed)!;
      expect(rotated.refresh_token).not.toBe(login.refresh_token);

      const replay = await request(server)
        .post('/api/v1/auth/refresh')
        .set('cookie', `refresh_token=${login.refresh_token as string}`)
        .set('x-requested-with', 'XMLHttpRequest');
      expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    });

    it('refuses a cookie-carried refresh without the header or an allowed Origin (CSRF), and keeps the token usable', async () => {
      const { refresh_token: token } = refreshCookieOf(await signIn())!;
      for (const origin of [undefined, 'https://evil.example.net']) {
        const attempt = request(server)
          .post('/api/v1/auth/refresh')
          .set('cookie', `refresh_token=${token as string}`);
        const response = await (origin ? attempt.set('origin', origin) : attempt);
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('FORBIDDEN');
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      const fromTheApp = await request(server)
        .post('/api/v1/auth/refresh')
        .set('cookie', `refresh_token=${token as string}`)
        .set('origin', APP_ORIGIN);
      expect(fromTheApp.status).toBe(200);
    });

    it('logs out from the cookie and clears it', async () => {
      const { refresh_token: token } = refreshCookieOf(await signIn())!;
      const logout = await request(server)
        .post('/api/v1/auth/logout')
        .set('cookie', `refresh_token=${token as string}`)
        .set('x-requested-with', 'fetch');
      expect(logout.status).toBe(204);
      const cleared = refreshCookieOf(logout)!;
      expect(cleared.refresh_token).toBe('');
      expect(cleared.path).toBe('/api/v1/auth');
      const after = await request(server)
        .post('/api/v1/auth/refresh')
        .set('cookie', `refresh_token=${token as string}`)
        .set('x-requested-with', 'fetch');
      expect(after.status).toBe(401);
    });

    it('answers 400 when neither the body nor a cookie holds a token', async () => {
      const response = await request(server).post('/api/v1/auth/refresh').set('x-requested-with', 'fetch');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'refreshToken' }] });
    });
  });

  it('REFRESH_TRANSPORT=both puts the token in the body and the cookie', async () => {
    const app = await startTestApp({ env: { REFRESH_TRANSPORT: 'both' } });
    try {
      const pair = await register(app.getHttpServer());
      expect(pair.refreshToken).toMatch(/^[\w-]{43}$/);
      const login = await request(app.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ email: pair.user.email, password: STRONG_PASSWORD });
      expect(refreshCookieOf(login)?.refresh_token).toBe(login.body.refreshToken);
    } finally {
      await app.close();
    }
  });

  it('REFRESH_TRANSPORT=body (the default) sets no cookie and ignores one', async () => {
    const app = await startTestApp();
    try {
      const server = app.getHttpServer();
      const email = uniqueEmail();
      const registered = await request(server).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD });
      expect(refreshCookieOf(registered)).toBeUndefined();
      const viaCookie = await request(server)
        .post('/api/v1/auth/refresh')
        .set('cookie', `refresh_token=${registered.body.refreshToken as string}`)
        .set('x-requested-with', 'fetch');
      expect(viaCookie.status).toBe(400);
    } finally {
      await app.close();
    }
  });
});

describe('HTTP hardening', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp({ env: { CORS_ORIGINS: `${APP_ORIGIN},http://localhost:5173` } });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  it('sends security headers on API responses and on errors', async () => {
    for (const response of [
      await request(server).get('/api/v1/health'),
      await request(server).get('/api/v1/nothing-here'),
      await request(server).get('/docsx'),
    ]) {
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
        'referrer-policy': 'no-referrer',
      });
      // Headers for documents only: a JSON answer does not pay for them.
      expect(response.headers['cross-origin-opener-policy']).toBeUndefined();
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('still serves Swagger UI under its policy', async () => {
    const response = await request(server).get('/docs/');
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
  });

  it('answers a preflight from an allowed origin, with credentials', async () => {
    const response = await request(server)
      .options('/api/v1/auth/refresh')
      .set('origin', APP_ORIGIN)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'content-type,x-requested-with');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-allow-headers']).toContain('x-requested-with');
  });

  it('gives other origins no CORS headers', async () => {
    const response = await request(server).get('/api/v1/health').set('origin', 'https://evil.example.net');
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
