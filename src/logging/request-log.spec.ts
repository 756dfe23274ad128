import Fastify from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import { logEveryRequest } from './request-log';

type Line = Record<string, unknown> & { msg: string; level: number };

// nestjs-pino keeps one root logger per process: one app, whose level a test changes.
async function appLoggingAt(level: string) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const context = new PinoLogger({ pinoHttp: [{ level, wrapSerializers: false, autoLogging: false }, sink] });
  const fastify = Fastify();
  logEveryRequest(fastify, context, PinoLogger.root);
  fastify.get('/work', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    context.warn('inside the handler');
    return { ok: true };
  });
  fastify.get('/api/v1/health', () => ({ status: 'ok' }));
  // What the bearer guard leaves on the request.
  fastify.get('/mine', (request) => {
    Object.assign(request, { user: { id: 'user-1', sessionId: 'session-1', role: 'USER' } });
    return { ok: true };
  });
  await fastify.ready();
  return { fastify, lines };
}

describe('logEveryRequest', () => {
  let app: Awaited<ReturnType<typeof appLoggingAt>>;
  beforeAll(async () => {
    app = await appLoggingAt('info');
  });
  beforeEach(() => {
    app.lines.length = 0;
    PinoLogger.root.level = 'info';
  });

  it('writes one line per answer and tags what the handler logs with the same request id', async () => {
    const { fastify, lines } = app;
    await fastify.inject({ url: '/work?token=secret', headers: { 'user-agent': 'probe/1' } });
    const inside = lines.find((line) => line.msg === 'inside the handler');
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(inside?.reqId).toBe(completed?.reqId);
    expect(completed).toMatchObject({
      level: 30,
      req: { id: completed?.reqId, method: 'GET', url: '/work', userAgent: 'probe/1', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(completed).not.toHaveProperty('userId');
    expect(typeof completed?.reqId).toBe('string');
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('names the user and session of an authenticated request, and never the role or a token', async () => {
    const { fastify, lines } = app;
    await fastify.inject({ url: '/mine', headers: { authorization: 'Bearer a.b.c' } });
    const completed = lines.find((line) => line.msg === 'request completed');
    expect(completed).toMatchObject({ userId: 'user-1', sessionId: 'session-1' });
    expect(JSON.stringify(completed)).not.toMatch(/USER|a\.b\.c/);
  });

  it('skips health probes, and successes below the level, but not failures', async () => {
    const { fastify, lines } = app;
    PinoLogger.root.level = 'warn';
    await fastify.inject({ url: '/api/v1/health' });
    await fastify.inject({ url: '/work' });
    await fastify.inject({ url: '/missing' });
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        level: 40,
        req: expect.objectContaining({ url: '/missing' }),
        res: { statusCode: 404 },
      }),
    ]);
    expect(lines.some((line) => line.msg === 'inside the handler')).toBe(true);
  });
});
