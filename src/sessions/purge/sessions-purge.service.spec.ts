import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../../config/app-config';
import { InMemoryTransactions } from '../../prisma/in-memory-transactions';
import type { Transactions } from '../../prisma/transactions';
import type { SessionRevocationsRepository } from '../revocation/session-revocations.repository';
import type { SessionsRepository } from '../sessions.repository';
import { PURGE_BATCH_SIZE, SessionsPurgeService } from './sessions-purge.service';

const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', SESSION_PURGE_RETENTION: '7d' });
const FULL = PURGE_BATCH_SIZE;

/**
 * Repositories whose batches delete the given counts in turn (sessions first, then revocations), and
 * transactions whose purge lock another instance holds at the attempts (0, 1, ...) `takenAt` names.
 */
function fakeTables(batches: number[], { takenAt = (attempt: number) => attempt < 0 } = {}) {
  const deletes: Array<{ table: string; before: Date; limit: number }> = [];
  const deleteFrom = (table: string) =>
    jest.fn((_transaction: unknown, before: Date, limit: number) => {
      deletes.push({ table, before, limit });
      return Promise.resolve(batches.shift() ?? 0);
    });
  const sessions = { deleteEndedBefore: deleteFrom('sessions') } as unknown as SessionsRepository;
  const revocations = {
    deleteRevokedBefore: deleteFrom('session_revocations'),
  } as unknown as SessionRevocationsRepository;
  const transactions = new InMemoryTransactions();
  transactions.lockTaken = takenAt;
  const purge = new SessionsPurgeService(sessions, revocations, transactions.asTransactions(), config);
  return { purge, deletes, transactions };
}

describe('SessionsPurgeService', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('deletes batch after batch until one comes back short, each in its own transaction', async () => {
    const { purge, deletes, transactions } = fakeTables([FULL, FULL, 1]);
    expect(await purge.purgeExpired()).toBe(2 * FULL + 1);
    // Three batches of sessions, then old revocations.
    expect(deletes.map((batch) => batch.table)).toEqual(['sessions', 'sessions', 'sessions', 'session_revocations']);
    expect(deletes.every((batch) => batch.limit === FULL)).toBe(true);
    expect(transactions.started).toBe(4);
  });

  it('forgets a revocation an hour after any access token of its session could have expired', async () => {
    const { purge, deletes } = fakeTables([0, 0]);
    await purge.purgeExpired(new Date('2030-01-08T00:00:00Z'));
    // JWT_ACCESS_TTL defaults to 15 minutes.
    expect(deletes[1]).toMatchObject({ table: 'session_revocations', before: new Date('2030-01-07T22:45:00Z') });
  });

  it('deletes what ended before now minus the retention', async () => {
    const { purge, deletes } = fakeTables([0]);
    await purge.purgeExpired(new Date('2030-01-08T00:00:00Z'));
    expect(deletes[0]).toMatchObject({ table: 'sessions', before: new Date('2030-01-01T00:00:00Z') });
  });

  it('deletes nothing while another instance holds the lock', async () => {
    const { purge, deletes } = fakeTables([3], { takenAt: () => true });
    expect(await purge.purgeExpired()).toBe(0);
    expect(deletes).toHaveLength(0);
  });

  it('does not go on to the revocations when another instance is purging, so it never takes the lock from it', async () => {
    const { purge, deletes } = fakeTables([3], { takenAt: (attempt) => attempt === 0 });
    expect(await purge.purgeExpired()).toBe(0);
    expect(deletes).toHaveLength(0);
  });

  it('leaves the rest, revocations included, to an instance that took the lock between two batches', async () => {
    const { purge, deletes } = fakeTables([FULL, FULL, 1], { takenAt: (attempt) => attempt === 1 });
    expect(await purge.purgeExpired()).toBe(FULL);
    expect(deletes).toHaveLength(1);
  });

  it('on shutdown, lets the scheduled run finish its batch and starts no other', async () => {
    const { purge, deletes } = fakeTables([FULL, FULL, FULL, FULL]);
    const run = purge.purgeOnSchedule();
    await purge.beforeApplicationShutdown();
    await run;
    expect(deletes).toHaveLength(1);
    await purge.purgeOnSchedule();
    expect(deletes).toHaveLength(1);
  });

  it('logs a failed scheduled run instead of throwing it', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const transactions = { runUnderTryLock: jest.fn(() => Promise.reject(new Error('database down'))) };
    const purge = new SessionsPurgeService(
      {} as SessionsRepository,
      {} as SessionRevocationsRepository,
      transactions as unknown as Transactions,
      config,
    );
    await expect(purge.purgeOnSchedule()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('Session purge failed: database down');
  });
});
