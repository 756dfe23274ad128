import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../../config/app-config';
import { PrismaService } from '../../prisma/prisma.service';
import { RevocationSubscriber, RevocationTransport } from './revocation-transport';
import { RevokedSessionsService } from './revoked-sessions.service';

const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', JWT_ACCESS_TTL: '15m' });
const RETENTION_MS = (15 * 60 + 60) * 1000;
const RESYNC_MS = 1_000;
const T0 = new Date('2030-01-01T00:00:00Z').getTime();

class FakeTransport implements RevocationTransport {
  subscriber: RevocationSubscriber | undefined;
  readonly announced: string[][] = [];
  connects = true;
  announceInTransaction = jest.fn(() => Promise.resolve());
  announceCommitted = jest.fn((ids: readonly string[]) => {
    this.announced.push([...ids]);
    return Promise.resolve();
  });
  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    this.subscriber = subscriber;
    if (this.connects) await subscriber.resubscribed();
  }
  close = jest.fn(() => Promise.resolve());
}

/** The session_revocations table as the service reads it: sessions revoked at given times. */
function fakePrisma(rows: Array<{ sessionId: string; revokedAt: Date }>) {
  const findMany = jest.fn(({ where }: { where: { revokedAt: { gt: Date } } }) =>
    Promise.resolve(rows.filter((row) => row.revokedAt > where.revokedAt.gt)),
  );
  return { prisma: { sessionRevocation: { findMany } } as unknown as PrismaService, findMany };
}

const sinceOf = (findMany: jest.Mock, call: number) =>
  (findMany.mock.calls[call][0] as { where: { revokedAt: { gt: Date } } }).where.revokedAt.gt.getTime();

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
    const { prisma, findMany } = fakePrisma([{ sessionId: 'old', revokedAt: new Date(T0 - 60_000) }]);
    service = new RevokedSessionsService(prisma, config, new FakeTransport(), { resyncIntervalMs: RESYNC_MS });
    await service.onApplicationBootstrap();
    expect(sinceOf(findMany, 0)).toBe(T0 - RETENTION_MS);
    expect(service.isRevoked('old')).toBe(true);

    await jest.advanceTimersByTimeAsync(RESYNC_MS);
    expect(findMany).toHaveBeenCalledTimes(2);
    expect(sinceOf(findMany, 1)).toBe(T0 - 60_000);
  });

  it('loads from the table at boot even when the transport cannot connect', async () => {
    const { prisma, findMany } = fakePrisma([{ sessionId: 'a', revokedAt: new Date(T0 - 1_000) }]);
    const transport = new FakeTransport();
    transport.connects = false;
    service = new RevokedSessionsService(prisma, config, transport, { resyncIntervalMs: RESYNC_MS });
    await service.onApplicationBootstrap();
    expect(findMany).toHaveBeenCalledTimes(1);
    expect(service.isRevoked('a')).toBe(true);
  });

  it('keeps a loaded revocation for one access-token lifetime after its revokedAt', async () => {
    const { prisma } = fakePrisma([{ sessionId: 'a', revokedAt: new Date(T0 - 10_000) }]);
    service = new RevokedSessionsService(prisma, config, new FakeTransport(), { resyncIntervalMs: 3_600_000 });
    await service.onApplicationBootstrap();
    jest.setSystemTime(T0 - 10_000 + RETENTION_MS - 1);
    expect(service.isRevoked('a')).toBe(true);
    jest.setSystemTime(T0 - 10_000 + RETENTION_MS);
    expect(service.isRevoked('a')).toBe(false);
  });

  it('remember() refuses at once here and announces after commit; a failed announcement is only logged', async () => {
    const { prisma } = fakePrisma([]);
    const transport = new FakeTransport();
    service = new RevokedSessionsService(prisma, config, transport, { resyncIntervalMs: RESYNC_MS });
    await service.onApplicationBootstrap();

    service.remember(['a', 'b']);
    expect(service.isRevoked('a') && service.isRevoked('b')).toBe(true);
    expect(transport.announced).toEqual([['a', 'b']]);

    transport.announceCommitted.mockRejectedValueOnce(new Error('Redis is down'));
    service.remember(['c']);
    await jest.advanceTimersByTimeAsync(0);
    expect(service.isRevoked('c')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Redis is down'));

    service.remember([]);
    expect(transport.announceCommitted).toHaveBeenCalledTimes(2);
  });

  it('records what the transport delivers without announcing it again', async () => {
    const { prisma } = fakePrisma([]);
    const transport = new FakeTransport();
    service = new RevokedSessionsService(prisma, config, transport, { resyncIntervalMs: RESYNC_MS });
    await service.onApplicationBootstrap();
    transport.subscriber?.revoked(['from-elsewhere']);
    expect(service.isRevoked('from-elsewhere')).toBe(true);
    expect(transport.announceCommitted).not.toHaveBeenCalled();
  });
});
