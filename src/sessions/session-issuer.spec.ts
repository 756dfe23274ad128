import { Metrics } from '../metrics/metrics';
import { DomainError } from '../common/errors/domain.error';
import { loadAppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { InMemoryTransactions } from '../prisma/in-memory-transactions';
import type { AuditService } from '../audit/audit.service';
import type { AccessTokenService } from '../tokens/access-token.service';
import type { RevokedSessionsService } from './revocation/revoked-sessions.service';
import { IssuedSession, SessionIssuer } from './session-issuer';
import { InMemorySessionsRepository } from './sessions.repository.fake';
import type { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';

const client = { userAgent: 'jest', ip: '127.0.0.1' };

function setUp(env: Record<string, string> = {}) {
  const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', ...env });
  const database = new InMemorySessionsRepository();
  const transactions = new InMemoryTransactions();
  const revokedSessions = { revokedIn: jest.fn(() => Promise.resolve()) };
  const audit = { record: jest.fn(() => Promise.resolve()) };
  let issued = 0;
  const accessTokens = {
    issue: jest.fn(({ sessionId }: { sessionId: string }) => ({
      token: `access-${sessionId}-${++issued}`,
      expiresIn: 900,
    })),
  };
  const repository = database as unknown as SessionsRepository;
  const sessions = new SessionsService(
    repository,
    transactions.asTransactions(),
    revokedSessions as unknown as RevokedSessionsService,
    audit as unknown as AuditService,
  );
  const service = new SessionIssuer(
    repository,
    transactions.asTransactions(),
    config,
    accessTokens as unknown as AccessTokenService,
    sessions,
    audit as unknown as AuditService,
    new Metrics(),
  );
  const inTransaction = transactions.run.bind(transactions);
  /** A session of the user, granted on the user's current securityVersion. */
  const start = async (user: User): Promise<IssuedSession> => {
    const grant = { userId: user.id, securityVersion: user.securityVersion, role: user.role };
    const started = await inTransaction((transaction) => service.start(transaction, grant, client));
    if (!started) throw new Error('session not granted');
    return started;
  };
  return { service, sessions, database, revokedSessions, audit, inTransaction, start };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('SessionIssuer', () => {
  afterEach(() => jest.useRealTimers());

  it('starts a session whose idle expiry never passes its absolute expiry', async () => {
    const { start, database } = setUp({ REFRESH_TTL: '7d', SESSION_MAX_AGE: '1d' });
    const { session, refreshToken } = await start(database.addUser());
    expect(refreshToken).toMatch(/^[\w-]{43}$/);
    expect(session.absoluteExpiresAt.getTime() - session.createdAt.getTime()).toBe(86_400_000);
    expect(session.idleExpiresAt).toEqual(session.absoluteExpiresAt);
    expect(database.tokens).toHaveLength(1);
    expect(Buffer.from(database.tokens[0].tokenHash).toString('utf8')).not.toContain(refreshToken);
  });

  it('rotates a token into a successor one generation later, with an access token for the session', async () => {
    const { start, service, database } = setUp();
    const started = await start(database.addUser());
    const rotated = await service.rotate(started.refreshToken, { userAgent: 'new agent', ip: null });
    expect(rotated.refreshToken).not.toBe(started.refreshToken);
    expect(rotated.accessToken.token).toContain(started.session.id);
    expect(database.tokens.map((token) => [token.generation, token.rotatedAt !== null])).toEqual([
      [0, true],
      [1, false],
    ]);
    expect(rotated.session).toMatchObject({ userAgent: 'new agent', ip: '127.0.0.1' });
    expect(database.tokens[0].successorSealed).toBeNull();
  });

  it('treats a consumed token as reuse and revokes the session everywhere', async () => {
    const { start, service, database, revokedSessions, audit } = setUp();
    const user = database.addUser();
    const started = await start(user);
    await service.rotate(started.refreshToken, client);

    expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('REFRESH_TOKEN_REUSED');
    expect(database.sessions.get(started.session.id)).toMatchObject({ revokedReason: 'REFRESH_TOKEN_REUSED' });
    expect(revokedSessions.revokedIn).toHaveBeenCalledWith(expect.anything(), [started.session.id], expect.any(Date));
    expect(audit.record).toHaveBeenCalledWith(expect.anything(), {
      type: 'REFRESH_TOKEN_REUSED',
      subjectId: user.id,
      sessionId: started.session.id,
      origin: client,
    });
  });

  it('treats losing the conditional update to a concurrent exchange as reuse when the grace is off', async () => {
    const { start, service, database } = setUp();
    const started = await start(database.addUser());
    database.beforeRotate = () => (database.tokens[0].rotatedAt = new Date());
    expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('REFRESH_TOKEN_REUSED');
  });

  it('refuses as invalid, not reuse, when the session is revoked between the read and the exchange', async () => {
    const { start, service, database, revokedSessions } = setUp();
    const started = await start(database.addUser());
    database.beforeRotate = () => (database.sessions.get(started.session.id)!.revokedAt = new Date());
    expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('INVALID_REFRESH_TOKEN');
    expect(database.tokens).toHaveLength(1);
    expect(revokedSessions.revokedIn).not.toHaveBeenCalled();
  });

  describe('with REFRESH_REUSE_GRACE', () => {
    it('gives every racer the pair the winner got, and mints one successor', async () => {
      const { start, service, database } = setUp({ REFRESH_REUSE_GRACE: '10s' });
      const started = await start(database.addUser());
      const racers = await Promise.all([1, 2, 3].map(() => service.rotate(started.refreshToken, client)));
      expect(new Set(racers.map((racer) => racer.refreshToken)).size).toBe(1);
      expect(new Set(racers.map((racer) => racer.accessToken.token)).size).toBe(1);
      expect(database.tokens).toHaveLength(2);
      expect(database.tokens[0].successorSealed).not.toBeNull();
    });

    /** Rotates a token at a fixed time, then presents it again `afterMs` later. */
    async function replayAfter(afterMs: number) {
      const rotatedAt = new Date('2026-01-01T00:00:00Z');
      jest.useFakeTimers({ now: rotatedAt, doNotFake: ['nextTick', 'setImmediate'] });
      const { start, service, database } = setUp({ REFRESH_REUSE_GRACE: '10s' });
      const started = await start(database.addUser());
      await service.rotate(started.refreshToken, client);
      jest.setSystemTime(rotatedAt.getTime() + afterMs);
      return service.rotate(started.refreshToken, client);
    }

    it('counts the remaining access-token lifetime down', async () => {
      expect((await replayAfter(4_000)).accessToken.expiresIn).toBe(896);
    });

    it('is reuse once the grace has passed', async () => {
      expect(await codeOf(replayAfter(10_001))).toBe('REFRESH_TOKEN_REUSED');
    });

    it('is reuse once the successor has been exchanged itself', async () => {
      const { start, service, database } = setUp({ REFRESH_REUSE_GRACE: '10s' });
      const started = await start(database.addUser());
      const second = await service.rotate(started.refreshToken, client);
      await service.rotate(second.refreshToken, client);
      expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('REFRESH_TOKEN_REUSED');
    });
  });

  it('refuses tokens of revoked or expired sessions and of disabled users as invalid', async () => {
    const { start, service, sessions, database, inTransaction } = setUp();
    const user = database.addUser();
    const revoked = await start(user);
    await inTransaction((transaction) => sessions.revoke(transaction, [revoked.session.id], 'LOGOUT'));
    expect(await codeOf(service.rotate(revoked.refreshToken, client))).toBe('INVALID_REFRESH_TOKEN');

    const idle = await start(user);
    database.sessions.get(idle.session.id)!.idleExpiresAt = new Date(Date.now() - 1);
    expect(await codeOf(service.rotate(idle.refreshToken, client))).toBe('INVALID_REFRESH_TOKEN');

    const disabled = database.addUser();
    const ofDisabled = await start(disabled);
    database.users.set(disabled.id, { ...disabled, status: 'DISABLED' });
    expect(await codeOf(service.rotate(ofDisabled.refreshToken, client))).toBe('INVALID_REFRESH_TOKEN');

    expect(await codeOf(service.rotate('not-a-token', client))).toBe('INVALID_REFRESH_TOKEN');
  });

  it('revokes every session of a user but the one it is told to keep', async () => {
    const { start, sessions, database, inTransaction } = setUp();
    const user = database.addUser();
    const kept = await start(user);
    await start(user);
    await start(user);
    const stranger = await start(database.addUser());

    const revokeOthers = () =>
      inTransaction((transaction) =>
        sessions.revokeAllForUser(transaction, user.id, 'PASSWORD_CHANGED', kept.session.id),
      );
    expect(await revokeOthers()).toHaveLength(2);
    expect(database.sessions.get(kept.session.id)!.revokedAt).toBeNull();
    expect(database.sessions.get(stranger.session.id)!.revokedAt).toBeNull();
    expect(await revokeOthers()).toEqual([]);
  });
});
