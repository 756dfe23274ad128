import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { bearer, login, refresh, register, STRONG_PASSWORD, TokenPair, uniqueEmail } from './support/accounts';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp } from './support/test-app';

const CONNECT_TIMEOUT_MS = 1000;
// Headroom for a 2-core machine that is busy with other test files.
const RESPONSE_TIME_LIMIT_MS = CONNECT_TIMEOUT_MS + 2500;
const WORKERS = 8;

interface Outcome {
  readonly kind: string;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly status: number | 'no response';
  readonly code?: unknown;
  readonly problemStatus?: unknown;
  readonly contentType?: string;
}

describe('A database outage under load', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await TcpProxy.start(process.env.DATABASE_URL!);
    app = await startTestApp({
      env: { DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!), DATABASE_CONNECT_TIMEOUT: '1s' },
    });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
    await proxy.close();
  });

  it('answers 503 (or 401 where no database is needed) while the database is cut, never hangs, and recovers', async () => {
    const earlier = await register(server);
    const streamUser = await register(server);

    const mixed: Array<[string, () => request.Test]> = [
      [
        'register',
        () =>
          request(server)
            .post('/api/v1/auth/register')
            .send({ email: uniqueEmail('outage'), password: STRONG_PASSWORD }),
      ],
      [
        'login',
        () =>
          request(server).post('/api/v1/auth/login').send({ email: streamUser.user.email, password: STRONG_PASSWORD }),
      ],
      ['me', () => request(server).get('/api/v1/auth/me').set(bearer(streamUser.accessToken))],
      ['me with a bad token', () => request(server).get('/api/v1/auth/me').set(bearer('not.a.token'))],
      ['refresh', () => refresh(server, 'an-unknown-refresh-token-of-sufficient-length-000000')],
    ];

    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async (offset: number) => {
      for (let turn = offset; running; turn++) {
        const [kind, send] = mixed[turn % mixed.length];
        const startedAt = Date.now();
        const response = await send().then(
          (answer) => answer,
          () => undefined,
        );
        outcomes.push({
          kind,
          startedAt,
          endedAt: Date.now(),
          status: response?.status ?? 'no response',
          code: response?.body?.code,
          problemStatus: response?.body?.status,
          contentType: response?.headers['content-type'],
        });
      }
    };
    const load = Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));

    await sleep(1000);
    const cutAt = Date.now();
    proxy.cut();
    await sleep(3000);
    const restoredAt = Date.now();
    proxy.restore();
    await sleep(1500);
    running = false;
    await load;

    expect(outcomes.filter((outcome) => outcome.status === 'no response')).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.status === 500)).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.endedAt - outcome.startedAt > RESPONSE_TIME_LIMIT_MS)).toEqual([]);

    const duringOutage = outcomes.filter((outcome) => outcome.startedAt > cutAt && outcome.endedAt < restoredAt);
    expect(duringOutage.length).toBeGreaterThan(WORKERS);
    for (const outcome of duringOutage) {
      const expected =
        outcome.kind === 'me with a bad token'
          ? { status: 401, code: 'INVALID_TOKEN' }
          : { status: 503, code: 'SERVICE_UNAVAILABLE' };
      expect(outcome).toMatchObject({ ...expected, problemStatus: expected.status });
      expect(outcome.contentType).toMatch(/^application\/problem\+json/);
    }
    // Every kind of request saw the outage.
    expect(new Set(duringOutage.map((outcome) => outcome.kind)).size).toBe(mixed.length);

    // No restart: the same app serves again, and what existed before the outage is still there.
    const later = outcomes.filter((outcome) => outcome.startedAt > restoredAt + 500);
    expect(later.filter((outcome) => outcome.kind === 'login').every((outcome) => outcome.status === 200)).toBe(true);
    const again: TokenPair = await login(server, earlier.user.email);
    expect(again.user.id).toBe(earlier.user.id);
    const refreshed = await refresh(server, earlier.refreshToken);
    expect(refreshed.status).toBe(200);
    expect((await request(server).get('/api/v1/auth/me').set(bearer(refreshed.body.accessToken))).status).toBe(200);
    await register(server);
  }, 60_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
