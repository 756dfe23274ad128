import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import type { User } from '../../generated/prisma/client';
import { verifyEmailMessage } from '../../mail/mail-templates';
import { Mailer } from '../../mail/mailer';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { UsersService } from '../../users/users.service';
import { ActionTokensService } from '../action-tokens/action-tokens.service';
import { ClientInfo } from '../../common/client-address/client-info';

/** Proving that an account's email address is its owner's: the mailed link, resending it, and the login rule. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly actionTokens: ActionTokensService,
    private readonly mailer: Mailer,
    private readonly audit: AuditService,
  ) {}

  /** Issues a verification token in the caller's transaction; the mail goes out once it commits. */
  async sendLink(transaction: Transaction, user: Pick<User, 'id' | 'email' | 'securityVersion'>): Promise<void> {
    const ttlSeconds = this.config.accountTokens.emailVerificationTtlSeconds;
    const token = await this.actionTokens.issue(transaction, user, 'EMAIL_VERIFICATION', ttlSeconds);
    const link = `${this.config.mail.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
    transaction.afterCommit(() =>
      this.mailer.dispatch(verifyEmailMessage({ to: user.email, link, expiresInSeconds: ttlSeconds })),
    );
  }

  /** A new link for the caller; an already verified account gets nothing (and no error). */
  async resend(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    if (user.emailVerifiedAt !== null) return;
    await this.transactions.run((transaction) => this.sendLink(transaction, user));
  }

  async verify(token: string, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const holder = await this.actionTokens.consume(transaction, token, 'EMAIL_VERIFICATION');
      if (!holder) {
        throw new DomainError('INVALID_VERIFICATION_TOKEN', 'The verification link is invalid, used or expired');
      }
      const { userId } = holder;
      await this.users.markEmailVerified(transaction, userId);
      await this.audit.record(transaction, {
        type: 'EMAIL_VERIFIED',
        actorId: userId,
        subjectId: userId,
        origin: client,
      });
    });
  }

  /**
   * With REQUIRE_VERIFIED_EMAIL, refuses the login of an unverified account. Called only once the
   * password is known to be right, so it tells nothing to someone who does not know it.
   */
  async assertLoginAllowed(user: User, client: ClientInfo): Promise<void> {
    if (!this.config.accountTokens.requireVerifiedEmail || user.emailVerifiedAt !== null) return;
    await this.audit.recordAlone({
      type: 'LOGIN_FAILED',
      subjectId: user.id,
      email: user.email,
      origin: client,
      details: { reason: 'EMAIL_NOT_VERIFIED' },
    });
    throw new DomainError('EMAIL_NOT_VERIFIED', 'Verify your email address before signing in');
  }
}
