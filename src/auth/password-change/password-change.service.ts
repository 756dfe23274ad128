import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../common/access-control/current-user.decorator';
import { hasRecentSecondFactor } from '../../common/access-control/require-mfa.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { MfaService } from '../../mfa/mfa.service';
import { Transactions } from '../../prisma/transactions';
import { SessionsService } from '../../sessions/sessions.service';
import { UsersService } from '../../users/users.service';
import { refusalOfChangedAccount } from '../changed-account-refusal';
import { stepUpRequired } from '../guards/mfa-step-up.guard';
import { PasswordChangeAttemptsService } from '../lockout/password-change-attempts.service';
import { PasswordHasher } from '../passwords/password-hasher';
import { PasswordPolicy } from '../passwords/password-policy';

/** A signed-in user choosing a new password with their current one. */
@Injectable()
export class PasswordChangeService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly attempts: PasswordChangeAttemptsService,
    private readonly mfa: MfaService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Needs the current password, and for an account with a second factor a recent one too. Every
   * other session ends, so a thief holding one is out; the session making the change stays signed in.
   */
  async changePassword(
    caller: AuthenticatedUser,
    passwords: { currentPassword: string; newPassword: string },
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    // With a second factor, a password alone (a stolen session's) cannot replace the password.
    const stepUpMaxAge = this.config.mfa.stepUpMaxAgeSeconds;
    if (!hasRecentSecondFactor(caller, stepUpMaxAge) && (await this.mfa.methodsFor(user.id)).length > 0) {
      throw stepUpRequired();
    }
    await this.attempts.attempt(caller, user, client, async () => {
      if (!(await this.hasher.verify(passwords.currentPassword, user.passwordHash))) {
        throw new DomainError('INVALID_CREDENTIALS', 'The current password is incorrect');
      }
    });
    this.policy.assertAcceptable(passwords.newPassword, 'newPassword', { email: user.email });
    const passwordHash = await this.hasher.hash(passwords.newPassword);
    await this.transactions.run(async (transaction) => {
      // Only while the account is as it was when the current password was checked.
      if (!(await this.users.changePassword(transaction, user.id, user.securityVersion, passwordHash))) {
        throw await refusalOfChangedAccount(this.users, user.id);
      }
      await this.sessions.revokeAllForUserAndRecord(
        transaction,
        user.id,
        'PASSWORD_CHANGED',
        { type: 'PASSWORD_CHANGED', actorId: user.id, sessionId: caller.sessionId, origin: client },
        caller.sessionId,
      );
    });
  }
}
