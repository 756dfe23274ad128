import { DomainError } from '../common/errors/domain.error';
import { inMemoryAuthServices, PASSWORD } from './auth-service.fake';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

const setUp = inMemoryAuthServices;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('AuthService', () => {
  describe('login', () => {
    it('starts a session for the right password and records LOGIN_SUCCEEDED with it', async () => {
      const { service, auditTable, addAccount, sessionsOf } = setUp();
      const user = await addAccount();
      const pair = await service.login({ email: user.email, password: PASSWORD }, client);

      const [session] = sessionsOf(user.id);
      expect(pair).toMatchObject({ accessToken: `access-${session.id}`, tokenType: 'Bearer', user: { id: user.id } });
      expect(auditTable.rows).toEqual([
        expect.objectContaining({ type: 'LOGIN_SUCCEEDED', subjectId: user.id, sessionId: session.id, alone: false }),
      ]);
    });

    it('answers a wrong password and an unknown email alike, recording LOGIN_FAILED on its own', async () => {
      const { service, auditTable, addAccount, sessionsOf } = setUp();
      const user = await addAccount();
      expect(await codeOf(service.login({ email: user.email, password: 'wrong-password' }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(await codeOf(service.login({ email: 'nobody@example.com', password: PASSWORD }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(sessionsOf(user.id)).toEqual([]);
      expect(auditTable.rows).toEqual([
        expect.objectContaining({
          type: 'LOGIN_FAILED',
          subjectId: user.id,
          details: { reason: 'INVALID_CREDENTIALS' },
        }),
        expect.objectContaining({ type: 'LOGIN_FAILED', subjectId: null, email: 'nobody@example.com' }),
      ]);
      expect(auditTable.rows.every((row) => row.alone)).toBe(true);
    });

    it('tells that an account is disabled only to someone who knows its password', async () => {
      const { service, auditTable, addAccount, sessionsOf } = setUp();
      const user = await addAccount({ status: 'DISABLED' });
      expect(await codeOf(service.login({ email: user.email, password: PASSWORD }, client))).toBe('ACCOUNT_DISABLED');
      expect(await codeOf(service.login({ email: user.email, password: 'wrong-password' }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(sessionsOf(user.id)).toEqual([]);
      expect(auditTable.rows.map((row) => row.details)).toEqual([
        { reason: 'ACCOUNT_DISABLED' },
        { reason: 'INVALID_CREDENTIALS' },
      ]);
    });

    it('with REQUIRE_VERIFIED_EMAIL, refuses an unverified account after its password was checked', async () => {
      const { service, addAccount, sessionsOf } = setUp({ REQUIRE_VERIFIED_EMAIL: 'true' });
      const unverified = await addAccount();
      const verified = await addAccount({ emailVerifiedAt: new Date() });
      expect(await codeOf(service.login({ email: unverified.email, password: 'wrong-password' }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(await codeOf(service.login({ email: unverified.email, password: PASSWORD }, client))).toBe(
        'EMAIL_NOT_VERIFIED',
      );
      expect(sessionsOf(unverified.id)).toEqual([]);
      await expect(service.login({ email: verified.email, password: PASSWORD }, client)).resolves.toBeDefined();
    });

    it('runs no password check once the lockout has locked the pair', async () => {
      const { service, auditTable, hasher, addAccount, sessionsOf } = setUp();
      const user = await addAccount();
      const verify = jest.spyOn(hasher, 'verify');
      for (let i = 0; i < 3; i += 1) await codeOf(service.login({ email: user.email, password: 'wrong' }, client));

      expect(await codeOf(service.login({ email: user.email, password: PASSWORD }, client))).toBe('TOO_MANY_ATTEMPTS');
      expect(verify).toHaveBeenCalledTimes(3);
      expect(sessionsOf(user.id)).toEqual([]);
      expect(auditTable.ofType('LOGIN_LOCKED')).toHaveLength(1);
    });

    it('refuses a login whose account changed while its password was being checked', async () => {
      const { service, users, usersTable, addAccount, sessionsOf } = setUp();
      const admin = { id: (await addAccount({ role: 'ADMIN' })).id, role: 'ADMIN', origin: client } as const;
      const changed = await addAccount();
      const disabled = await addAccount();

      usersTable.afterNextRead = () => users.update(admin, changed.id, { role: 'ADMIN' });
      expect(await codeOf(service.login({ email: changed.email, password: PASSWORD }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      usersTable.afterNextRead = () => users.update(admin, disabled.id, { status: 'DISABLED' });
      expect(await codeOf(service.login({ email: disabled.email, password: PASSWORD }, client))).toBe(
        'ACCOUNT_DISABLED',
      );
      expect([...sessionsOf(changed.id), ...sessionsOf(disabled.id)]).toEqual([]);
    });

    it('rehashes a password hashed at another bcrypt cost, keeping the account’s version', async () => {
      const { service, usersTable, addAccount, passwordOf } = setUp();
      const user = await addAccount({}, 5);
      await service.login({ email: user.email, password: PASSWORD }, client);
      expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: expect.stringMatching(/^\$2b\$04\$/) });
      expect(usersTable.users.get(user.id)?.securityVersion).toBe(0);
      await expect(passwordOf(user, PASSWORD)).resolves.toBe(true);
    });

    it('never writes a rehash over a password changed meanwhile, and refuses that login', async () => {
      const { service, users, usersTable, inTransaction, addAccount } = setUp();
      const user = await addAccount({}, 5);
      usersTable.afterNextRead = () => inTransaction((t) => users.changePassword(t, user.id, 0, 'changed meanwhile'));
      expect(await codeOf(service.login({ email: user.email, password: PASSWORD }, client))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(usersTable.users.get(user.id)?.passwordHash).toBe('changed meanwhile');
    });
  });
});
