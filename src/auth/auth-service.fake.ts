import { Metrics } from '../metrics/metrics';
import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { loadAppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { RecordingMailer } from '../mail/mailer.fake';
import type { MfaService } from '../mfa/mfa.service';
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
import { AuthService } from './auth.service';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { LimiterStore } from './lockout/limiter-store';
import { LoginAttemptsService } from './lockout/login-attempts.service';
import { PasswordChangeAttemptsService } from './lockout/password-change-attempts.service';
import { PasswordChangeService } from './password-change/password-change.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';

export const PASSWORD = 'velvet-otter-climbs-quietly';

// These accounts have no second factor: MfaLoginService and the e2e suite cover those that do.
const accountsWithoutSecondFactor = { methodsFor: () => Promise.resolve([]) } as unknown as MfaService;

/** The session id in an access token of the fake AccessTokenService below. */
export const sessionIdOf = (accessToken: string) => accessToken.replace(/^access-/, '');

/**
 * AuthService and PasswordChangeService over the real services a login goes through (users,
 * sessions, lockout, verification, passwords at bcrypt cost 4), on in-memory repositories.
 */
export function inMemoryAuthServices(env: Record<string, string> = {}) {
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
  const audit = new AuditService(auditTable as unknown as AuditRepository, new Metrics());
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
    new Metrics(),
  );
  const users = new UsersService(usersTable as unknown as UsersRepository, transactions, sessions, audit);
  const hasher = new PasswordHasher({ cost: config.password.bcryptCost, pepper: config.password.pepper });
  const policy = new PasswordPolicy({ minLength: config.password.minLength });
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
    policy,
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
    policy,
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
    hasher,
    inTransaction,
    addAccount,
    sessionsOf,
    passwordOf,
  };
}
