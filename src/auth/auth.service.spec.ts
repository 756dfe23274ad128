import { DomainError } from '../common/errors/domain.error';
import { inMemoryAuthServices, PASSWORD, sessionIdOf } from './auth-service.fake';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

/**
 * AuthService over the real services registration and password change go through (users, sessions,
 * verification, lockout, passwords at bcrypt cost 4) and in-memory repositories.
 */
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
  describe('register', () => {
    it('creates the account, starts its session and mails a verification link once that has committed', async () => {
      const { service, usersTable, tokensTable, auditTable, mailer, sessionsOf, passwordOf } = setUp();
      // The fake audit shows a transaction's rows once it commits: seeing the registration's row when
      // the mail leaves means the mail left after the commit.
      let registrationCommittedWhenMailed: boolean | undefined;
      jest.spyOn(mailer, 'dispatch').mockImplementation((message) => {
        registrationCommittedWhenMailed = auditTable.ofType('USER_REGISTERED').length === 1;
        mailer.sent.push(message);
      });

      const pair = await service.register({ email: 'new@example.com', password: PASSWORD, name: 'New' }, client);

      const user = [...usersTable.users.values()].find((stored) => stored.email === 'new@example.com')!;
      await expect(passwordOf(user, PASSWORD)).resolves.toBe(true);
      expect(pair.user).toMatchObject({ id: user.id, name: 'New', emailVerified: false });
      expect(sessionsOf(user.id).map((session) => session.id)).toEqual([sessionIdOf(pair.accessToken)]);
      expect(auditTable.ofType('USER_REGISTERED')).toEqual([
        expect.objectContaining({ subjectId: user.id, sessionId: sessionIdOf(pair.accessToken) }),
      ]);
      expect(mailer.sent).toEqual([expect.objectContaining({ to: user.email, subject: 'Confirm your email address' })]);
      expect(registrationCommittedWhenMailed).toBe(true);
      expect(tokensTable.of(user.id, 'EMAIL_VERIFICATION')).toHaveLength(1);
    });

    it('refuses a taken email or a weak password, and mails nothing', async () => {
      const { service, usersTable, mailer, addAccount } = setUp();
      const existing = await addAccount();
      expect(await codeOf(service.register({ email: existing.email, password: PASSWORD }, client))).toBe('EMAIL_TAKEN');
      expect(await codeOf(service.register({ email: 'weak@example.com', password: 'password' }, client))).toBe(
        'VALIDATION_FAILED',
      );
      expect(usersTable.users.size).toBe(1);
      expect(mailer.sent).toEqual([]);
    });
  });

  describe('changePassword', () => {
    const NEW_PASSWORD = 'another-otter-sings-loudly';

    /** An account signed in three times; the caller holds the first session. */
    async function signedIn(context: ReturnType<typeof setUp>) {
      const user = await context.addAccount();
      const pairs = [];
      for (let i = 0; i < 3; i += 1)
        pairs.push(await context.service.login({ email: user.email, password: PASSWORD }, client));
      const caller = {
        id: user.id,
        role: user.role,
        sessionId: sessionIdOf(pairs[0].accessToken),
        amr: ['pwd'],
        authTime: 0,
      };
      return { user, caller };
    }

    it('refuses a wrong current password, changing nothing, and records PASSWORD_CHANGE_FAILED alone', async () => {
      const context = setUp();
      const { passwordChange, usersTable, auditTable, sessionsOf } = context;
      const { user, caller } = await signedIn(context);
      const passwords = { currentPassword: 'wrong-password', newPassword: NEW_PASSWORD };

      expect(await codeOf(passwordChange.changePassword(caller, passwords, client))).toBe('INVALID_CREDENTIALS');
      expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: user.passwordHash, securityVersion: 0 });
      expect(sessionsOf(user.id).every((session) => session.revokedAt === null)).toBe(true);
      expect(auditTable.ofType('PASSWORD_CHANGE_FAILED')).toEqual([
        expect.objectContaining({ subjectId: user.id, sessionId: caller.sessionId, alone: true }),
      ]);
    });

    it('sets the new password and ends every other session, keeping the caller’s', async () => {
      const context = setUp();
      const { passwordChange, usersTable, auditTable, sessionsOf, passwordOf } = context;
      const { user, caller } = await signedIn(context);

      await passwordChange.changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, client);

      await expect(passwordOf(user, NEW_PASSWORD)).resolves.toBe(true);
      expect(usersTable.users.get(user.id)?.securityVersion).toBe(1);
      expect(sessionsOf(user.id).map((session) => [session.id === caller.sessionId, session.revokedReason])).toEqual([
        [true, null],
        [false, 'PASSWORD_CHANGED'],
        [false, 'PASSWORD_CHANGED'],
      ]);
      expect(auditTable.ofType('PASSWORD_CHANGED')).toEqual([
        expect.objectContaining({ subjectId: user.id, sessionId: caller.sessionId, details: { sessionsEnded: 2 } }),
      ]);
    });

    it('refuses a change when the account changed after its current password was read', async () => {
      const context = setUp();
      const { passwordChange, users, usersTable, inTransaction, addAccount, sessionsOf } = context;
      const { user, caller } = await signedIn(context);
      const passwords = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };

      usersTable.afterNextRead = () => inTransaction((t) => users.changePassword(t, user.id, 0, 'changed meanwhile'));
      expect(await codeOf(passwordChange.changePassword(caller, passwords, client))).toBe('INVALID_CREDENTIALS');
      expect(usersTable.users.get(user.id)?.passwordHash).toBe('changed meanwhile');
      expect(sessionsOf(user.id).every((session) => session.revokedAt === null)).toBe(true);

      const admin = { id: (await addAccount({ role: 'ADMIN' })).id, role: 'ADMIN', origin: client } as const;
      const other = await signedIn(context);
      usersTable.afterNextRead = () => users.update(admin, other.user.id, { status: 'DISABLED' });
      expect(await codeOf(passwordChange.changePassword(other.caller, passwords, client))).toBe('ACCOUNT_DISABLED');
      expect(usersTable.users.get(other.user.id)?.passwordHash).toBe(other.user.passwordHash);
    });

    it('refuses a new password the policy refuses', async () => {
      const context = setUp();
      const { user, caller } = await signedIn(context);
      const passwords = { currentPassword: PASSWORD, newPassword: user.email };
      expect(await codeOf(context.passwordChange.changePassword(caller, passwords, client))).toBe('VALIDATION_FAILED');
      await expect(context.passwordOf(user, PASSWORD)).resolves.toBe(true);
    });
  });
});
