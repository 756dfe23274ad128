import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PostgresRevocationChannel } from '../src/sessions/revocation/postgres-revocation-channel';
import { RedisRevocationChannel } from '../src/sessions/revocation/redis-revocation-channel';
import { RevocationChannel } from '../src/sessions/revocation/revocation-channel';
import { RevokedSessionsService } from '../src/sessions/revocation/revoked-sessions.service';
import { PrismaService } from '../src/prisma/prisma.service';
import { register, sessionIdOf } from './support/accounts';
import { TcpProxy } from './support/tcp-proxy';
import { startTestApp } from './support/test-app';

const SECRET = 'e2e-revocation-secret-with-more-than-32-bytes!!';
const REDIS_URL = process.env.REDIS_URL;
/** One deployment: its instances share a key prefix (each test app otherwise gets its own). */
const oneDeployment = () => ({ REDIS_KEY_PREFIX: `test:${randomUUID()}:` });

if (!REDIS_URL) {
  // Made visible in the run's output so a skip is never mistaken for a pass.
  console.warn('Redis revocation tests skipped: REDIS_URL is not set (.ci/run sets it to the Redis on 127.0.0.1:6379)');
}

// The instance that catches up from the session_revocations table every second instead of every 30 s.
const FAST_RESYNC = { REVOCATION_RESYNC_INTERVAL: '1s' };

const TRANSPORTS: Array<
  [string, string | undefined, typeof PostgresRevocationChannel | typeof RedisRevocationChannel]
> = [['Postgres NOTIFY', undefined, PostgresRevocationChannel]];
if (REDIS_URL) TRANSPORTS.push(['Redis pub/sub', REDIS_URL, RedisRevocationChannel]);

async function logout(server: Server, refreshToken: string): Promise<void> {
  await request(server).post('/api/v1/auth/logout').send({ refreshToken }).expect(204);
}

/**
 * Polls the instance's revoked-session set until it holds the session; the time since `startedAt` it
 * took, or undefined when it still does not `withinMs` after it. Not through HTTP: passport keeps its
 * strategies in one registry per process, so with several apps in one process every app's bearer
 * check runs the JwtStrategy (and revoked set) of the app created last.
 */
async function revokedAfterMs(
  app: NestFastifyApplication,
  sessionId: string,
  withinMs: number,
  startedAt = Date.now(),
): Promise<number | undefined> {
  const revokedSessions = app.get(RevokedSessionsService);
  while (Date.now() - startedAt < withinMs) {
    if (revokedSessions.isRevoked(sessionId)) return Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

describe.each(TRANSPORTS)('Revocation across instances through %s', (_name, redisUrl, transportClass) => {
  let first: NestFastifyApplication;
  let second: NestFastifyApplication;
  let resyncing: NestFastifyApplication;

  beforeAll(async () => {
    const env = { JWT_ACCESS_SECRET: SECRET, REDIS_URL: redisUrl, ...oneDeployment() };
    [first, second, resyncing] = await Promise.all([
      startTestApp({ env }),
      startTestApp({ env }),
      startTestApp({ env: { ...env, ...FAST_RESYNC } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([first.close(), second.close(), resyncing.close()]);
  });

  it('is the transport REDIS_URL selects', () => {
    expect(second.get(RevocationChannel)).toBeInstanceOf(transportClass);
  });

  it('a logout on one instance reaches the other within one second', async () => {
    const pair = await register(first.getHttpServer());
    const sessionId = sessionIdOf(pair.accessToken);
    expect(second.get(RevokedSessionsService).isRevoked(sessionId)).toBe(false);

    const loggedOutAt = Date.now();
    await logout(first.getHttpServer(), pair.refreshToken);
    expect(await revokedAfterMs(second, sessionId, 1000, loggedOutAt)).toBeDefined();
  });

  it('announces a logout-all of hundreds of sessions (more than one NOTIFY payload holds)', async () => {
    const pair = await register(first.getHttpServer());
    const now = Date.now();
    const others = await first.get(PrismaService).session.createManyAndReturn({
      data: Array.from({ length: 300 }, () => ({
        userId: pair.user.id,
        idleExpiresAt: new Date(now + 3_600_000),
        absoluteExpiresAt: new Date(now + 3_600_000),
      })),
      select: { id: true },
    });

    const loggedOutAt = Date.now();
    await request(first.getHttpServer())
      .post('/api/v1/auth/logout-all')
      .set('authorization', `Bearer ${pair.accessToken}`)
      .expect(204);
    expect(await revokedAfterMs(second, sessionIdOf(pair.accessToken), 1000, loggedOutAt)).toBeDefined();
    const revokedSessions = second.get(RevokedSessionsService);
    expect(others.filter((session) => !revokedSessions.isRevoked(session.id))).toEqual([]);
  });

  it('catches up within the resync interval with a revocation no instance announced', async () => {
    const pair = await register(first.getHttpServer());
    const sessionId = sessionIdOf(pair.accessToken);

    // What a revoking transaction writes, without the announcement.
    const writtenAt = Date.now();
    const prisma = first.get(PrismaService);
    const revokedAt = new Date();
    await prisma.$transaction([
      prisma.session.update({ where: { id: sessionId }, data: { revokedAt, revokedReason: 'REVOKED_BY_ADMIN' } }),
      prisma.sessionRevocation.create({ data: { sessionId, revokedAt } }),
    ]);
    expect(await revokedAfterMs(resyncing, sessionId, 2500, writtenAt)).toBeDefined();
    // The instances that resync every 30 s have not seen it: nothing but the resync carried it.
    expect(second.get(RevokedSessionsService).isRevoked(sessionId)).toBe(false);
  });
});

(REDIS_URL ? describe : describe.skip)('Revocation over Redis through a lost connection', () => {
  let proxy: TcpProxy;
  let first: NestFastifyApplication;
  let cutOff: NestFastifyApplication;

  beforeAll(async () => {
    const redisUrl = new URL(REDIS_URL!);
    redisUrl.port ||= '6379';
    proxy = await TcpProxy.start(redisUrl.toString());
    const deployment = oneDeployment();
    first = await startTestApp({ env: { JWT_ACCESS_SECRET: SECRET, REDIS_URL: redisUrl.toString(), ...deployment } });
    cutOff = await startTestApp({
      env: { JWT_ACCESS_SECRET: SECRET, REDIS_URL: proxy.rewrite(redisUrl.toString()), ...deployment },
    });
  });

  afterAll(async () => {
    await Promise.all([first.close(), cutOff.close()]);
    await proxy.close();
  });

  it('reloads what it missed from the table when Redis is back, then receives announcements again', async () => {
    const missed = await register(first.getHttpServer());
    proxy.cut();
    await logout(first.getHttpServer(), missed.refreshToken);
    // The announcement went to a Redis the other instance cannot reach, and its resync is 30 s away.
    expect(await revokedAfterMs(cutOff, sessionIdOf(missed.accessToken), 300)).toBeUndefined();

    const restoredAt = Date.now();
    proxy.restore();
    expect(await revokedAfterMs(cutOff, sessionIdOf(missed.accessToken), 3000, restoredAt)).toBeDefined();

    const next = await register(first.getHttpServer());
    const loggedOutAt = Date.now();
    await logout(first.getHttpServer(), next.refreshToken);
    expect(await revokedAfterMs(cutOff, sessionIdOf(next.accessToken), 1000, loggedOutAt)).toBeDefined();
  });
});

(REDIS_URL ? describe : describe.skip)('Two deployments on one Redis', () => {
  let blue: NestFastifyApplication;
  let blueAgain: NestFastifyApplication;
  let green: NestFastifyApplication;

  beforeAll(async () => {
    const env = { JWT_ACCESS_SECRET: SECRET, REDIS_URL };
    const bluePrefix = oneDeployment();
    [blue, blueAgain, green] = await Promise.all([
      startTestApp({ env: { ...env, ...bluePrefix } }),
      startTestApp({ env: { ...env, ...bluePrefix } }),
      startTestApp({ env: { ...env, ...oneDeployment() } }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([blue.close(), blueAgain.close(), green.close()]);
  });

  it('hear only their own revocations: each subscribes under its REDIS_KEY_PREFIX', async () => {
    const pair = await register(blue.getHttpServer());
    const sessionId = sessionIdOf(pair.accessToken);
    const loggedOutAt = Date.now();
    await logout(blue.getHttpServer(), pair.refreshToken);
    expect(await revokedAfterMs(blueAgain, sessionId, 1000, loggedOutAt)).toBeDefined();
    // Long enough for the announcement to have arrived had green been listening (green's resync is 30 s away).
    expect(await revokedAfterMs(green, sessionId, 1000)).toBeUndefined();
  });
});

describe('Revocations loaded at boot', () => {
  it('an instance starting after a mass revocation loads every session of it, page by page', async () => {
    const seeder = await startTestApp({ env: { JWT_ACCESS_SECRET: SECRET } });
    // 12,001 sessions over 13 instants: pages of 5,000 end in the middle of an instant.
    const revoked = await seeder.get(PrismaService).$queryRaw<Array<{ id: string }>>`
      INSERT INTO session_revocations (session_id, revoked_at)
      SELECT gen_random_uuid(), date_trunc('second', now()) - (n / 1000) * interval '1 second'
      FROM generate_series(0, 12000) AS n
      RETURNING session_id::text AS id`;
    await seeder.close();

    const booted = await startTestApp({ env: { JWT_ACCESS_SECRET: SECRET } });
    try {
      const revokedSessions = booted.get(RevokedSessionsService);
      expect(revoked.filter(({ id }) => !revokedSessions.isRevoked(id))).toEqual([]);
    } finally {
      await booted.close();
    }
  });
});
