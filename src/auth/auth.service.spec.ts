import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import { loadAppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { Mailer, MailMessage } from '../mail/mailer';
import { InMemoryTransactions } from '../prisma/in-memory-transactions';
import type { Transaction } from '../prisma/transaction';
import type { RevokedSessionsService } from '../sessions/revocation/revoked-sessions.service';
import { SessionIssuer } from '../sessions/session-issuer';
import { InMemorySessionsRepository } from '../sessions/sessions.repository.fake';
import type { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import type { AccessTokenService } from '../tokens/access-token.service';
import { InMemoryUsersRepository } from '../users/users.repository.fake';
import type { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { InMemoryActionTokensRepository } from './action-tokens/action-tokens.repository.fake';
import type { ActionTokensRepository } from './action-tokens/action-tokens.repository';
import { ActionTokensService } from './action-tokens/action-tokens.service';
import type { MfaService } from '../mfa/mfa.service';
import { AuthService } from './auth.service';
import { PasswordChangeService } from './password-change/password-change.service';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { LimiterStore } from './lockout/limiter-store';
import { LoginAttemptsService } from './lockout/login-attempts.service';
import { PasswordChangeAttemptsService } from './lockout/password-change-attempts.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';

const PASSWORD = 'velvet-otter-climbs-quietly';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

/** Mail as handed over, dispatched or sent: recorded at once. */
class RecordingMailer extends Mailer {
  readonly sent: MailMessage[] = [];

  send(message: MailMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }

  override dispatch(message: MailMessage): void {
    this.sent.push(message);
  }
}

/**
 * AuthService over the real services registration and password change go through (users, sessions,
 * verification, lockout, passwords at bcrypt cost 4) and in-memory repositories.
 */
function setUp(env: Record<string, string> = {}) {
  const config = loadAppConfig({
    DATABASE_URL: 'postgresql://localhost/auth',
    BCRYPT_COST: '4',
    LOCKOUT_THRESHOLD: '3',
    ...env,
  });
  const sessionsTable = new InMemorySessionsRepository();
  const usersTable = new InMemoryUsersRepository(sessionsTable);
  const auditTable = new InMemoryAuditRepository();
  const tokensTable = new InMemoryActionTokensRepository();
  const inMemoryTransactions = new InMemoryTransactions();
  const transactions = inMemoryTransactions.asTransactions();
  const audit = new AuditService(auditTable as unknown as AuditRepository);
  const revokedSessions = { revokedIn: (_transaction: Transaction, _ids: readonly string[]) => Promise.resolve() };
  const accessTokens = {
    issue: ({ sessionId }: { sessionId: string }) => ({ token: `access-${sessionId}`, expiresIn: 900 }),
  };
  const sessionsRepository = sessionsTable as unknown as SessionsRepository;
  const sessions = new SessionsService(
    sessionsRepository,
    transactions,
    revokedSessions as unknown as RevokedSessionsService,
    audit,
  );
  const issuer = new SessionIssuer(
    sessionsRepository,
    transactions,
    config,
    accessTokens as unknown as AccessTokenService,
    sessions,
    audit,
  );
  const users = new UsersService(usersTable as unknown as UsersRepository, transactions, sessions, audit);
  const hasher = new PasswordHasher({ cost: config.password.bcryptCost, pepper: config.password.pepper });
  const mailer = new RecordingMailer();
  const actionTokens = new ActionTokensService(tokensTable as unknown as ActionTokensRepository);
  const emailVerification = new EmailVerificationService(transactions, config, users, actionTokens, mailer, audit);
  const store = new LimiterStore('test:');
  const service = new AuthService(
    transactions,
    users,
    issuer,
    sessions,
    hasher,
    new PasswordPolicy({ minLength: config.password.minLength }),
    audit,
    emailVerification,
    new LoginAttemptsService(store, config, audit, users),
    accountsWithoutSecondFactor,
  );
  const passwordChange = new PasswordChangeService(
    transactions,
    users,
    sessions,
    hasher,
    new PasswordPolicy({ minLength: config.password.minLength }),
    new PasswordChangeAttemptsService(store, config, audit),
    accountsWithoutSecondFactor,
    config,
  );
  /** An account with PASSWORD, hashed at the configured cost unless `cost` says otherwise. */
  const addAccount = async (changes: Partial<User> = {}, cost = config.password.bcryptCost): Promise<User> => {
    const passwordHash = await new PasswordHasher({ cost, pepper: config.password.pepper }).hash(PASSWORD);
    return usersTable.addUser({ passwordHash, ...changes });
  };
  const sessionsOf = (userId: string) => [...sessionsTable.sessions.values()].filter((s) => s.userId === userId);
  const passwordOf = (user: User, password: string) =>
    hasher.verify(password, usersTable.users.get(user.id)!.passwordHash);
  const inTransaction = inMemoryTransactions.run.bind(inMemoryTransactions);
  return {
    service,
    passwordChange,
    users,
    usersTable,
    tokensTable,
    auditTable,
    mailer,
    inTransaction,
    addAccount,
    sessionsOf,
    passwordOf,
  };
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

/** The session id in an access token of the fake AccessTokenService. */
const sessionIdOf = (accessToken: string) => accessToken.replace(/^access-/, '');

// These accounts have no second factor: MfaLoginService and the e2e suite cover those that do.
const accountsWithoutSecondFactor = { methodsFor: () => Promise.resolve([]) } as unknown as MfaService;

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
