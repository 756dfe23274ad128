import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, login, me, refresh, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { freePort } from './support/free-port';
import { eventually } from './support/eventually';
import { createIsolatedDatabase, IsolatedDatabase } from './support/isolated-database';
import { startTestApp } from './support/test-app';

/** One sample of the Prometheus text exposition, by its name and exact labels (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (wanted.every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return 0;
}

describe('Metrics at /metrics', () => {
  let app: NestFastifyApplication;
  let server: Server;
  const scrape = async () => {
    const response = await request(server).get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text;
  };

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
  });

  afterAll(() => app.close());

  it('counts logins by outcome, refreshes and reuse, and requests by route pattern', async () => {
    const email = uniqueEmail('metrics');
    await register(server, email);
    const before = await scrape();

    const pair = await login(server, email);
    await request(server)
      .post('/api/v1/auth/login')
      .send({ email, password: `${STRONG_PASSWORD}!` })
      .expect(401);
    await refresh(server, pair.refreshToken).expect(200);
    await refresh(server, pair.refreshToken).expect(401);
    await request(server).get('/api/v1/users/00000000-0000-4000-8000-000000000000').expect(401);
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect({
      succeeded: delta('auth_events_total', { type: 'LOGIN_SUCCEEDED' }),
      failed: delta('auth_events_total', { type: 'LOGIN_FAILED' }),
      reuseEvents: delta('auth_events_total', { type: 'REFRESH_TOKEN_REUSED' }),
      rotated: delta('auth_refreshes_total', { outcome: 'rotated' }),
      reused: delta('auth_refreshes_total', { outcome: 'reused' }),
      logins: delta('http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/auth/login',
        status_code: '200',
      }),
      refused: delta('http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/auth/login',
        status_code: '401',
      }),
    }).toEqual({ succeeded: 1, failed: 1, reuseEvents: 1, rotated: 1, reused: 1, logins: 1, refused: 1 });
    // A route is labelled by its pattern, so ids never make new series.
    expect(
      sample(after, 'http_request_duration_seconds_count', { route: '/api/v1/users/:id', status_code: '401' }),
    ).toBeGreaterThan(0);
    expect(after).not.toContain('00000000-0000-4000-8000-000000000000');
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(after).toMatch(/^process_resident_memory_bytes /m);
  });
});

describe('Metrics on METRICS_PORT, or off', () => {
  it('serves them on their own listener only when METRICS_PORT is set, and nowhere with METRICS_ENABLED=false', async () => {
    const port = await freePort();
    const separate = await startTestApp({ env: { METRICS_PORT: String(port), HOST: '127.0.0.1' } });
    try {
      await request(separate.getHttpServer()).get('/metrics').expect(404);
      const scraped = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/^# HELP auth_events_total /m);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await separate.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();

    const off = await startTestApp({ env: { METRICS_ENABLED: 'false' } });
    try {
      await request(off.getHttpServer()).get('/metrics').expect(404);
    } finally {
      await off.close();
    }
  });
});

describe('PostgreSQL pool metrics', () => {
  it('counts busy and idle connections, and the requests waiting for one when every one is busy', async () => {
    const app = await startTestApp({ env: { DATABASE_POOL_SIZE: '1' } });
    const server = app.getHttpServer();
    const scrape = async () => (await request(server).get('/metrics').expect(200)).text;
    let release = () => {};
    const held = app
      .get(PrismaService)
      .$transaction(() => new Promise<void>((resolve) => (release = resolve)), { timeout: 30_000 });
    try {
      expect(
        await eventually(async () => sample(await scrape(), 'db_pool_connections', { state: 'busy' }) === 1),
      ).toBeDefined();
      const waiting = request(server)
        .post('/api/v1/auth/login')
        .send({ email: uniqueEmail(), password: STRONG_PASSWORD });
      const whileWaiting = waiting.then((response) => response.status);
      expect(await eventually(async () => sample(await scrape(), 'db_pool_waiting_requests') >= 1)).toBeDefined();
      const text = await scrape();
      expect(sample(text, 'db_pool_max_connections')).toBe(1);
      expect(sample(text, 'db_pool_connections', { state: 'idle' })).toBe(0);

      release();
      await held;
      expect(await whileWaiting).toBe(401);
      const after = await scrape();
      expect(sample(after, 'db_pool_waiting_requests')).toBe(0);
      expect(sample(after, 'db_pool_connections', { state: 'busy' })).toBe(0);
      expect(sample(after, 'db_pool_connections', { state: 'idle' })).toBe(1);
    } finally {
      release();
      await held.catch(() => undefined);
      await app.close();
    }
  });
});

describe('Revocation propagation lag', () => {
  let database: IsolatedDatabase;
  beforeAll(async () => {
    database = await createIsolatedDatabase('lag');
  });
  afterAll(() => database.drop());

  it('is observed by the instance a revocation reaches, not by the one that revoked', async () => {
    // One deployment: one database (NOTIFY is database-wide) and, with Redis, one key prefix.
    const env = { DATABASE_URL: database.url, REDIS_KEY_PREFIX: `test:${randomUUID()}:` };
    const revoking = await startTestApp({ env });
    const receiving = await startTestApp({ env });
    const lagCount = async (app: NestFastifyApplication) =>
      sample(
        (await request(app.getHttpServer()).get('/metrics').expect(200)).text,
        'auth_revocation_propagation_seconds_count',
        { via: 'channel' },
      );
    try {
      const pair = await register(revoking.getHttpServer());
      await request(revoking.getHttpServer())
        .post('/api/v1/auth/logout')
        .set(bearer(pair.accessToken))
        .send({ refreshToken: pair.refreshToken })
        .expect(204);
      expect(await eventually(async () => (await lagCount(receiving)) === 1)).toBeDefined();
      await me(receiving.getHttpServer(), pair.accessToken).expect(401);
      expect(await lagCount(revoking)).toBe(0);
      const text = (await request(receiving.getHttpServer()).get('/metrics').expect(200)).text;
      // Within the same second on one machine: the first buckets already hold it.
      expect(sample(text, 'auth_revocation_propagation_seconds_bucket', { via: 'channel', le: '1' })).toBe(1);
    } finally {
      await Promise.all([revoking.close(), receiving.close()]);
    }
  });
});
