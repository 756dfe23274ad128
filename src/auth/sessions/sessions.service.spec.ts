import { randomUUID } from 'node:crypto';
import { DomainError } from '../../common/errors/domain.error';
import { loadAppConfig } from '../../config/app-config';
import type { RefreshToken, Session, User } from '../../generated/prisma/client';
import type { PrismaService, Transaction } from '../../prisma/prisma.service';
import type { AuditService } from '../../audit/audit.service';
import type { AccessTokenService } from '../tokens/access-token.service';
import type { RefreshRotationStore, Rotation } from './refresh-rotation.store';
import type { RevokedSessionsService } from './revoked-sessions.service';
import type { NewSession, SessionGrant } from './session-grant.store';
import { IssuedSession, SessionsService } from './sessions.service';

/**
 * An in-memory stand-in for the Prisma calls SessionsService makes, enough to check its rules
 * (rotation, reuse, grace, expiry, revocation) without a database. The e2e suite runs the same
 * rules on PostgreSQL, including the real races.
 */
class FakeDatabase {
  readonly users = new Map<string, User>();
  readonly sessions = new Map<string, Session>();
  readonly tokens: RefreshToken[] = [];
  /** Runs once before the next conditional update, to play a racer that commits first. */
  beforeConsume: (() => void) | undefined;

  addUser(status: User['status'] = 'ACTIVE'): User {
    const now = new Date();
    const user: User = {
      id: randomUUID(),
      email: `${randomUUID()}@example.com`,
      passwordHash: 'hash',
      name: null,
      role: 'USER',
      status,
      emailVerifiedAt: null,
      securityVersion: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.users.set(user.id, user);
    return user;
  }

  readonly client = {
    transaction: async <T>(work: (transaction: Transaction) => Promise<T>) => {
      const effects: Array<() => void> = [];
      const result = await work({
        client: this.client as unknown as Transaction['client'],
        afterCommit: (effect) => void effects.push(effect),
      });
      effects.forEach((effect) => effect());
      return result;
    },
    $executeRaw: () => Promise.resolve(1),
    session: {
      updateManyAndReturn: ({ where, data }: { where: SessionFilter; data: Partial<Session> }) => {
        const matched = [...this.sessions.values()].filter((session) => matches(session, where));
        for (const session of matched) this.sessions.set(session.id, { ...session, ...data });
        return Promise.resolve(matched.map(({ id, userId }) => ({ id, userId })));
      },
    },
    sessionRevocation: { createMany: () => Promise.resolve({ count: 0 }) },
    refreshToken: {
      findUnique: ({ where }: { where: TokenKey }) => Promise.resolve(this.findToken(where)),
      findUniqueOrThrow: ({ where }: { where: TokenKey }) => Promise.resolve(this.findToken(where)!),
    },
  };

  /** SessionGrantStore.insertIfGranted: its one SQL statement, as one synchronous step. */
  readonly grants = {
    insertIfGranted: (
      _transaction: Transaction,
      grant: SessionGrant,
      fields: NewSession,
    ): Promise<string | undefined> => {
      const user = this.users.get(grant.userId);
      if (!user || user.status !== 'ACTIVE' || user.securityVersion !== grant.securityVersion) {
        return Promise.resolve(undefined);
      }
      const { refreshTokenHash, ...columns } = fields;
      const session: Session = {
        id: randomUUID(),
        userId: grant.userId,
        lastUsedAt: columns.createdAt,
        revokedAt: null,
        revokedReason: null,
        ...columns,
      };
      this.sessions.set(session.id, session);
      this.insertToken({ sessionId: session.id, tokenHash: refreshTokenHash, generation: 0 });
      return Promise.resolve(session.id);
    },
  };

  /** RefreshRotationStore.apply: its one SQL statement, as one synchronous step. */
  readonly rotations = {
    apply: (rotation: Rotation): Promise<boolean> => {
      this.beforeConsume?.();
      this.beforeConsume = undefined;
      const token = this.tokens.find((candidate) => candidate.id === rotation.presentedTokenId);
      const session = token && this.sessions.get(token.sessionId);
      if (!token || token.rotatedAt !== null || !session || session.revokedAt !== null) return Promise.resolve(false);
      Object.assign(token, { rotatedAt: rotation.at, successorSealed: rotation.successorSealed });
      this.insertToken({
        sessionId: token.sessionId,
        tokenHash: rotation.successorHash,
        generation: rotation.successorGeneration,
      });
      Object.assign(session, {
        lastUsedAt: rotation.at,
        idleExpiresAt: rotation.idleExpiresAt,
        userAgent: rotation.userAgent,
        ip: rotation.ip,
      });
      return Promise.resolve(true);
    },
  };

  private insertToken(data: Pick<RefreshToken, 'sessionId' | 'tokenHash' | 'generation'>): RefreshToken {
    const token: RefreshToken = {
      id: randomUUID(),
      createdAt: new Date(),
      rotatedAt: null,
      successorSealed: null,
      ...data,
    };
    this.tokens.push(token);
    return token;
  }

  private findToken(where: TokenKey) {
    const token = this.tokens.find((candidate) =>
      'tokenHash' in where
        ? Buffer.from(candidate.tokenHash).equals(Buffer.from(where.tokenHash))
        : 'id' in where
          ? candidate.id === where.id
          : candidate.sessionId === where.sessionId_generation.sessionId &&
            candidate.generation === where.sessionId_generation.generation,
    );
    if (!token) return null;
    const session = this.sessions.get(token.sessionId)!;
    return { ...token, session: { ...session, user: this.users.get(session.userId)! } };
  }
}

type TokenKey =
  { tokenHash: Uint8Array } | { id: string } | { sessionId_generation: { sessionId: string; generation: number } };
type SessionFilter = { revokedAt: null; id?: { in: string[] } | { not: string }; userId?: string };

function matches(session: Session, where: SessionFilter): boolean {
  if (session.revokedAt !== null) return false;
  if (where.userId !== undefined && session.userId !== where.userId) return false;
  if (where.id && 'in' in where.id && !where.id.in.includes(session.id)) return false;
  if (where.id && 'not' in where.id && session.id === where.id.not) return false;
  return true;
}

const client = { userAgent: 'jest', ip: '127.0.0.1' };

function setUp(env: Record<string, string> = {}) {
  const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', ...env });
  const database = new FakeDatabase();
  const revokedSessions = { announceOnCommit: jest.fn(() => Promise.resolve()), remember: jest.fn() };
  const audit = { record: jest.fn(() => Promise.resolve()) };
  let issued = 0;
  const accessTokens = {
    issue: jest.fn(({ sessionId }: { sessionId: string }) => ({
      token: `access-${sessionId}-${++issued}`,
      expiresIn: 900,
    })),
  };
  const service = new SessionsService(
    database.client as unknown as PrismaService,
    config,
    revokedSessions as unknown as RevokedSessionsService,
    accessTokens as unknown as AccessTokenService,
    audit as unknown as AuditService,
    database.rotations as unknown as RefreshRotationStore,
    database.grants,
  );
  const inTransaction = <T>(work: (transaction: Transaction) => Promise<T>) => database.client.transaction(work);
  /** A session of the user, granted on the user's current securityVersion. */
  const start = async (user: User): Promise<IssuedSession> => {
    const grant = { userId: user.id, securityVersion: user.securityVersion };
    const started = await inTransaction((transaction) => service.start(transaction, grant, client));
    if (!started) throw new Error('session not granted');
    return started;
  };
  return { service, database, revokedSessions, audit, inTransaction, start };
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

describe('SessionsService', () => {
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
    expect(revokedSessions.announceOnCommit).toHaveBeenCalledWith([started.session.id], expect.anything());
    expect(revokedSessions.remember).toHaveBeenCalledWith([started.session.id]);
    expect(audit.record).toHaveBeenCalledWith(
      { type: 'REFRESH_TOKEN_REUSED', subjectId: user.id, sessionId: started.session.id, origin: client },
      expect.anything(),
    );
  });

  it('treats losing the conditional update to a concurrent exchange as reuse when the grace is off', async () => {
    const { start, service, database } = setUp();
    const started = await start(database.addUser());
    database.beforeConsume = () => (database.tokens[0].rotatedAt = new Date());
    expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('REFRESH_TOKEN_REUSED');
  });

  it('refuses as invalid, not reuse, when the session is revoked between the read and the exchange', async () => {
    const { start, service, database, revokedSessions } = setUp();
    const started = await start(database.addUser());
    database.beforeConsume = () => (database.sessions.get(started.session.id)!.revokedAt = new Date());
    expect(await codeOf(service.rotate(started.refreshToken, client))).toBe('INVALID_REFRESH_TOKEN');
    expect(database.tokens).toHaveLength(1);
    expect(revokedSessions.announceOnCommit).not.toHaveBeenCalled();
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
    const { start, service, database, inTransaction } = setUp();
    const user = database.addUser();
    const revoked = await start(user);
    await inTransaction((transaction) => service.revoke(transaction, [revoked.session.id], 'LOGOUT'));
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
    const { start, service, database, inTransaction } = setUp();
    const user = database.addUser();
    const kept = await start(user);
    await start(user);
    await start(user);
    const stranger = await start(database.addUser());

    const revokeOthers = () =>
      inTransaction((transaction) =>
        service.revokeAllForUser(transaction, user.id, 'PASSWORD_CHANGED', kept.session.id),
      );
    expect(await revokeOthers()).toHaveLength(2);
    expect(database.sessions.get(kept.session.id)!.revokedAt).toBeNull();
    expect(database.sessions.get(stranger.session.id)!.revokedAt).toBeNull();
    expect(await revokeOthers()).toEqual([]);
  });
});
