import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { loadAppConfig } from '../../config/app-config';
import { InMemoryTransactions } from '../../prisma/in-memory-transactions';
import { Metrics } from '../../metrics/metrics';
import { RevocationAnnouncement, RevocationChannel, RevocationSubscriber } from './revocation-channel';
import { RevokedSessionsService } from './revoked-sessions.service';
import type { SessionRevocationRow, SessionRevocationsRepository } from './session-revocations.repository';

const configWithResync = (interval: string) =>
  loadAppConfig({
    DATABASE_URL: 'postgresql://localhost/auth',
    JWT_ACCESS_TTL: '15m',
    REVOCATION_RESYNC_INTERVAL: interval,
  });
const config = configWithResync('1s');
const RETENTION_MS = (15 * 60 + 60) * 1000;
const RESYNC_MS = 1_000;
const T0 = new Date('2030-01-01T00:00:00Z').getTime();

class FakeChannel implements RevocationChannel {
  problem = () => undefined;
  subscriber: RevocationSubscriber | undefined;
  readonly announced: string[][] = [];
  connects = true;
  announceInTransaction = jest.fn(() => Promise.resolve());
  announceCommitted = jest.fn((announcement: RevocationAnnouncement) => {
    this.announced.push([...announcement.sessionIds]);
    return Promise.resolve();
  });
  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    this.subscriber = subscriber;
    if (this.connects) await subscriber.resubscribed();
  }
  close = jest.fn(() => Promise.resolve());
}

/** The session_revocations table: sessions revoked at given times, and the rows inserted. */
function fakeRevocations(rows: Array<{ sessionId: string; revokedAt: Date }>) {
  const findMany = jest.fn((since: Date) => Promise.resolve(rows.filter((row) => row.revokedAt > since)));
  const insert = jest.fn(() => Promise.resolve());
  const revocations = { revokedAfter: findMany, insert } as unknown as SessionRevocationsRepository;
  return { prisma: revocations, findMany, insert };
}

const sinceOf = (findMany: jest.Mock, call: number) => (findMany.mock.calls[call][0] as Date).getTime();

/** Revokes `ids` in a transaction that commits, as SessionsService does. */
const revokeCommitted = (service: RevokedSessionsService, ids: string[]) =>
  new InMemoryTransactions().run((transaction) => service.revokedIn(transaction, ids, new Date()));

describe('RevokedSessionsService', () => {
  let service: RevokedSessionsService | undefined;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await service?.onApplicationShutdown();
    service = undefined;
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('loads the last access-token lifetime at boot, then only what is new since shortly before the last load', async () => {
    const { prisma, findMany } = fakeRevocations([{ sessionId: 'old', revokedAt: new Date(T0 - 60_000) }]);
    service = new RevokedSessionsService(prisma, config, new FakeChannel(), new Metrics());
    await service.onApplicationBootstrap();
    expect(sinceOf(findMany, 0)).toBe(T0 - RETENTION_MS);
    expect(service.isRevoked('old')).toBe(true);

    await jest.advanceTimersByTimeAsync(RESYNC_MS);
    expect(findMany).toHaveBeenCalledTimes(2);
    expect(sinceOf(findMany, 1)).toBe(T0 - 60_000);
  });

  it('loads from the table at boot even when the channel cannot connect', async () => {
    const { prisma, findMany } = fakeRevocations([{ sessionId: 'a', revokedAt: new Date(T0 - 1_000) }]);
    const channel = new FakeChannel();
    channel.connects = false;
    service = new RevokedSessionsService(prisma, config, channel, new Metrics());
    await service.onApplicationBootstrap();
    expect(findMany).toHaveBeenCalledTimes(1);
    expect(service.isRevoked('a')).toBe(true);
  });

  it('keeps a loaded revocation for one access-token lifetime after its revokedAt', async () => {
    const { prisma } = fakeRevocations([{ sessionId: 'a', revokedAt: new Date(T0 - 10_000) }]);
    service = new RevokedSessionsService(prisma, configWithResync('600s'), new FakeChannel(), new Metrics());
    await service.onApplicationBootstrap();
    jest.setSystemTime(T0 - 10_000 + RETENTION_MS - 1);
    expect(service.isRevoked('a')).toBe(true);
    jest.setSystemTime(T0 - 10_000 + RETENTION_MS);
    expect(service.isRevoked('a')).toBe(false);
  });

  it('a revocation is recorded in its table, announced in the transaction, refused here and published once it committed; a failed publish is only logged', async () => {
    const { prisma, insert } = fakeRevocations([]);
    const channel = new FakeChannel();
    service = new RevokedSessionsService(prisma, config, channel, new Metrics());
    await service.onApplicationBootstrap();

    await revokeCommitted(service, ['a', 'b']);
    expect(insert).toHaveBeenCalledWith(expect.anything(), ['a', 'b'], expect.any(Date));
    expect(channel.announceInTransaction).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({ sessionIds: ['a', 'b'], revokedAt: T0 }),
    );
    expect(service.isRevoked('a') && service.isRevoked('b')).toBe(true);
    expect(channel.announced).toEqual([['a', 'b']]);

    const rolledBack = new InMemoryTransactions().run(async (transaction) => {
      await service!.revokedIn(transaction, ['never'], new Date());
      throw new Error('rolled back');
    });
    await expect(rolledBack).rejects.toThrow('rolled back');
    expect(service.isRevoked('never')).toBe(false);
    expect(channel.announced).toEqual([['a', 'b']]);

    channel.announceCommitted.mockRejectedValueOnce(new Error('Redis is down'));
    await revokeCommitted(service, ['c']);
    await jest.advanceTimersByTimeAsync(0);
    expect(service.isRevoked('c')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis is down'));

    await revokeCommitted(service, []);
    expect(channel.announceCommitted).toHaveBeenCalledTimes(2);
    expect(insert).toHaveBeenCalledTimes(3);
  });

  it('loads a mass revocation page by page, continuing after the last row of each, and refuses every session in it', async () => {
    const at = (i: number) => new Date(T0 - 60_000 + Math.floor(i / 1_000)); // a thousand sessions share each instant
    const rows = Array.from({ length: 12_001 }, (_, i) => ({ sessionId: randomUUID(), revokedAt: at(i) })).sort(
      (a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || a.sessionId.localeCompare(b.sessionId),
    );
    const after = (row: SessionRevocationRow, from: SessionRevocationRow) =>
      row.revokedAt > from.revokedAt ||
      (row.revokedAt.getTime() === from.revokedAt.getTime() && row.sessionId > from.sessionId);
    const revokedAfter = jest.fn((since: Date, limit: number, from?: SessionRevocationRow) =>
      Promise.resolve(rows.filter((row) => row.revokedAt > since && (!from || after(row, from))).slice(0, limit)),
    );
    const revocations = { revokedAfter, insert: jest.fn() } as unknown as SessionRevocationsRepository;
    service = new RevokedSessionsService(revocations, config, new FakeChannel(), new Metrics());
    await service.onApplicationBootstrap();

    expect(revokedAfter).toHaveBeenCalledTimes(3);
    expect(revokedAfter.mock.calls.map(([, limit]) => limit)).toEqual([5_000, 5_000, 5_000]);
    expect(revokedAfter.mock.calls[1][2]).toBe(rows[4_999]);
    expect(rows.every((row) => service!.isRevoked(row.sessionId))).toBe(true);
    expect(service.isRevoked(randomUUID())).toBe(false);
  });

  it('records what the channel delivers without announcing it again', async () => {
    const { prisma } = fakeRevocations([]);
    const channel = new FakeChannel();
    service = new RevokedSessionsService(prisma, config, channel, new Metrics());
    await service.onApplicationBootstrap();
    channel.subscriber?.revoked(['from-elsewhere'], undefined);
    expect(service.isRevoked('from-elsewhere')).toBe(true);
    expect(channel.announceCommitted).not.toHaveBeenCalled();
  });

  describe('propagation lag (auth_revocation_propagation_seconds)', () => {
    const observations = async (metrics: Metrics): Promise<Record<string, number>> =>
      Object.fromEntries(
        (await metrics.revocationPropagation.get()).values
          .filter((value) => value.metricName === 'auth_revocation_propagation_seconds_count')
          .map((value) => [String(value.labels.via), value.value]),
      );
    const sumOf = async (metrics: Metrics) =>
      (await metrics.revocationPropagation.get()).values.find(
        (value) => value.metricName === 'auth_revocation_propagation_seconds_sum',
      )?.value;

    it("observes another instance's announcement from its revokedAt, never this instance's own echo or an earlier release's", async () => {
      const metrics = new Metrics();
      const channel = new FakeChannel();
      service = new RevokedSessionsService(fakeRevocations([]).prisma, config, channel, metrics);
      await service.onApplicationBootstrap();

      channel.subscriber?.revoked(['elsewhere'], { revokedAt: T0 - 250, origin: 'other' });
      await revokeCommitted(service, ['here']);
      const own = channel.announceInTransaction.mock.calls[0] as unknown as [unknown, RevocationAnnouncement];
      channel.subscriber?.revoked(own[1].sessionIds, own[1]);
      channel.subscriber?.revoked(['from-an-earlier-release'], undefined);

      expect(await observations(metrics)).toEqual({ channel: 1 });
      expect(await sumOf(metrics)).toBeCloseTo(0.25);
      expect(service.isRevoked('elsewhere') && service.isRevoked('from-an-earlier-release')).toBe(true);
    });

    it('observes what a resync finds that the channel never brought, but not what the boot load or the channel did', async () => {
      const rows = [{ sessionId: 'before-boot', revokedAt: new Date(T0 - 60_000) }];
      const metrics = new Metrics();
      const channel = new FakeChannel();
      service = new RevokedSessionsService(fakeRevocations(rows).prisma, config, channel, metrics);
      await service.onApplicationBootstrap();
      expect(await observations(metrics)).toEqual({});

      rows.push({ sessionId: 'announced', revokedAt: new Date(T0 + 100) });
      channel.subscriber?.revoked(['announced'], { revokedAt: T0 + 100, origin: 'other' });
      rows.push({ sessionId: 'missed', revokedAt: new Date(T0 + 200) });
      await jest.advanceTimersByTimeAsync(RESYNC_MS);

      expect(service.isRevoked('missed')).toBe(true);
      expect(await observations(metrics)).toEqual({ channel: 1, resync: 1 });
    });
  });
});
