import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { RedisConnection } from '../src/redis/redis.module';
import { STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { FORWARDED_FOR, uniqueAddress } from './support/client-addresses';
import { startTestApp } from './support/test-app';

// Credential routes answer 401 to an unknown refresh token: cheap requests that still count.
const refreshFrom = (server: Server, address: string) =>
  request(server).post('/api/v1/auth/refresh').set(FORWARDED_FOR, address).send({ refreshToken: 'not-a-token' });

function expectRateLimited(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  // The IETF draft's RateLimit fields beside Retry-After.
  expect(response.headers).toMatchObject({
    'ratelimit-limit': '3',
    'ratelimit-remaining': '0',
    'ratelimit-reset': String(retryAfter),
    'ratelimit-policy': '3;w=60',
  });
}

describe('Rate limit on credential routes', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'loopback', THROTTLE_AUTH_LIMIT: '3', THROTTLE_AUTH_TTL: '60s' } });
    server = app.getHttpServer();
    // With REDIS_URL the counters are in Redis: wait for the connection so no request fails open.
    await app.get(RedisConnection).ping(5_000);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers the request past the limit with 429 RATE_LIMITED and Retry-After', async () => {
    const address = uniqueAddress();
    const counted = [];
    for (let i = 0; i < 3; i += 1) counted.push(await refreshFrom(server, address));
    expect(counted.map((response) => response.status)).toEqual([401, 401, 401]);
    // Answers within the limit say what is left.
    expect(counted.map((response) => response.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(counted[0].headers['ratelimit-limit']).toBe('3');
    expectRateLimited(await refreshFrom(server, address));
  });

  it('sends the RateLimit-* headers the document declares on the answers that pass the limiter', async () => {
    const address = uniqueAddress();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await refreshFrom(server, address);
      expect(response.status).toBe(401);
      expect(response.headers['ratelimit-limit']).toBe('3');
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const { body: document } = await request(server).get('/docs/openapi.json');
    expect(Object.keys(document.paths['/api/v1/auth/refresh'].post.responses['401'].headers)).toEqual(
      expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
  });

  it('counts each client address on its own', async () => {
    const limited = uniqueAddress();
    for (let i = 0; i < 4; i += 1) await refreshFrom(server, limited);
    expectRateLimited(await refreshFrom(server, limited));
    expect((await refreshFrom(server, uniqueAddress())).status).toBe(401);
  });

  it('leaves routes without @CredentialRoute() alone', async () => {
    const address = uniqueAddress();
    for (let i = 0; i < 4; i += 1) await refreshFrom(server, address);
    expectRateLimited(await refreshFrom(server, address));
    for (let i = 0; i < 5; i += 1) {
      const logout = await request(server)
        .post('/api/v1/auth/logout')
        .set(FORWARDED_FOR, address)
        .send({ refreshToken: 'not-a-token' });
      expect(logout.status).toBe(204);
    }
  });

  it('limits login and registration too', async () => {
    const address = uniqueAddress();
    const login = () =>
      request(server)
        .post('/api/v1/auth/login')
        .set(FORWARDED_FOR, address)
        .send({ email: 'nobody@example.com', password: 'wrong password' });
    for (let i = 0; i < 3; i += 1) expect((await login()).status).toBe(401);
    expectRateLimited(await login());

    const registerOnce = () =>
      request(server).post('/api/v1/auth/register').set(FORWARDED_FOR, address).send({ email: 'not an email' });
    for (let i = 0; i < 3; i += 1) expect((await registerOnce()).status).toBe(400);
    expectRateLimited(await registerOnce());
  });

  it('limits the password and email flows too', async () => {
    const routes: Array<[string, object]> = [
      ['/api/v1/auth/forgot-password', { email: 'nobody@example.com' }],
      ['/api/v1/auth/reset-password', { token: 'not-a-token', newPassword: 'a long enough passphrase' }],
      ['/api/v1/auth/verify-email', { token: 'not-a-token' }],
      ['/api/v1/auth/resend-verification', {}],
    ];
    // resend-verification needs a signed-in caller: the bearer check runs before the limit.
    const signedIn = await request(server)
      .post('/api/v1/auth/register')
      .set(FORWARDED_FOR, uniqueAddress())
      .send({ email: uniqueEmail('resend'), password: STRONG_PASSWORD });
    for (const [path, body] of routes) {
      const address = uniqueAddress();
      const send = () =>
        request(server)
          .post(path)
          .set(FORWARDED_FOR, address)
          .set('authorization', `Bearer ${signedIn.body.accessToken as string}`)
          .send(body);
      for (let i = 0; i < 3; i += 1) expect((await send()).status).not.toBe(429);
      expectRateLimited(await send());
    }
  });

  it('documents 429 on credential routes only', async () => {
    type Operation = { responses: Record<string, { content: Record<string, { schema: { allOf: unknown[] } }> }> };
    const document = (await request(server).get('/docs/openapi.json')).body as {
      paths: Record<string, { post: Operation }>;
    };
    const codesOf = (path: string) => {
      const response = document.paths[path].post.responses['429'];
      if (!response) return [];
      const [, narrowed] = response.content['application/problem+json'].schema.allOf as [
        unknown,
        { properties: { code: { enum: string[] } } },
      ];
      return narrowed.properties.code.enum;
    };
    expect(codesOf('/api/v1/auth/login')).toEqual(['TOO_MANY_ATTEMPTS', 'RATE_LIMITED']);
    expect(codesOf('/api/v1/auth/refresh')).toEqual(['RATE_LIMITED']);
    expect(codesOf('/api/v1/auth/forgot-password')).toEqual(['RATE_LIMITED']);
    expect(codesOf('/api/v1/auth/logout')).toEqual([]);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY', async () => {
    const direct = await startTestApp({ env: { THROTTLE_AUTH_LIMIT: '3' } });
    try {
      await direct.get(RedisConnection).ping(5_000);
      const directServer = direct.getHttpServer();
      for (let i = 0; i < 3; i += 1) expect((await refreshFrom(directServer, uniqueAddress())).status).toBe(401);
      expectRateLimited(await refreshFrom(directServer, uniqueAddress()));
    } finally {
      await direct.close();
    }
  });
});

describe('Rate limit shared through Redis', () => {
  const redisUrl = process.env.REDIS_URL;
  const itWithRedis = redisUrl ? it : it.skip;
  if (!redisUrl) {
    console.warn(
      'Shared rate-limit test skipped: REDIS_URL is not set (.ci/run sets it to the Redis on 127.0.0.1:6379)',
    );
  }

  itWithRedis('holds across two instances on one Redis', async () => {
    const env = {
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
      TRUST_PROXY: 'loopback',
      THROTTLE_AUTH_LIMIT: '3',
    };
    const first = await startTestApp({ env });
    const second = await startTestApp({ env });
    try {
      await Promise.all([first.get(RedisConnection).ping(5_000), second.get(RedisConnection).ping(5_000)]);
      const address = uniqueAddress();
      expect((await refreshFrom(first.getHttpServer(), address)).status).toBe(401);
      expect((await refreshFrom(first.getHttpServer(), address)).status).toBe(401);
      expect((await refreshFrom(second.getHttpServer(), address)).status).toBe(401);
      expectRateLimited(await refreshFrom(second.getHttpServer(), address));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('fails open when the configured Redis is unreachable, and the lockout still holds', async () => {
    const app = await startTestApp({
      env: {
        REDIS_URL: 'redis://127.0.0.1:1',
        TRUST_PROXY: 'loopback',
        THROTTLE_AUTH_LIMIT: '1',
        LOCKOUT_THRESHOLD: '2',
      },
    });
    try {
      const server = app.getHttpServer();
      const address = uniqueAddress();
      for (let i = 0; i < 3; i += 1) expect((await refreshFrom(server, address)).status).toBe(401);

      const login = () =>
        request(server)
          .post('/api/v1/auth/login')
          .set(FORWARDED_FOR, address)
          .send({ email: 'nobody@example.com', password: 'wrong password' });
      expect((await login()).status).toBe(401);
      expect((await login()).status).toBe(401);
      expect((await login()).body.code).toBe('TOO_MANY_ATTEMPTS');
    } finally {
      await app.close();
    }
  });
});
