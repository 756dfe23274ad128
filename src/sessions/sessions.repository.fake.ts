import { randomUUID } from 'node:crypto';
import type { RefreshToken, Session, SessionRevocationReason, User } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import type {
  NewSession,
  PresentedToken,
  Reauthentication,
  RevokedSession,
  Rotation,
  SessionGrant,
  SessionSelection,
  SessionsRepository,
} from './sessions.repository';

/**
 * SessionsRepository in memory, for unit specs: each method does what its SQL does, as one step.
 * The e2e suite runs the real statements on PostgreSQL, including the races.
 */
export class InMemorySessionsRepository implements Pick<SessionsRepository, keyof SessionsRepository> {
  readonly users = new Map<string, User>();
  readonly sessions = new Map<string, Session>();
  readonly tokens: RefreshToken[] = [];
  /** Runs once before the next rotation's conditional update, to play a racer that commits first. */
  beforeRotate: (() => void) | undefined;

  addUser(changes: Partial<User> = {}): User {
    const now = new Date();
    const user: User = {
      id: randomUUID(),
      email: `${randomUUID()}@example.com`,
      passwordHash: 'hash',
      name: null,
      role: 'USER',
      status: 'ACTIVE',
      emailVerifiedAt: null,
      securityVersion: 0,
      createdAt: now,
      updatedAt: now,
      ...changes,
    };
    this.users.set(user.id, user);
    return user;
  }

  insertIfGranted(_transaction: Transaction, grant: SessionGrant, fields: NewSession): Promise<string | undefined> {
    const user = this.users.get(grant.userId);
    if (!user || user.status !== 'ACTIVE' || user.securityVersion !== grant.securityVersion) {
      return Promise.resolve(undefined);
    }
    const { refreshTokenHash, amr, ...columns } = fields;
    const session: Session = {
      id: randomUUID(),
      userId: grant.userId,
      lastUsedAt: columns.createdAt,
      revokedAt: null,
      revokedReason: null,
      amr: [...amr],
      ...columns,
    };
    this.sessions.set(session.id, session);
    this.insertToken({ sessionId: session.id, tokenHash: refreshTokenHash, generation: 0 });
    return Promise.resolve(session.id);
  }

  rotate(rotation: Rotation): Promise<boolean> {
    this.beforeRotate?.();
    this.beforeRotate = undefined;
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
  }

  reauthenticate(_transaction: Transaction, step: Reauthentication): Promise<Session | undefined> {
    const session = this.sessions.get(step.sessionId);
    const current = this.tokens.filter((token) => token.sessionId === step.sessionId && token.rotatedAt === null);
    if (
      !session ||
      session.userId !== step.userId ||
      session.revokedAt !== null ||
      !isUnexpiredAt(session, step.at) ||
      current.length === 0
    ) {
      return Promise.resolve(undefined);
    }
    for (const token of current) token.rotatedAt = step.at;
    Object.assign(session, { amr: [...step.amr], authTime: step.at, lastUsedAt: step.at });
    const generation = Math.max(...current.map((token) => token.generation)) + 1;
    this.insertToken({ sessionId: step.sessionId, tokenHash: step.successorHash, generation });
    return Promise.resolve({ ...session });
  }

  findPresented(tokenHash: Uint8Array<ArrayBuffer>): Promise<PresentedToken | null> {
    const token = this.tokens.find((candidate) => Buffer.from(candidate.tokenHash).equals(Buffer.from(tokenHash)));
    if (!token) return Promise.resolve(null);
    const session = this.sessions.get(token.sessionId)!;
    return Promise.resolve({ ...token, session: { ...session, user: { ...this.users.get(session.userId)! } } });
  }

  findToken(id: string): Promise<RefreshToken | null> {
    const token = this.tokens.find((candidate) => candidate.id === id);
    return Promise.resolve(token ? { ...token } : null);
  }

  isSuccessorUnused(sessionId: string, generation: number): Promise<boolean> {
    const successor = this.tokens.find(
      (candidate) => candidate.sessionId === sessionId && candidate.generation === generation + 1,
    );
    return Promise.resolve(successor !== undefined && successor.rotatedAt === null);
  }

  async findSessionIdOfToken(
    _transaction: Transaction,
    tokenHash: Uint8Array<ArrayBuffer>,
  ): Promise<string | undefined> {
    return (await this.findPresented(tokenHash))?.sessionId;
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    const live = [...this.sessions.values()].filter(
      (session) => session.userId === userId && session.revokedAt === null && isUnexpiredAt(session, now),
    );
    live.sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime() || a.id.localeCompare(b.id));
    return Promise.resolve(live);
  }

  revoke(
    _transaction: Transaction,
    selection: SessionSelection,
    reason: SessionRevocationReason,
    revokedAt: Date,
  ): Promise<RevokedSession[]> {
    const matched = [...this.sessions.values()].filter((session) => selects(selection, session));
    for (const session of matched) Object.assign(session, { revokedAt, revokedReason: reason });
    return Promise.resolve(matched.map(({ id, userId }) => ({ id, userId })));
  }

  deleteEndedBefore(_transaction: Transaction, endedBefore: Date, limit: number): Promise<number> {
    const ended = [...this.sessions.values()]
      .filter(
        (session) =>
          (session.revokedAt !== null && session.revokedAt < endedBefore) || session.idleExpiresAt < endedBefore,
      )
      .slice(0, limit);
    for (const session of ended) this.sessions.delete(session.id);
    return Promise.resolve(ended.length);
  }

  private insertToken(data: Pick<RefreshToken, 'sessionId' | 'tokenHash' | 'generation'>): void {
    this.tokens.push({ id: randomUUID(), createdAt: new Date(), rotatedAt: null, successorSealed: null, ...data });
  }
}

function isUnexpiredAt(session: Session, at: Date): boolean {
  return session.idleExpiresAt > at && session.absoluteExpiresAt > at;
}

function selects(selection: SessionSelection, session: Session): boolean {
  if (session.revokedAt !== null) return false;
  if (selection.userId !== undefined && session.userId !== selection.userId) return false;
  if (selection.sessionIds !== undefined && !selection.sessionIds.includes(session.id)) return false;
  if (selection.exceptSessionId !== undefined && session.id === selection.exceptSessionId) return false;
  if (selection.liveAt !== undefined && !isUnexpiredAt(session, selection.liveAt)) return false;
  return true;
}
