import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { BackgroundTasks } from '../../common/background/background-tasks';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { passwordResetMessage } from '../../mail/mail-templates';
import { Mailer } from '../../mail/mailer';
import { Transactions } from '../../prisma/transactions';
import { UsersService } from '../../users/users.service';
import { ActionTokensService } from '../action-tokens/action-tokens.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordPolicy } from '../passwords/password-policy';
import { SessionsService } from '../../sessions/sessions.service';
import { ClientInfo } from '../../common/client-address/client-info';

/** Forgot password (a mailed one-time link) and reset password (that link plus a new password). */
@Injectable()
export class PasswordResetService implements BeforeApplicationShutdown {
  private readonly background = new BackgroundTasks(new Logger(PasswordResetService.name));

  constructor(
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly actionTokens: ActionTokensService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly mailer: Mailer,
  ) {}

  /**
   * Starts a reset and returns at once, before even looking the email up. Whether the account
   * exists decides only work done after the caller has its answer, so neither the answer nor its
   * timing tells an unknown email from a known one (padding to a fixed time would leak through
   * load and is hard to get right; doing nothing on the response path cannot leak). A failure of
   * the lookup, the token or the mail is logged; the caller's answer is 202 regardless.
   */
  requestReset(email: string): void {
    this.background.run('Password reset request', () => this.mailResetLink(email));
  }

  /**
   * Sets the new password and ends every session of the user, in one transaction with the token's
   * consumption: of concurrent uses of one token exactly one succeeds. The password is written only
   * while the account is active at the securityVersion the link was issued on, so a password change,
   * an earlier reset, a disable or a role change since then leaves the link dead. The password is
   * checked and hashed before the transaction, so no transaction is held open for bcrypt.
   */
  async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    const holder = await this.actionTokens.peek(token, 'PASSWORD_RESET');
    const user = holder ? await this.users.findById(holder.userId) : null;
    if (!holder || !user || user.status !== 'ACTIVE' || user.securityVersion !== holder.userSecurityVersion) {
      throw invalidToken();
    }
    this.policy.assertAcceptable(newPassword, 'newPassword', { email: user.email });
    const passwordHash = await this.hasher.hash(newPassword);

    await this.transactions.run(async (transaction) => {
      const consumed = await this.actionTokens.consume(transaction, token, 'PASSWORD_RESET');
      if (consumed?.userId !== user.id) throw invalidToken();
      if (!(await this.users.resetPassword(transaction, user.id, consumed.userSecurityVersion, passwordHash))) {
        throw invalidToken();
      }
      await this.sessions.revokeAllForUserAndRecord(transaction, user.id, 'PASSWORD_RESET', {
        type: 'PASSWORD_RESET',
        actorId: user.id,
        email: user.email,
        origin: client,
      });
    });
  }

  /** Reset requests still being handled when shutdown begins are finished first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.background.drain();
  }

  private async mailResetLink(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    // A disabled account could not sign in with a new password anyway.
    if (!user || user.status !== 'ACTIVE') return;
    const ttlSeconds = this.config.accountTokens.passwordResetTtlSeconds;
    const token = await this.transactions.run((transaction) =>
      this.actionTokens.issue(transaction, user, 'PASSWORD_RESET', ttlSeconds),
    );
    const link = `${this.config.mail.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await this.mailer.send(passwordResetMessage({ to: user.email, link, expiresInSeconds: ttlSeconds }));
  }
}

function invalidToken(): DomainError {
  return new DomainError('INVALID_RESET_TOKEN', 'The reset link is invalid, used or expired');
}
