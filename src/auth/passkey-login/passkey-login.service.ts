import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import { PasskeyAssertion, PasskeysService } from '../../passkeys/passkeys.service';
import { Transactions } from '../../prisma/transactions';
import { SessionIssuer } from '../../sessions/session-issuer';
import { UsersService } from '../../users/users.service';
import { TokenPairDto } from '../dto/token-pair.dto';
import { EmailVerificationService } from '../email-verification/email-verification.service';
import { refusalOfChangedAccount } from '../changed-account-refusal';
import { toTokenPair } from '../token-pair';

/**
 * A login with a passkey alone: the assertion proves possession of the key and, by the required user
 * verification, the person (a PIN or biometric), so it counts as a second factor and no password or
 * MFA_REQUIRED step follows.
 */
@Injectable()
export class PasskeyLoginService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly issuer: SessionIssuer,
    private readonly audit: AuditService,
    private readonly emailVerification: EmailVerificationService,
  ) {}

  /**
   * Verifies the assertion (using its challenge up), then applies the account rules of a password
   * login (active, verified email where required) and, in one transaction, records the passkey's use
   * (only while its counter still moves on) and starts the session on the account as it was read.
   */
  async login(assertion: PasskeyAssertion, client: ClientInfo): Promise<TokenPairDto> {
    const verified = await this.passkeys.verifyAssertion(assertion, client);
    const user = await this.users.findById(verified.passkey.userId);
    if (!user) throw new DomainError('INVALID_PASSKEY', 'This passkey is not registered (it may have been removed)');
    if (user.status !== 'ACTIVE') {
      await this.audit.recordAlone({
        type: 'LOGIN_FAILED',
        subjectId: user.id,
        email: user.email,
        origin: client,
        details: { reason: 'ACCOUNT_DISABLED', method: 'passkey' },
      });
      throw new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
    }
    await this.emailVerification.assertLoginAllowed(user, client);
    const issued = await this.transactions.run(async (transaction) => {
      await this.passkeys.record(transaction, verified, client);
      const grant = { userId: user.id, securityVersion: user.securityVersion, role: user.role };
      const started = await this.issuer.start(transaction, grant, client, {
        amr: [verified.method, 'user'],
        at: verified.use.at,
      });
      if (!started) return undefined;
      const event = {
        actorId: user.id,
        subjectId: user.id,
        email: user.email,
        sessionId: started.session.id,
        origin: client,
      };
      await this.audit.record(transaction, {
        type: 'PASSKEY_USED',
        ...event,
        details: { passkeyId: verified.passkey.id },
      });
      await this.audit.record(transaction, {
        type: 'LOGIN_SUCCEEDED',
        ...event,
        details: { method: 'passkey', passkeyId: verified.passkey.id },
      });
      return started;
    });
    // The account was disabled, or its role or password changed, between the read and the grant.
    if (!issued) {
      throw await refusalOfChangedAccount(
        this.users,
        user.id,
        () => new DomainError('INVALID_PASSKEY', 'The account changed while signing in: try again'),
      );
    }
    return toTokenPair(user, issued);
  }
}
