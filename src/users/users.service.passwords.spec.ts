import { Metrics } from '../metrics/metrics';
import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import { InMemoryTransactions } from '../prisma/in-memory-transactions';
import type { SessionsService } from '../sessions/sessions.service';
import { InMemoryUsersRepository } from './users.repository.fake';
import type { UsersRepository } from './users.repository';
import { UsersService } from './users.service';

function setUp() {
  const usersTable = new InMemoryUsersRepository();
  const transactions = new InMemoryTransactions();
  const service = new UsersService(
    usersTable as unknown as UsersRepository,
    transactions.asTransactions(),
    // Password writes end no session themselves: their callers do, in the same transaction.
    {} as SessionsService,
    new AuditService(new InMemoryAuditRepository() as unknown as AuditRepository, new Metrics()),
  );
  const inTransaction = transactions.run.bind(transactions);
  return { service, usersTable, inTransaction };
}

describe('UsersService password writes', () => {
  it('refuses a second account with the same email as EMAIL_TAKEN', async () => {
    const { service, usersTable, inTransaction } = setUp();
    const user = { email: 'taken@example.com', passwordHash: 'hash' };
    await inTransaction((transaction) => service.create(transaction, user));
    const second = inTransaction((transaction) => service.create(transaction, { ...user, passwordHash: 'other' }));
    await expect(second).rejects.toThrow(DomainError);
    await expect(second).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
    expect([...usersTable.users.values()].map((stored) => stored.passwordHash)).toEqual(['hash']);
  });

  describe('changePassword', () => {
    it('sets the hash on an active account still at the version read, and moves the version on', async () => {
      const { service, usersTable, inTransaction } = setUp();
      const user = usersTable.addUser({ securityVersion: 3 });
      const changed = await inTransaction((transaction) => service.changePassword(transaction, user.id, 3, 'new'));
      expect(changed).toBe(true);
      expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: 'new', securityVersion: 4 });
    });

    it('writes nothing once the version moved on or the account is disabled', async () => {
      const { service, usersTable, inTransaction } = setUp();
      const moved = usersTable.addUser({ securityVersion: 4 });
      const disabled = usersTable.addUser({ status: 'DISABLED' });
      await expect(inTransaction((t) => service.changePassword(t, moved.id, 3, 'new'))).resolves.toBe(false);
      await expect(inTransaction((t) => service.changePassword(t, disabled.id, 0, 'new'))).resolves.toBe(false);
      expect(usersTable.users.get(moved.id)).toMatchObject({ passwordHash: 'hash', securityVersion: 4 });
      expect(usersTable.users.get(disabled.id)).toMatchObject({ passwordHash: 'hash', securityVersion: 0 });
    });
  });

  describe('resetPassword', () => {
    it('sets the hash, moves the version on and marks the email verified', async () => {
      const { service, usersTable, inTransaction } = setUp();
      const user = usersTable.addUser();
      await expect(inTransaction((t) => service.resetPassword(t, user.id, 0, 'new'))).resolves.toBe(true);
      expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: 'new', securityVersion: 1 });
      expect(usersTable.users.get(user.id)?.emailVerifiedAt).toBeInstanceOf(Date);
    });

    it('marks nothing verified when the write did not happen', async () => {
      const { service, usersTable, inTransaction } = setUp();
      const moved = usersTable.addUser({ securityVersion: 1 });
      const disabled = usersTable.addUser({ status: 'DISABLED' });
      await expect(inTransaction((t) => service.resetPassword(t, moved.id, 0, 'new'))).resolves.toBe(false);
      await expect(inTransaction((t) => service.resetPassword(t, disabled.id, 0, 'new'))).resolves.toBe(false);
      for (const user of [moved, disabled]) {
        expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: 'hash', emailVerifiedAt: null });
      }
    });

    it('keeps the time of the first proof of the address', async () => {
      const { service, usersTable, inTransaction } = setUp();
      const firstProof = new Date('2026-01-01T00:00:00Z');
      const user = usersTable.addUser({ emailVerifiedAt: firstProof });
      await inTransaction((t) => service.resetPassword(t, user.id, 0, 'new'));
      await inTransaction((t) => service.markEmailVerified(t, user.id));
      expect(usersTable.users.get(user.id)?.emailVerifiedAt).toEqual(firstProof);
    });
  });

  it('replaces a verified hash only while it is still the stored one, keeping the version', async () => {
    const { service, usersTable } = setUp();
    const user = usersTable.addUser({ passwordHash: 'verified' });
    await expect(service.replaceVerifiedHash(user.id, 'stale', 'rehashed')).resolves.toBe(false);
    await expect(service.replaceVerifiedHash(user.id, 'verified', 'rehashed')).resolves.toBe(true);
    expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: 'rehashed', securityVersion: 0 });
  });
});
