import { Injectable } from '@nestjs/common';
import { AuditEventInput, AuditService } from '../../audit/audit.service';
import type { AuthenticatedUser } from '../../common/access-control/current-user.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import { MfaService, SecondFactorProof, UsedSecondFactor } from '../../mfa/mfa.service';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { SessionIssuer } from '../../sessions/session-issuer';
import { UsersService } from '../../users/users.service';
import { TokenPairDto } from '../dto/token-pair.dto';
import { MfaAttemptsService } from '../lockout/mfa-attempts.service';
import { toTokenPair } from '../token-pair';

const invalidMfaToken = () =>
  new DomainError('INVALID_MFA_TOKEN', 'The mfaToken is not valid, used or expired: log in again');

/** The first-factor methods of a session (a password, a provider's sign-in), which a step-up keeps. */
const firstFactorsOf = (amr: readonly string[]) => amr.filter((method) => method === 'pwd' || method === 'fed');

/** The second half of a login that answered MFA_REQUIRED: the factor, then the session. */
@Injectable()
export class MfaLoginService {
  constructor(
    private readonly mfa: MfaService,
    private readonly attempts: MfaAttemptsService,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly issuer: SessionIssuer,
    private readonly audit: AuditService,
  ) {}

  /**
   * Completes the login of `mfaToken` with a second factor, under the account's code lockout. In one
   * transaction: the challenge is used up, the factor is used up (a TOTP step or a recovery code),
   * and the session starts only on the account as it was when its password was checked. A wrong code
   * rolls all of it back, so the mfaToken stays good for another try until it expires or locks.
   */
  async verify(mfaToken: string, proof: SecondFactorProof, client: ClientInfo): Promise<TokenPairDto> {
    const holder = await this.mfa.peekChallenge(mfaToken);
    if (!holder) throw invalidMfaToken();
    return this.attempts.attempt(holder.userId, client, async () => {
      const user = await this.users.findById(holder.userId);
      if (!user) throw invalidMfaToken();
      const prepared = await this.mfa.prepareSecondFactor(user.id, proof, client);
      const issued = await this.transactions.run(async (transaction) => {
        const challenge = await this.mfa.consumeChallenge(transaction, mfaToken);
        if (!challenge) throw invalidMfaToken();
        const factor = await this.mfa.useSecondFactor(transaction, user.id, prepared, client);
        if (!factor) throw new DomainError('INVALID_MFA_CODE', 'The code is not valid, or was already used');
        const grant = { userId: user.id, securityVersion: challenge.securityVersion, role: user.role };
        const amr = [...challenge.firstFactor, ...factor.amr];
        const started = await this.issuer.start(transaction, grant, client, { amr, at: new Date() });
        // The password, status or role changed since the password was checked: that login is void.
        if (!started) throw invalidMfaToken();
        const event = {
          actorId: user.id,
          subjectId: user.id,
          email: user.email,
          sessionId: started.session.id,
          origin: client,
        };
        await this.recordFactor(transaction, factor, event);
        await this.audit.record(transaction, {
          type: 'LOGIN_SUCCEEDED',
          ...event,
          details: { secondFactor: factor.method },
        });
        return started;
      });
      return toTokenPair(user, issued);
    });
  }

  /**
   * Records a second factor on the caller's own session, for the routes that need a recent one
   * (@RequireMfa): the session's next pair carries it. Under the same code lockout as a login.
   */
  async stepUp(caller: AuthenticatedUser, proof: SecondFactorProof, client: ClientInfo): Promise<TokenPairDto> {
    return this.attempts.attempt(caller.id, client, async () => {
      const user = await this.users.findById(caller.id);
      if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
      const prepared = await this.mfa.prepareSecondFactor(user.id, proof, client);
      const issued = await this.transactions.run(async (transaction) => {
        const factor = await this.mfa.useSecondFactor(transaction, user.id, prepared, client);
        if (!factor) throw new DomainError('INVALID_MFA_CODE', 'The code is not valid, or was already used');
        const caught = await this.issuer.reauthenticate(
          transaction,
          { userId: user.id, sessionId: caller.sessionId, role: caller.role },
          { amr: [...firstFactorsOf(caller.amr), ...factor.amr], at: new Date() },
        );
        if (!caught) throw new DomainError('SESSION_REVOKED', 'The session of this access token has ended');
        const event = { actorId: user.id, subjectId: user.id, sessionId: caller.sessionId, origin: client };
        await this.recordFactor(transaction, factor, event);
        return caught;
      });
      return toTokenPair(user, issued);
    });
  }

  /** The audit events of a second factor given: what was used up (a recovery code, a passkey), then the verification. */
  private async recordFactor(
    transaction: Transaction,
    factor: UsedSecondFactor,
    event: Omit<AuditEventInput, 'type'>,
  ): Promise<void> {
    if (factor.method === 'recovery_code')
      await this.audit.record(transaction, { type: 'RECOVERY_CODE_USED', ...event });
    if (factor.passkeyId) {
      await this.audit.record(transaction, {
        type: 'PASSKEY_USED',
        ...event,
        details: { passkeyId: factor.passkeyId },
      });
    }
    await this.audit.record(transaction, { type: 'MFA_VERIFIED', ...event, details: { secondFactor: factor.method } });
  }
}
