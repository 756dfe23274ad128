import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { me, refresh, register, sessionIdOf, TokenPair } from './support/accounts';
import { startTestApp } from './support/test-app';

const GRACE_SECONDS = 30;

describe(`POST /auth/refresh with REFRESH_REUSE_GRACE=${GRACE_SECONDS}s`, () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ env: { REFRESH_REUSE_GRACE: `${GRACE_SECONDS}s` } });
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app.close();
  });

  it('gives 50 concurrent racers with one token the same current pair, mints one successor, and keeps the session', async () => {
    const pair = await register(server);
    const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(server, pair.refreshToken)));

    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    const current = responses[0].body as TokenPair;
    expect(current.refreshToken).not.toBe(pair.refreshToken);
    for (const response of responses) {
      expect(response.body.refreshToken).toBe(current.refreshToken);
      expect(response.body.accessToken).toBe(current.accessToken);
      expect(response.body.expiresIn).toBeGreaterThan(0);
    }
    const generations = await prisma.refreshToken.findMany({
      where: { sessionId: sessionIdOf(pair) },
      select: { generation: true },
      orderBy: { generation: 'asc' },
    });
    expect(generations).toEqual([{ generation: 0 }, { generation: 1 }]);

    expect((await me(server, current.accessToken)).status).toBe(200);
    const next = await refresh(server, current.refreshToken);
    expect(next.status).toBe(200);
    expect((await me(server, next.body.accessToken)).status).toBe(200);
  });

  it('stores the racers’ pair encrypted: neither token appears in the row', async () => {
    const pair = await register(server);
    const current = (await refresh(server, pair.refreshToken)).body as TokenPair;
    const consumed = await prisma.refreshToken.findFirstOrThrow({
      where: { sessionId: sessionIdOf(pair), generation: 0 },
    });
    expect(consumed.successorSealed).not.toBeNull();
    const stored = Buffer.from(consumed.successorSealed!).toString('latin1');
    expect(stored).not.toContain(current.refreshToken);
    expect(stored).not.toContain(current.accessToken.split('.')[1]);
  });

  it('treats the predecessor as reuse once its successor has been used, and ends the session', async () => {
    const first = await register(server);
    const second = (await refresh(server, first.refreshToken)).body as TokenPair;
    const third = (await refresh(server, second.refreshToken)).body as TokenPair;

    const replay = await refresh(server, first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh(server, third.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    expect((await me(server, third.accessToken)).body.code).toBe('SESSION_REVOKED');
  });

  it('treats the predecessor as reuse after the grace', async () => {
    const first = await register(server);
    const second = (await refresh(server, first.refreshToken)).body as TokenPair;
    await prisma.refreshToken.updateMany({
      where: { sessionId: sessionIdOf(first), generation: 0 },
      data: { rotatedAt: new Date(Date.now() - (GRACE_SECONDS + 1) * 1000) },
    });

    const replay = await refresh(server, first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await me(server, second.accessToken)).body.code).toBe('SESSION_REVOKED');
  });

  it('gives the predecessor nothing once the session has been logged out', async () => {
    const first = await register(server);
    const second = (await refresh(server, first.refreshToken)).body as TokenPair;
    expect((await request(server).post('/api/v1/auth/logout').send({ refreshToken: second.refreshToken })).status).toBe(
      204,
    );

    const replay = await refresh(server, first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
  });
});
