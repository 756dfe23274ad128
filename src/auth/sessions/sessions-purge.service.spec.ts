import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../../config/app-config';
import { PrismaService } from '../../prisma/prisma.service';
import { SessionsPurgeService } from './sessions-purge.service';

const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', SESSION_PURGE_RETENTION: '7d' });

/**
 * A database whose batches delete the given counts in turn, and whose purge lock another instance
 * holds at the attempts (0, 1, ...) for which `takenAt` says so.
 */
function fakeDatabase(batches: number[], { takenAt = (attempt: number) => attempt < 0 } = {}) {
  const deletes: unknown[][] = [];
  let attempts = 0;
  const transaction = {
    $queryRaw: jest.fn(() => Promise.resolve([{ acquired: !takenAt(attempts++) }])),
    $executeRaw: jest.fn((...query: unknown[]) => {
      deletes.push(query);
      return Promise.resolve(batches.shift() ?? 0);
    }),
  };
  const prisma = {
    $transaction: jest.fn((work: (tx: typeof transaction) => Promise<unknown>) => work(transaction)),
  } as unknown as PrismaService;
  return { prisma, deletes };
}

describe('SessionsPurgeService', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('deletes batch after batch until one comes back short', async () => {
    const { prisma, deletes } = fakeDatabase([3, 3, 1]);
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    expect(await purge.purgeExpired()).toBe(7);
    const tables = deletes.map(([sql]) => /DELETE FROM (\w+)/.exec((sql as string[]).join(''))?.[1]);
    // Three batches of sessions, then the expired reset and verification tokens, then old revocations.
    expect(tables).toEqual(['sessions', 'sessions', 'sessions', 'action_tokens', 'session_revocations']);
  });

  it('forgets a revocation an hour after any access token of its session could have expired', async () => {
    const { prisma, deletes } = fakeDatabase([0, 0, 0]);
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    await purge.purgeExpired(new Date('2030-01-08T00:00:00Z'));
    // JWT_ACCESS_TTL defaults to 15 minutes.
    expect(deletes[2]).toContainEqual(new Date('2030-01-07T22:45:00Z'));
  });

  it('deletes what ended before now minus the retention', async () => {
    const { prisma, deletes } = fakeDatabase([0]);
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    await purge.purgeExpired(new Date('2030-01-08T00:00:00Z'));
    expect(deletes[0]).toContainEqual(new Date('2030-01-01T00:00:00Z'));
  });

  it('deletes nothing while another instance holds the lock', async () => {
    const { prisma, deletes } = fakeDatabase([3], { takenAt: () => true });
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    expect(await purge.purgeExpired()).toBe(0);
    expect(deletes).toHaveLength(0);
  });

  it('does not go on to the tokens when another instance is purging, so it never takes the lock from it', async () => {
    const { prisma, deletes } = fakeDatabase([3], { takenAt: (attempt) => attempt === 0 });
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    expect(await purge.purgeExpired()).toBe(0);
    expect(deletes).toHaveLength(0);
  });

  it('leaves the rest, tokens included, to an instance that took the lock between two batches', async () => {
    const { prisma, deletes } = fakeDatabase([3, 3, 1], { takenAt: (attempt) => attempt === 1 });
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    expect(await purge.purgeExpired()).toBe(3);
    expect(deletes).toHaveLength(1);
  });

  it('on shutdown, lets the scheduled run finish its batch and starts no other', async () => {
    const { prisma, deletes } = fakeDatabase([3, 3, 3, 3]);
    const purge = new SessionsPurgeService(prisma, config, { batchSize: 3 });
    const run = purge.purgeOnSchedule();
    await purge.beforeApplicationShutdown();
    await run;
    expect(deletes).toHaveLength(1);
    await purge.purgeOnSchedule();
    expect(deletes).toHaveLength(1);
  });

  it('logs a failed scheduled run instead of throwing it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const prisma = { $transaction: jest.fn(() => Promise.reject(new Error('database down'))) };
    const purge = new SessionsPurgeService(prisma as unknown as PrismaService, config);
    await expect(purge.purgeOnSchedule()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('Session purge failed: database down');
  });
});
