import { randomUUID } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error';
import type { Page } from '../common/pagination/page.dto';
import { pageWindow } from '../common/pagination/page.dto';
import type { User } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import type { InMemorySessionsRepository } from '../sessions/sessions.repository.fake';
import type { NewUser, ProvisionedUser, UserSearch, UsersRepository, UserUpdate } from './users.repository';

/**
 * UsersRepository in memory, for unit specs: each method does what its SQL does, as one step, and
 * every read returns a copy, as a query would. Given the sessions fake, it shares that fake's users
 * (so a session grant sees the account as this repository left it) and deleting a user cascades to
 * its sessions and their refresh tokens. The e2e suite runs the real statements, including the races.
 */
export class InMemoryUsersRepository implements Pick<UsersRepository, keyof UsersRepository> {
  readonly users: Map<string, User>;
  /** How many times a transaction took the active-admins lock; in PostgreSQL it serialises, here it only counts. */
  activeAdminLocksTaken = 0;
  /**
   * Runs once after the next findByEmail or findById has read its copy: plays a writer that commits
   * between the read and the statement that acts on it.
   */
  afterNextRead: (() => Promise<unknown>) | undefined;

  constructor(private readonly sessions?: InMemorySessionsRepository) {
    this.users = sessions?.users ?? new Map<string, User>();
  }

  /** A user straight in the table, as a spec's starting state. */
  addUser(changes: Partial<User> = {}): User {
    const user = newUser(changes);
    this.users.set(user.id, user);
    return { ...user };
  }

  insert(_transaction: Transaction, user: NewUser): Promise<User> {
    if (this.withEmail(user.email)) {
      return Promise.reject(new DomainError('EMAIL_TAKEN', 'An account with this email already exists'));
    }
    const created = newUser({ email: user.email, passwordHash: user.passwordHash, name: user.name ?? null });
    this.users.set(created.id, created);
    return Promise.resolve({ ...created });
  }

  insertIfAbsent(
    _transaction: Transaction,
    user: ProvisionedUser,
  ): Promise<Pick<User, 'id' | 'email' | 'role'> | undefined> {
    if (this.withEmail(user.email)) return Promise.resolve(undefined);
    const { email, passwordHash, role, emailVerifiedAt } = user;
    const created = newUser({ email, passwordHash, name: user.name ?? null, role, emailVerifiedAt });
    this.users.set(created.id, created);
    return Promise.resolve({ id: created.id, email: created.email, role: created.role });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.read(this.withEmail(email));
  }

  findById(id: string): Promise<User | null> {
    return this.read(this.users.get(id));
  }

  findInTransaction(_transaction: Transaction, id: string): Promise<User | null> {
    const user = this.users.get(id);
    return Promise.resolve(user ? { ...user } : null);
  }

  replaceHashIfUnchanged(id: string, verifiedHash: string, passwordHash: string): Promise<boolean> {
    const user = this.users.get(id);
    if (!user || user.passwordHash !== verifiedHash) return Promise.resolve(false);
    this.write(user, { passwordHash });
    return Promise.resolve(true);
  }

  setPasswordAtVersion(_transaction: Transaction, id: string, version: number, passwordHash: string): Promise<boolean> {
    const user = this.users.get(id);
    if (!user || user.status !== 'ACTIVE' || user.securityVersion !== version) return Promise.resolve(false);
    this.write(user, { passwordHash, securityVersion: user.securityVersion + 1 });
    return Promise.resolve(true);
  }

  markEmailVerified(_transaction: Transaction, id: string, at: Date): Promise<void> {
    const user = this.users.get(id);
    if (user && user.emailVerifiedAt === null) this.write(user, { emailVerifiedAt: at });
    return Promise.resolve();
  }

  update(_transaction: Transaction, id: string, update: UserUpdate): Promise<User> {
    const user = this.users.get(id);
    // Prisma's update throws (P2025) when no row matches.
    if (!user) return Promise.reject(new Error(`No user ${id} to update`));
    this.write(user, {
      ...(update.name !== undefined ? { name: update.name } : {}),
      ...(update.role !== undefined ? { role: update.role } : {}),
      ...(update.status !== undefined ? { status: update.status } : {}),
      ...(update.securityChanged ? { securityVersion: user.securityVersion + 1 } : {}),
    });
    return Promise.resolve({ ...user });
  }

  bumpSecurityVersion(_transaction: Transaction, id: string): Promise<void> {
    const user = this.users.get(id);
    if (user) user.securityVersion += 1;
    return Promise.resolve();
  }

  delete(_transaction: Transaction, id: string): Promise<void> {
    if (!this.users.delete(id)) return Promise.reject(new Error(`No user ${id} to delete`));
    if (this.sessions) deleteSessionsOf(this.sessions, id);
    return Promise.resolve();
  }

  page(search: UserSearch): Promise<Page<User>> {
    const q = search.q?.toLowerCase();
    const matching = [...this.users.values()]
      .filter((user) => !q || user.email.toLowerCase().includes(q) || (user.name ?? '').toLowerCase().includes(q))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    const { skip, take } = pageWindow(search);
    const items = matching.slice(skip, skip + take).map((user) => ({ ...user }));
    return Promise.resolve({ items, total: matching.length, page: search.page, limit: search.limit });
  }

  lockActiveAdmins(_transaction: Transaction): Promise<void> {
    this.activeAdminLocksTaken += 1;
    return Promise.resolve();
  }

  countOtherActiveAdmins(_transaction: Transaction, id: string): Promise<number> {
    const others = [...this.users.values()].filter(
      (user) => user.role === 'ADMIN' && user.status === 'ACTIVE' && user.id !== id,
    );
    return Promise.resolve(others.length);
  }

  private withEmail(email: string): User | undefined {
    return [...this.users.values()].find((user) => user.email === email);
  }

  private async read(user: User | undefined): Promise<User | null> {
    const copy = user ? { ...user } : null;
    const racer = this.afterNextRead;
    this.afterNextRead = undefined;
    await racer?.();
    return copy;
  }

  private write(user: User, changes: Partial<User>): void {
    Object.assign(user, changes, { updatedAt: new Date() });
  }
}

function newUser(changes: Partial<User>): User {
  const now = new Date();
  return {
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
}

/** The foreign keys' ON DELETE CASCADE: a user's sessions go with it, and their refresh tokens with them. */
function deleteSessionsOf(sessions: InMemorySessionsRepository, userId: string): void {
  for (const session of [...sessions.sessions.values()]) {
    if (session.userId !== userId) continue;
    sessions.sessions.delete(session.id);
    for (let index = sessions.tokens.length - 1; index >= 0; index -= 1) {
      if (sessions.tokens[index].sessionId === session.id) sessions.tokens.splice(index, 1);
    }
  }
}
