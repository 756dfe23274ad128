import { Metrics } from '../metrics/metrics';
import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import type { User } from '../generated/prisma/client';
import { InMemoryTransactions } from '../prisma/in-memory-transactions';
import type { Transaction } from '../prisma/transaction';
import type { RevokedSessionsService } from '../sessions/revocation/revoked-sessions.service';
import { InMemorySessionsRepository } from '../sessions/sessions.repository.fake';
import type { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { InMemoryUsersRepository } from './users.repository.fake';
import type { UsersRepository } from './users.repository';
import { Actor, UsersService } from './users.service';

const origin = { ip: '203.0.113.7', userAgent: 'jest' };

function setUp() {
  const sessionsTable = new InMemorySessionsRepository();
  const usersTable = new InMemoryUsersRepository(sessionsTable);
  const auditTable = new InMemoryAuditRepository();
  const transactions = new InMemoryTransactions();
  const audit = new AuditService(auditTable as unknown as AuditRepository, new Metrics());
  /** Sessions whose access tokens this instance refuses: added once the revoking transaction commits. */
  const refusedSessionIds = new Set<string>();
  const revokedSessions = {
    revokedIn: (transaction: Transaction, ids: readonly string[]) => {
      transaction.afterCommit(() => ids.forEach((id) => refusedSessionIds.add(id)));
      return Promise.resolve();
    },
  };
  const sessions = new SessionsService(
    sessionsTable as unknown as SessionsRepository,
    transactions.asTransactions(),
    revokedSessions as unknown as RevokedSessionsService,
    audit,
  );
  const service = new UsersService(
    usersTable as unknown as UsersRepository,
    transactions.asTransactions(),
    sessions,
    audit,
  );
  const startSession = async (user: User): Promise<string> => {
    const now = new Date();
    const id = await transactions.run((transaction) =>
      sessionsTable.insertIfGranted(
        transaction,
        { userId: user.id, securityVersion: user.securityVersion },
        {
          createdAt: now,
          idleExpiresAt: new Date(now.getTime() + 3_600_000),
          absoluteExpiresAt: new Date(now.getTime() + 3_600_000),
          userAgent: null,
          ip: null,
          amr: ['pwd'],
          authTime: now,
          refreshTokenHash: new Uint8Array(32),
        },
      ),
    );
    if (!id) throw new Error('session not granted');
    return id;
  };
  const admin = (user: User): Actor => ({ id: user.id, role: user.role, origin });
  return { service, usersTable, sessionsTable, auditTable, transactions, refusedSessionIds, startSession, admin };
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

describe('UsersService', () => {
  describe('the last-admin rule', () => {
    it('refuses to demote, disable or delete the last active admin, and changes nothing', async () => {
      const { service, usersTable, sessionsTable, auditTable, startSession, admin } = setUp();
      const onlyAdmin = usersTable.addUser({ role: 'ADMIN' });
      const sessionId = await startSession(onlyAdmin);

      expect(await codeOf(service.update(admin(onlyAdmin), onlyAdmin.id, { role: 'USER' }))).toBe('LAST_ADMIN');
      expect(await codeOf(service.update(admin(onlyAdmin), onlyAdmin.id, { status: 'DISABLED' }))).toBe('LAST_ADMIN');
      expect(await codeOf(service.delete(admin(onlyAdmin), onlyAdmin.id))).toBe('LAST_ADMIN');

      expect(usersTable.users.get(onlyAdmin.id)).toMatchObject({ role: 'ADMIN', status: 'ACTIVE', securityVersion: 0 });
      expect(sessionsTable.sessions.get(sessionId)?.revokedAt).toBeNull();
      expect(auditTable.rows).toEqual([]);
      expect(usersTable.activeAdminLocksTaken).toBe(3);
    });

    it('lets an admin be demoted, disabled or deleted while another admin is active', async () => {
      const { service, usersTable, admin } = setUp();
      const acting = usersTable.addUser({ role: 'ADMIN' });
      const demoted = usersTable.addUser({ role: 'ADMIN' });
      const disabled = usersTable.addUser({ role: 'ADMIN' });
      const deleted = usersTable.addUser({ role: 'ADMIN' });

      await expect(service.update(admin(acting), demoted.id, { role: 'USER' })).resolves.toMatchObject({
        role: 'USER',
      });
      await service.update(admin(acting), disabled.id, { status: 'DISABLED' });
      await service.delete(admin(acting), deleted.id);

      expect(usersTable.users.get(disabled.id)?.status).toBe('DISABLED');
      expect(usersTable.users.has(deleted.id)).toBe(false);
    });

    it('does not count a disabled admin as another admin', async () => {
      const { service, usersTable, admin } = setUp();
      const onlyActive = usersTable.addUser({ role: 'ADMIN' });
      usersTable.addUser({ role: 'ADMIN', status: 'DISABLED' });

      expect(await codeOf(service.update(admin(onlyActive), onlyActive.id, { role: 'USER' }))).toBe('LAST_ADMIN');
      expect(await codeOf(service.delete(admin(onlyActive), onlyActive.id))).toBe('LAST_ADMIN');
    });

    it('lets the last admin rename themselves or be set to what they already are', async () => {
      const { service, usersTable, admin } = setUp();
      const onlyAdmin = usersTable.addUser({ role: 'ADMIN' });
      const unchanged = { name: 'Root', role: 'ADMIN', status: 'ACTIVE' } as const;
      await expect(service.update(admin(onlyAdmin), onlyAdmin.id, unchanged)).resolves.toMatchObject(unchanged);
      expect(usersTable.users.get(onlyAdmin.id)?.securityVersion).toBe(0);
    });
  });

  describe('who may change whom', () => {
    it('lets an owner change only their own name', async () => {
      const { service, usersTable, auditTable } = setUp();
      const owner = usersTable.addUser();
      const other = usersTable.addUser({ name: 'Other' });
      const asOwner: Actor = { id: owner.id, role: 'USER', origin };

      await expect(service.update(asOwner, owner.id, { name: 'Me' })).resolves.toMatchObject({ name: 'Me' });
      expect(await codeOf(service.update(asOwner, other.id, { name: 'Renamed' }))).toBe('FORBIDDEN');
      expect(await codeOf(service.update(asOwner, owner.id, { role: 'ADMIN' }))).toBe('FORBIDDEN');
      expect(await codeOf(service.update(asOwner, owner.id, { status: 'DISABLED' }))).toBe('FORBIDDEN');

      expect(usersTable.users.get(other.id)?.name).toBe('Other');
      expect(usersTable.users.get(owner.id)).toMatchObject({ role: 'USER', status: 'ACTIVE', securityVersion: 0 });
      expect(auditTable.rows).toEqual([]);
    });

    it('lets an owner read only their own account, and an admin any', async () => {
      const { service, usersTable, admin } = setUp();
      const owner = usersTable.addUser();
      const other = usersTable.addUser();
      const asOwner: Actor = { id: owner.id, role: 'USER', origin };
      const asAdmin = admin(usersTable.addUser({ role: 'ADMIN' }));

      await expect(service.getFor(asOwner, owner.id)).resolves.toMatchObject({ id: owner.id });
      expect(await codeOf(service.getFor(asOwner, other.id))).toBe('FORBIDDEN');
      await expect(service.getFor(asAdmin, other.id)).resolves.toMatchObject({ id: other.id });
      expect(await codeOf(service.getFor(asAdmin, 'f5a9e4a2-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
      expect(await codeOf(service.update(asAdmin, 'f5a9e4a2-0000-4000-8000-000000000000', { name: 'x' }))).toBe(
        'NOT_FOUND',
      );
    });
  });

  describe('a role change or a disabling', () => {
    it('ends the user’s sessions in the change’s transaction, moves securityVersion on and records ROLE_CHANGED', async () => {
      const { service, usersTable, sessionsTable, auditTable, transactions, refusedSessionIds, startSession, admin } =
        setUp();
      const acting = usersTable.addUser({ role: 'ADMIN' });
      const user = usersTable.addUser();
      const sessionIds = [await startSession(user), await startSession(user)];
      const bystander = await startSession(acting);
      const startedBefore = transactions.started;

      await service.update(admin(acting), user.id, { role: 'ADMIN' });

      expect(transactions.started - startedBefore).toBe(1);
      for (const id of sessionIds) expect(sessionsTable.sessions.get(id)?.revokedReason).toBe('ROLE_CHANGED');
      expect([...refusedSessionIds]).toEqual(sessionIds);
      expect(sessionsTable.sessions.get(bystander)?.revokedAt).toBeNull();
      expect(usersTable.users.get(user.id)).toMatchObject({ role: 'ADMIN', securityVersion: 1 });
      expect(auditTable.rows).toEqual([
        expect.objectContaining({
          type: 'ROLE_CHANGED',
          actorId: acting.id,
          subjectId: user.id,
          email: user.email,
          ip: origin.ip,
          userAgent: origin.userAgent,
          details: { from: 'USER', to: 'ADMIN' },
          alone: false,
        }),
      ]);
    });

    it('ends the sessions of a disabled user with USER_DISABLED and records STATUS_CHANGED', async () => {
      const { service, usersTable, sessionsTable, auditTable, startSession, admin } = setUp();
      const acting = usersTable.addUser({ role: 'ADMIN' });
      const user = usersTable.addUser();
      const sessionId = await startSession(user);

      await service.update(admin(acting), user.id, { status: 'DISABLED' });
      expect(sessionsTable.sessions.get(sessionId)?.revokedReason).toBe('USER_DISABLED');
      expect(usersTable.users.get(user.id)).toMatchObject({ status: 'DISABLED', securityVersion: 1 });

      await service.update(admin(acting), user.id, { status: 'ACTIVE' });
      expect(usersTable.users.get(user.id)).toMatchObject({ status: 'ACTIVE', securityVersion: 2 });
      expect(auditTable.ofType('STATUS_CHANGED').map((row) => row.details)).toEqual([
        { from: 'ACTIVE', to: 'DISABLED' },
        { from: 'DISABLED', to: 'ACTIVE' },
      ]);
    });

    it('leaves sessions and securityVersion alone when only the name changes', async () => {
      const { service, usersTable, sessionsTable, auditTable, startSession, admin } = setUp();
      const acting = usersTable.addUser({ role: 'ADMIN' });
      const user = usersTable.addUser();
      const sessionId = await startSession(user);

      await service.update(admin(acting), user.id, { name: 'New name', role: 'USER' });
      expect(sessionsTable.sessions.get(sessionId)?.revokedAt).toBeNull();
      expect(usersTable.users.get(user.id)).toMatchObject({ name: 'New name', securityVersion: 0 });
      expect(auditTable.rows).toEqual([]);
    });
  });

  it('deletes a user with their sessions, refuses their access tokens and records USER_DELETED', async () => {
    const { service, usersTable, sessionsTable, auditTable, refusedSessionIds, startSession, admin } = setUp();
    const acting = usersTable.addUser({ role: 'ADMIN' });
    const user = usersTable.addUser();
    const sessionId = await startSession(user);

    await service.delete(admin(acting), user.id);
    expect(usersTable.users.has(user.id)).toBe(false);
    expect(sessionsTable.sessions.has(sessionId)).toBe(false);
    expect([...refusedSessionIds]).toEqual([sessionId]);
    expect(auditTable.rows).toEqual([
      expect.objectContaining({ type: 'USER_DELETED', actorId: acting.id, subjectId: user.id, email: user.email }),
    ]);
    expect(await codeOf(service.delete(admin(acting), user.id))).toBe('NOT_FOUND');
  });

  it('creates a provisioned user once, recording USER_CREATED, and never changes an existing one', async () => {
    const { service, usersTable, auditTable } = setUp();
    const admin = { email: 'admin@example.com', passwordHash: 'first', role: 'ADMIN', emailVerifiedAt: null } as const;

    await expect(service.createIfAbsent(admin)).resolves.toBe(true);
    await expect(service.createIfAbsent({ ...admin, passwordHash: 'second', role: 'USER' })).resolves.toBe(false);

    const stored = await service.findByEmail(admin.email);
    expect(stored).toMatchObject({ passwordHash: 'first', role: 'ADMIN' });
    expect(usersTable.users.size).toBe(1);
    expect(auditTable.rows).toEqual([
      expect.objectContaining({
        type: 'USER_CREATED',
        subjectId: stored!.id,
        email: admin.email,
        details: { role: 'ADMIN' },
      }),
    ]);
  });
});
