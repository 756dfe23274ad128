import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import { loadAppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import type { Mailer } from '../mail/mailer';
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
import type { ActionTokensService } from './action-tokens/action-tokens.service';
import type { MfaService } from '../mfa/mfa.service';
import { AuthService } from './auth.service';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { LimiterStore } from './lockout/limiter-store';
import { LoginAttemptsService } from './lockout/login-attempts.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';

const PASSWORD = 'velvet-otter-climbs-quietly';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

/**
 * AuthService over the real services a login goes through (users, sessions, lockout, verification,
 * passwords at bcrypt cost 4) and in-memory repositories.
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
  // A login issues no link and mails nothing: verification only says whether the email must be verified.
  const emailVerification = new EmailVerificationService(
    transactions,
    config,
    users,
    {} as ActionTokensService,
    {} as Mailer,
    audit,
  );
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
  /** An account with PASSWORD, hashed at the configured cost unless `cost` says otherwise. */
  const addAccount = async (changes: Partial<User> = {}, cost = config.password.bcryptCost): Promise<User> => {
    const passwordHash = await new PasswordHasher({ cost, pepper: config.password.pepper }).hash(PASSWORD);
    return usersTable.addUser({ passwordHash, ...changes });
  };
  const sessionsOf = (userId: string) => [...sessionsTable.sessions.values()].filter((s) => s.userId === userId);
  const passwordOf = (user: User, password: string) =>
    hasher.verify(password, usersTable.users.get(user.id)!.passwordHash);
  const inTransaction = inMemoryTransactions.run.bind(inMemoryTransactions);
  return { service, users, usersTable, auditTable, hasher, inTransaction, addAccount, sessionsOf, passwordOf };
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

// These accounts have no second factor: MfaLoginService and the e2e suite cover those that do.
const accountsWithoutSecondFactor = { methodsFor: () => Promise.resolve([]) } as unknown as MfaService;

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
