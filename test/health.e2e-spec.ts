import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp } from './support/test-app';

describe('Health', () => {
  describe('with the database up', () => {
    let app: NestFastifyApplication;

    beforeAll(async () => {
      app = await startTestApp();
    });

    afterAll(async () => {
      await app.close();
    });

    it('answers liveness with 200', async () => {
      const response = await request(app.getHttpServer()).get('/api/v1/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
    });

    it('answers readiness with 200 and the database up', async () => {
      const response = await request(app.getHttpServer()).get('/api/v1/health/ready');
      expect(response.status).toBe(200);
      expect(response.body.details.database.status).toBe('up');
    });
  });

  describe('through a database outage', () => {
    let app: NestFastifyApplication;
    let proxy: TcpProxy;

    beforeAll(async () => {
      proxy = await TcpProxy.start(process.env.DATABASE_URL!);
      app = await startTestApp({
        env: { DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!), DATABASE_CONNECT_TIMEOUT: '1s' },
      });
    });

    afterAll(async () => {
      await app.close();
      await proxy.close();
    });

    it('is ready, goes 503 while the database is unreachable, and recovers by itself', async () => {
      const ready = () => request(app.getHttpServer()).get('/api/v1/health/ready');

      expect((await ready()).status).toBe(200);

      proxy.cut();
      const down = await ready();
      expect(down.status).toBe(503);
      expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(down.body).toMatchObject({
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        detail: 'Not ready: database unreachable',
      });

      // Liveness does not depend on the database: a load balancer must not restart a healthy process.
      expect((await request(app.getHttpServer()).get('/api/v1/health')).status).toBe(200);

      proxy.restore();
      expect((await ready()).status).toBe(200);
    });
  });

  describe('with a Redis configured', () => {
    const redisUrl = process.env.REDIS_URL;
    const itWithRedis = redisUrl ? it : it.skip;
    if (!redisUrl) {
      // Made visible in the run's output so a skip is never mistaken for a pass.
      console.warn(
        'Redis readiness tests skipped: REDIS_URL is not set (.ci/run sets it to the Redis on 127.0.0.1:6379)',
      );
    }

    itWithRedis('reports Redis in readiness', async () => {
      const app = await startTestApp({ env: { REDIS_URL: redisUrl } });
      try {
        const response = await request(app.getHttpServer()).get('/api/v1/health/ready');
        expect(response.status).toBe(200);
        expect(response.body.details.redis.status).toBe('up');
      } finally {
        await app.close();
      }
    });

    it('answers 503 naming Redis when the configured Redis is unreachable', async () => {
      const app = await startTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
      try {
        const response = await request(app.getHttpServer()).get('/api/v1/health/ready');
        expect(response.status).toBe(503);
        expect(response.body.detail).toBe('Not ready: redis unreachable');
      } finally {
        await app.close();
      }
    });
  });

  describe('after the event loop stalled', () => {
    it('answers liveness 503 for a few seconds, then 200 again, while readiness is unaffected', async () => {
      const app = await startTestApp({ env: { LIVENESS_EVENT_LOOP_LIMIT: '1s' } });
      try {
        const server = app.getHttpServer();
        await request(server).get('/api/v1/health').expect(200);
        // What a synchronous loop in a handler does to every request of the instance.
        const until = Date.now() + 1600;
        while (Date.now() < until);
        const stalled = await request(server).get('/api/v1/health');
        expect(stalled.status).toBe(503);
        const stalledMs = Number(/^Not live: the event loop stalled for (\d+) ms$/.exec(stalled.body.detail)?.[1]);
        expect(stalledMs).toBeGreaterThan(1000);
        await request(server).get('/api/v1/health/ready').expect(200);
        await new Promise((resolve) => setTimeout(resolve, 5500));
        await request(server).get('/api/v1/health').expect(200);
      } finally {
        await app.close();
      }
    }, 30_000);
  });
});
