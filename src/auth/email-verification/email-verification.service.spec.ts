import { Metrics } from '../../metrics/metrics';
import { InMemoryAuditRepository } from '../../audit/audit.repository.fake';
import type { AuditRepository } from '../../audit/audit.repository';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { loadAppConfig } from '../../config/app-config';
import { RecordingMailer } from '../../mail/mailer.fake';
import type { MailMessage } from '../../mail/mailer';
import { InMemoryTransactions } from '../../prisma/in-memory-transactions';
import type { SessionsService } from '../../sessions/sessions.service';
import { InMemoryUsersRepository } from '../../users/users.repository.fake';
import type { UsersRepository } from '../../users/users.repository';
import { UsersService } from '../../users/users.service';
import { InMemoryActionTokensRepository } from '../action-tokens/action-tokens.repository.fake';
import type { ActionTokensRepository } from '../action-tokens/action-tokens.repository';
import { ActionTokensService } from '../action-tokens/action-tokens.service';
import { EmailVerificationService } from './email-verification.service';

const client = { ip: '203.0.113.7', userAgent: 'jest' };

function setUp(env: Record<string, string> = {}) {
  const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', PUBLIC_URL: 'https://app.test', ...env });
  const usersTable = new InMemoryUsersRepository();
  const tokensTable = new InMemoryActionTokensRepository();
  const auditTable = new InMemoryAuditRepository();
  const transactions = new InMemoryTransactions();
  const audit = new AuditService(auditTable as unknown as AuditRepository, new Metrics());
  // Verification ends no session.
  const users = new UsersService(
    usersTable as unknown as UsersRepository,
    transactions.asTransactions(),
    {} as SessionsService,
    audit,
  );
  const actionTokens = new ActionTokensService(tokensTable as unknown as ActionTokensRepository);
  const mailer = new RecordingMailer();
  const service = new EmailVerificationService(
    transactions.asTransactions(),
    config,
    users,
    actionTokens,
    mailer,
    audit,
  );
  const inTransaction = transactions.run.bind(transactions);
  return { service, usersTable, tokensTable, auditTable, mailer, actionTokens, inTransaction };
}

/** The token in the link of a mailed message. */
function tokenIn(message: MailMessage): string {
  const match = /\/verify-email\?token=([^\s"&<]+)/.exec(message.text);
  if (!match) throw new Error(`no verification link in: ${message.text}`);
  return decodeURIComponent(match[1]);
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

describe('EmailVerificationService', () => {
  describe('sendLink', () => {
    it('mails a link to the account’s address only once the transaction has committed', async () => {
      const { service, usersTable, tokensTable, mailer, inTransaction } = setUp();
      const user = usersTable.addUser();
      await inTransaction(async (transaction) => {
        await service.sendLink(transaction, user);
        expect(mailer.sent).toEqual([]);
      });
      expect(mailer.sent).toEqual([expect.objectContaining({ to: user.email, subject: 'Confirm your email address' })]);
      expect(mailer.sent[0].text).toContain('https://app.test/verify-email?token=');
      expect(tokensTable.of(user.id, 'EMAIL_VERIFICATION')).toHaveLength(1);
    });

    it('mails nothing when the transaction fails after the link was issued', async () => {
      const { service, usersTable, mailer, inTransaction } = setUp();
      const user = usersTable.addUser();
      const failing = inTransaction(async (transaction) => {
        await service.sendLink(transaction, user);
        throw new Error('rolled back');
      });
      await expect(failing).rejects.toThrow('rolled back');
      expect(mailer.sent).toEqual([]);
    });
  });

  describe('verify', () => {
    it('marks the email verified once and records EMAIL_VERIFIED', async () => {
      const { service, usersTable, auditTable, mailer, inTransaction } = setUp();
      const user = usersTable.addUser();
      await inTransaction((transaction) => service.sendLink(transaction, user));
      const token = tokenIn(mailer.sent[0]);

      await service.verify(token, client);
      const verifiedAt = usersTable.users.get(user.id)?.emailVerifiedAt;
      expect(verifiedAt).toBeInstanceOf(Date);
      expect(auditTable.rows).toEqual([
        expect.objectContaining({
          type: 'EMAIL_VERIFIED',
          actorId: user.id,
          subjectId: user.id,
          ip: client.ip,
          alone: false,
        }),
      ]);

      expect(await codeOf(service.verify(token, client))).toBe('INVALID_VERIFICATION_TOKEN');
      expect(usersTable.users.get(user.id)?.emailVerifiedAt).toEqual(verifiedAt);
      expect(auditTable.rows).toHaveLength(1);
    });

    it('refuses an unknown, expired or password-reset token as INVALID_VERIFICATION_TOKEN', async () => {
      const { service, usersTable, tokensTable, auditTable, mailer, actionTokens, inTransaction } = setUp();
      const user = usersTable.addUser();
      await inTransaction((transaction) => service.sendLink(transaction, user));
      const [stored] = tokensTable.of(user.id, 'EMAIL_VERIFICATION');
      stored.expiresAt = new Date(Date.now() - 1);
      const resetToken = await inTransaction((t) => actionTokens.issue(t, user, 'PASSWORD_RESET', 600));

      for (const token of ['not-a-token', tokenIn(mailer.sent[0]), resetToken]) {
        expect(await codeOf(service.verify(token, client))).toBe('INVALID_VERIFICATION_TOKEN');
      }
      expect(usersTable.users.get(user.id)?.emailVerifiedAt).toBeNull();
      expect(auditTable.rows).toEqual([]);
    });
  });

  describe('resend', () => {
    it('mails a new link that replaces the previous one', async () => {
      const { service, usersTable, mailer } = setUp();
      const user = usersTable.addUser();
      await service.resend(user.id);
      await service.resend(user.id);
      expect(mailer.sent).toHaveLength(2);

      expect(await codeOf(service.verify(tokenIn(mailer.sent[0]), client))).toBe('INVALID_VERIFICATION_TOKEN');
      await service.verify(tokenIn(mailer.sent[1]), client);
      expect(usersTable.users.get(user.id)?.emailVerifiedAt).toBeInstanceOf(Date);
    });

    it('does nothing for an account already verified, and refuses an account that no longer exists', async () => {
      const { service, usersTable, tokensTable, mailer } = setUp();
      const verified = usersTable.addUser({ emailVerifiedAt: new Date() });
      await service.resend(verified.id);
      expect(mailer.sent).toEqual([]);
      expect(tokensTable.tokens).toEqual([]);
      expect(await codeOf(service.resend('0b9c3d52-0000-4000-8000-000000000000'))).toBe('INVALID_TOKEN');
    });
  });

  describe('assertLoginAllowed', () => {
    it('lets an unverified account in unless REQUIRE_VERIFIED_EMAIL is set', async () => {
      const { service, usersTable, auditTable } = setUp();
      await expect(service.assertLoginAllowed(usersTable.addUser(), client)).resolves.toBeUndefined();
      expect(auditTable.rows).toEqual([]);
    });

    it('with REQUIRE_VERIFIED_EMAIL, refuses an unverified account as EMAIL_NOT_VERIFIED and records it alone', async () => {
      const { service, usersTable, auditTable } = setUp({ REQUIRE_VERIFIED_EMAIL: 'true' });
      const unverified = usersTable.addUser();
      await expect(
        service.assertLoginAllowed(usersTable.addUser({ emailVerifiedAt: new Date() }), client),
      ).resolves.toBeUndefined();
      expect(await codeOf(service.assertLoginAllowed(unverified, client))).toBe('EMAIL_NOT_VERIFIED');
      expect(auditTable.rows).toEqual([
        expect.objectContaining({
          type: 'LOGIN_FAILED',
          subjectId: unverified.id,
          email: unverified.email,
          details: { reason: 'EMAIL_NOT_VERIFIED' },
          alone: true,
        }),
      ]);
    });
  });
});
