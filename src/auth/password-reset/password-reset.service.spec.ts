import { Metrics } from '../../metrics/metrics';
import { InMemoryAuditRepository } from '../../audit/audit.repository.fake';
import type { AuditRepository } from '../../audit/audit.repository';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { loadAppConfig } from '../../config/app-config';
import type { User } from '../../generated/prisma/client';
import { RecordingMailer } from '../../mail/mailer.fake';
import { InMemoryTransactions } from '../../prisma/in-memory-transactions';
import type { Transaction } from '../../prisma/transaction';
import type { RevokedSessionsService } from '../../sessions/revocation/revoked-sessions.service';
import { InMemorySessionsRepository } from '../../sessions/sessions.repository.fake';
import type { SessionsRepository } from '../../sessions/sessions.repository';
import { SessionsService } from '../../sessions/sessions.service';
import { InMemoryUsersRepository } from '../../users/users.repository.fake';
import type { UsersRepository } from '../../users/users.repository';
import { UsersService } from '../../users/users.service';
import { InMemoryActionTokensRepository } from '../action-tokens/action-tokens.repository.fake';
import type { ActionTokensRepository } from '../action-tokens/action-tokens.repository';
import { ActionTokensService } from '../action-tokens/action-tokens.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordPolicy } from '../passwords/password-policy';
import { PasswordResetService } from './password-reset.service';

const NEW_PASSWORD = 'velvet-otter-climbs-quietly';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

function setUp() {
  const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', BCRYPT_COST: '4' });
  const sessionsTable = new InMemorySessionsRepository();
  const usersTable = new InMemoryUsersRepository(sessionsTable);
  const tokensTable = new InMemoryActionTokensRepository();
  const auditTable = new InMemoryAuditRepository();
  const transactions = new InMemoryTransactions();
  const audit = new AuditService(auditTable as unknown as AuditRepository, new Metrics());
  const revokedSessions = {
    revokedIn: (_transaction: Transaction, _ids: readonly string[]) => Promise.resolve(),
  };
  const sessions = new SessionsService(
    sessionsTable as unknown as SessionsRepository,
    transactions.asTransactions(),
    revokedSessions as unknown as RevokedSessionsService,
    audit,
  );
  const users = new UsersService(
    usersTable as unknown as UsersRepository,
    transactions.asTransactions(),
    sessions,
    audit,
  );
  const actionTokens = new ActionTokensService(tokensTable as unknown as ActionTokensRepository);
  const hasher = new PasswordHasher({ cost: config.password.bcryptCost, pepper: config.password.pepper });
  const mailer = new RecordingMailer();
  const service = new PasswordResetService(
    transactions.asTransactions(),
    config,
    users,
    actionTokens,
    sessions,
    hasher,
    new PasswordPolicy({ minLength: config.password.minLength }),
    mailer,
  );
  /** Asks for a reset link for `email` and returns the token the mail carries. */
  const mailedToken = async (email: string): Promise<string> => {
    service.requestReset(email);
    await service.beforeApplicationShutdown();
    const match = /\/reset-password\?token=([^\s"&<]+)/.exec(mailer.sent.at(-1)?.text ?? '');
    if (!match) throw new Error('no reset link was mailed');
    return decodeURIComponent(match[1]);
  };
  const startSession = async (user: User): Promise<string> => {
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const id = await transactions.run((transaction) =>
      sessionsTable.insertIfGranted(
        transaction,
        { userId: user.id, securityVersion: user.securityVersion },
        {
          createdAt: now,
          idleExpiresAt: later,
          absoluteExpiresAt: later,
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
  const inTransaction = transactions.run.bind(transactions);
  const passwordOf = (user: User, password: string) =>
    hasher.verify(password, usersTable.users.get(user.id)!.passwordHash);
  return {
    service,
    usersTable,
    sessionsTable,
    tokensTable,
    auditTable,
    mailer,
    actionTokens,
    users,
    mailedToken,
    startSession,
    inTransaction,
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

describe('PasswordResetService', () => {
  describe('requestReset', () => {
    it('mails a known active account a link to the reset page', async () => {
      const { usersTable, tokensTable, mailer, mailedToken } = setUp();
      const user = usersTable.addUser();
      await mailedToken(user.email);
      expect(mailer.sent).toEqual([expect.objectContaining({ to: user.email, subject: 'Reset your password' })]);
      expect(mailer.sent[0].text).toContain('http://localhost:3000/reset-password?token=');
      expect(tokensTable.of(user.id, 'PASSWORD_RESET')).toEqual([expect.objectContaining({ userSecurityVersion: 0 })]);
    });

    it('sends nothing, and stores no token, for an unknown email or a disabled account', async () => {
      const { service, usersTable, tokensTable, mailer } = setUp();
      const disabled = usersTable.addUser({ status: 'DISABLED' });
      service.requestReset('nobody@example.com');
      service.requestReset(disabled.email);
      await service.beforeApplicationShutdown();
      expect(mailer.sent).toEqual([]);
      expect(tokensTable.tokens).toEqual([]);
    });
  });

  describe('resetPassword', () => {
    it('sets the password, ends every session, proves the address and records PASSWORD_RESET', async () => {
      const { service, usersTable, sessionsTable, tokensTable, auditTable, mailedToken, startSession, passwordOf } =
        setUp();
      const user = usersTable.addUser({ passwordHash: 'forgotten' });
      const sessionIds = [await startSession(user), await startSession(user)];

      await service.resetPassword(await mailedToken(user.email), NEW_PASSWORD, client);

      await expect(passwordOf(user, NEW_PASSWORD)).resolves.toBe(true);
      expect(usersTable.users.get(user.id)).toMatchObject({ securityVersion: 1, emailVerifiedAt: expect.any(Date) });
      expect(tokensTable.of(user.id, 'PASSWORD_RESET')).toEqual([
        expect.objectContaining({ usedAt: expect.any(Date) }),
      ]);
      for (const id of sessionIds) expect(sessionsTable.sessions.get(id)?.revokedReason).toBe('PASSWORD_RESET');
      expect(auditTable.rows).toEqual([
        expect.objectContaining({
          type: 'PASSWORD_RESET',
          actorId: user.id,
          subjectId: user.id,
          email: user.email,
          ip: client.ip,
          details: { sessionsEnded: 2 },
        }),
      ]);
    });

    it('refuses an unknown, used, expired or verification token as INVALID_RESET_TOKEN', async () => {
      const { service, usersTable, tokensTable, mailedToken, actionTokens, inTransaction, passwordOf } = setUp();
      const used = usersTable.addUser();
      const usedToken = await mailedToken(used.email);
      await service.resetPassword(usedToken, NEW_PASSWORD, client);
      expect(await codeOf(service.resetPassword(usedToken, 'another-long-passphrase', client))).toBe(
        'INVALID_RESET_TOKEN',
      );
      await expect(passwordOf(used, NEW_PASSWORD)).resolves.toBe(true);

      const other = usersTable.addUser();
      const expiredToken = await mailedToken(other.email);
      tokensTable.of(other.id, 'PASSWORD_RESET')[0].expiresAt = new Date(Date.now() - 1);
      const verificationToken = await inTransaction((t) => actionTokens.issue(t, other, 'EMAIL_VERIFICATION', 600));
      for (const token of ['not-a-token', expiredToken, verificationToken]) {
        expect(await codeOf(service.resetPassword(token, NEW_PASSWORD, client))).toBe('INVALID_RESET_TOKEN');
      }
      expect(usersTable.users.get(other.id)).toMatchObject({ passwordHash: 'hash', securityVersion: 0 });
    });

    it('refuses a link issued before the account’s securityVersion moved on', async () => {
      const { service, usersTable, users, mailedToken, inTransaction } = setUp();
      const user = usersTable.addUser();
      const token = await mailedToken(user.email);
      await inTransaction((transaction) => users.changePassword(transaction, user.id, 0, 'changed since'));

      // The link is judged before the new password: a dead link says nothing about the password.
      for (const password of ['short', NEW_PASSWORD]) {
        expect(await codeOf(service.resetPassword(token, password, client))).toBe('INVALID_RESET_TOKEN');
      }
      expect(usersTable.users.get(user.id)).toMatchObject({ passwordHash: 'changed since', securityVersion: 1 });
    });

    it('refuses the link of an account disabled since it was mailed', async () => {
      const { service, usersTable, mailedToken } = setUp();
      const user = usersTable.addUser();
      const token = await mailedToken(user.email);
      usersTable.users.get(user.id)!.status = 'DISABLED';

      for (const password of ['short', NEW_PASSWORD]) {
        expect(await codeOf(service.resetPassword(token, password, client))).toBe('INVALID_RESET_TOKEN');
      }
      expect(usersTable.users.get(user.id)?.passwordHash).toBe('hash');
    });

    it('refuses when the account changes between the token check and the write', async () => {
      const { service, usersTable, users, mailedToken, inTransaction } = setUp();
      const user = usersTable.addUser();
      const token = await mailedToken(user.email);
      usersTable.afterNextRead = () => inTransaction((t) => users.changePassword(t, user.id, 0, 'changed meanwhile'));

      expect(await codeOf(service.resetPassword(token, NEW_PASSWORD, client))).toBe('INVALID_RESET_TOKEN');
      expect(usersTable.users.get(user.id)?.passwordHash).toBe('changed meanwhile');
    });

    it('lets exactly one of two concurrent uses of a token set its password', async () => {
      const { service, usersTable, mailedToken, passwordOf } = setUp();
      const user = usersTable.addUser();
      const token = await mailedToken(user.email);
      const passwords = ['first-long-passphrase', 'second-long-passphrase'];
      const outcomes = await Promise.all(
        passwords.map((password) => codeOf(service.resetPassword(token, password, client))),
      );

      expect([...outcomes].sort()).toEqual(['INVALID_RESET_TOKEN', 'resolved']);
      const winner = passwords[outcomes.indexOf('resolved')];
      await expect(passwordOf(user, winner)).resolves.toBe(true);
      expect(usersTable.users.get(user.id)?.securityVersion).toBe(1);
    });

    it('refuses a password the policy refuses, and leaves the link usable', async () => {
      const { service, usersTable, mailedToken } = setUp();
      const user = usersTable.addUser();
      const token = await mailedToken(user.email);
      expect(await codeOf(service.resetPassword(token, 'short', client))).toBe('VALIDATION_FAILED');
      await expect(service.resetPassword(token, NEW_PASSWORD, client)).resolves.toBeUndefined();
    });
  });
});
