import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Server } from 'node:http';
import { Client } from 'pg';
import { ActionTokensPurgeService } from '../src/auth/action-tokens/action-tokens-purge.service';
import { PURGE_LOCK_NAME, SessionsPurgeService } from '../src/sessions/purge/sessions-purge.service';
import { PrismaService } from '../src/prisma/prisma.service';
import { login, refresh, register, sessionIdOf, TokenPair, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const DAY_MS = 86_400_000;
// SESSION_PURGE_RETENTION is 7 days by default: 8 days ago is past it, 6 days ago is not.
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

describe('Sessions purge', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;
  let purge: SessionsPurgeService;

  /** `count` sessions of a new user that were revoked long enough ago to be purged (beside its live one). */
  async function oldSessions(count: number): Promise<string> {
    const { user } = await register(server);
    // In SQL: createMany takes seconds for thousands of rows through the driver adapter.
    await prisma.$executeRaw`
      INSERT INTO sessions (id, user_id, idle_expires_at, absolute_expires_at, revoked_at, revoked_reason)
      SELECT gen_random_uuid(), ${user.id}::uuid, ${daysAgo(1)}, ${daysAgo(1)}, ${daysAgo(8)}, 'LOGOUT'
      FROM generate_series(1, ${count})`;
    return user.id;
  }

  const revokedSessionsOf = (userId: string) => prisma.session.count({ where: { userId, revokedAt: { not: null } } });

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
    purge = app.get(SessionsPurgeService);
    // Whatever an interrupted earlier run on this database left behind, so counts below are exact.
    await purge.purgeExpired();
  });

  afterAll(async () => {
    await app.close();
  });

  it('deletes exactly the sessions that ended longer than the retention ago, with their refresh tokens', async () => {
    const email = uniqueEmail();
    await register(server, email);
    const pairs = await Promise.all(Array.from({ length: 6 }, () => login(server, email)));
    const [live, revokedRecently, revokedLongAgo, idleLongAgo, absoluteLongAgo, idleRecently] = pairs;
    const rotated = await refresh(server, live.refreshToken);
    expect(rotated.status).toBe(200);

    const move = (pair: TokenPair, data: Parameters<PrismaService['session']['update']>[0]['data']) =>
      prisma.session.update({ where: { id: sessionIdOf(pair) }, data });
    await move(revokedRecently, { revokedAt: daysAgo(6), revokedReason: 'LOGOUT' });
    await move(revokedLongAgo, { revokedAt: daysAgo(8), revokedReason: 'LOGOUT' });
    await move(idleLongAgo, { idleExpiresAt: daysAgo(8) });
    // Rotation keeps the idle expiry within the absolute one, so an absolute expiry drags it along.
    await move(absoluteLongAgo, { idleExpiresAt: daysAgo(8), absoluteExpiresAt: daysAgo(8) });
    await move(idleRecently, { idleExpiresAt: daysAgo(6) });

    const gone = [revokedLongAgo, idleLongAgo, absoluteLongAgo].map(sessionIdOf);
    const kept = [live, revokedRecently, idleRecently].map(sessionIdOf);
    expect(await prisma.refreshToken.count({ where: { sessionId: { in: gone } } })).toBe(3);

    expect(await purge.purgeExpired()).toBe(3);

    const remaining = await prisma.session.findMany({
      where: { id: { in: [...gone, ...kept] } },
      select: { id: true },
    });
    expect(remaining.map((session) => session.id).sort()).toEqual([...kept].sort());
    expect(await prisma.refreshToken.count({ where: { sessionId: { in: gone } } })).toBe(0);
    // The live session keeps both its consumed and its current token, and still refreshes.
    expect(await prisma.refreshToken.count({ where: { sessionId: sessionIdOf(live) } })).toBe(2);
    expect((await refresh(server, rotated.body.refreshToken)).status).toBe(200);
  });

  it('deletes in batches of 1000, each its own transaction, until a batch comes back short', async () => {
    const userId = await oldSessions(2500);
    const transactions = jest.spyOn(prisma, '$transaction');
    try {
      expect(await purge.purgeExpired()).toBe(2500);
      // Three batches of sessions, then one (short) batch of revocations older than any access token.
      expect(transactions).toHaveBeenCalledTimes(4);
    } finally {
      transactions.mockRestore();
    }
    expect(await revokedSessionsOf(userId)).toBe(0);
  });

  it('deletes reset and verification tokens past their expiry, used or not, and keeps valid ones', async () => {
    const { user } = await register(server);
    const token = (purpose: 'PASSWORD_RESET' | 'EMAIL_VERIFICATION', expiresAt: Date, usedAt: Date | null = null) =>
      prisma.actionToken.create({
        data: { userId: user.id, purpose, tokenHash: randomBytes(32), expiresAt, usedAt },
        select: { id: true },
      });
    const expired = await token('PASSWORD_RESET', daysAgo(1));
    const usedAndExpired = await token('EMAIL_VERIFICATION', daysAgo(1), daysAgo(2));
    const valid = await token('PASSWORD_RESET', new Date(Date.now() + 60_000));

    await app.get(ActionTokensPurgeService).purgeExpired();

    const remaining = await prisma.actionToken.findMany({
      where: { id: { in: [expired.id, usedAndExpired.id, valid.id] } },
      select: { id: true },
    });
    expect(remaining).toEqual([valid]);
  });

  it('skips while another instance holds the purge lock', async () => {
    const userId = await oldSessions(5);
    const otherInstance = new Client({ connectionString: process.env.DATABASE_URL });
    await otherInstance.connect();
    try {
      await otherInstance.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [PURGE_LOCK_NAME]);
      expect(await purge.purgeExpired()).toBe(0);
      expect(await revokedSessionsOf(userId)).toBe(5);
    } finally {
      await otherInstance.end();
    }
    expect(await purge.purgeExpired()).toBe(5);
  });

  it('runs concurrently on two instances without errors, deleting every row once', async () => {
    const userId = await oldSessions(2500);
    const other = await startTestApp();
    try {
      const counts = await Promise.all([purge.purgeExpired(), other.get(SessionsPurgeService).purgeExpired()]);
      expect(counts[0] + counts[1]).toBe(2500);
    } finally {
      await other.close();
    }
    expect(await revokedSessionsOf(userId)).toBe(0);
  });

  it('runs every ten minutes from the scheduler, which stops with the application', async () => {
    const other = await startTestApp();
    const scheduler = other.get(SchedulerRegistry);
    expect(scheduler.doesExist('interval', 'sessions-purge')).toBe(true);
    expect(scheduler.doesExist('interval', 'action-tokens-purge')).toBe(true);
    await other.close();
    expect(scheduler.doesExist('interval', 'sessions-purge')).toBe(false);
    expect(scheduler.doesExist('interval', 'action-tokens-purge')).toBe(false);
  });
});
