import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import type { AuthenticatedUser } from '../../common/access-control/current-user.decorator';
import { hasRecentSecondFactor } from '../../common/access-control/require-mfa.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import type { Identity } from '../../generated/prisma/client';
import { MfaService } from '../../mfa/mfa.service';
import { credentialsLockOf, PasskeysService } from '../../passkeys/passkeys.service';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { IdentitiesService } from '../../sso/identities.service';
import { SsoFlowService } from '../../sso/sso-flow.service';
import { UsersService } from '../../users/users.service';
import { stepUpRequired } from '../guards/mfa-step-up.guard';

/**
 * The ways into an account other than its password (passkeys, provider identities): listing and
 * linking identities, and removing either, never the last way in.
 */
@Injectable()
export class CredentialsService {
  private readonly recentSeconds: number;

  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly passkeys: PasskeysService,
    private readonly identities: IdentitiesService,
    private readonly flows: SsoFlowService,
    private readonly mfa: MfaService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.recentSeconds = config.mfa.stepUpMaxAgeSeconds;
  }

  listIdentities(userId: string): Promise<Identity[]> {
    return this.identities.list(userId);
  }

  /** The provider's authorization URL of a flow that links its account to the caller. */
  startLinking(caller: AuthenticatedUser, provider: string, redirectUri: string): Promise<string> {
    return this.flows.start(provider, redirectUri, caller.id);
  }

  /** Removes a passkey unless it is the last way in of an account without a password. */
  async removePasskey(caller: AuthenticatedUser, id: string, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.transactions.lock(transaction, credentialsLockOf(caller.id));
      await this.passkeys.removeIn(transaction, caller, id, client);
      await this.assertAWayInLeft(transaction, caller.id);
    });
  }

  /**
   * Unlinks an identity unless it is the last way in of an account without a password. Like every
   * change of how one signs in, it needs a recent second factor where the account has one, else a
   * recent sign-in (MFA_STEP_UP_MAX_AGE).
   */
  async removeIdentity(caller: AuthenticatedUser, id: string, client: ClientInfo): Promise<void> {
    await this.assertRecentAuthentication(caller);
    await this.transactions.run(async (transaction) => {
      await this.transactions.lock(transaction, credentialsLockOf(caller.id));
      const removed = await this.identities.unlink(transaction, caller.id, id);
      if (!removed) throw new DomainError('NOT_FOUND', 'No identity with this id');
      await this.assertAWayInLeft(transaction, caller.id);
      await this.audit.record(transaction, {
        type: 'IDENTITY_UNLINKED',
        actorId: caller.id,
        subjectId: caller.id,
        sessionId: caller.sessionId,
        origin: client,
        details: { identityId: removed.id, provider: removed.provider },
      });
    });
  }

  /** Counted after the removal, under the account's credentials lock, so two removals cannot both pass. */
  private async assertAWayInLeft(transaction: Transaction, userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || user.passwordHash !== null) return;
    const left =
      (await this.passkeys.countIn(transaction, userId)) + (await this.identities.count(transaction, userId));
    if (left === 0) {
      throw new DomainError(
        'LAST_CREDENTIAL',
        'This is the account’s last way in: set a password (forgot-password) or add another first',
      );
    }
  }

  private async assertRecentAuthentication(caller: AuthenticatedUser): Promise<void> {
    if (hasRecentSecondFactor(caller, this.recentSeconds)) return;
    const hasSecondFactor = (await this.mfa.methodsFor(caller.id)).length > 0;
    if (!hasSecondFactor && Date.now() / 1000 - caller.authTime <= this.recentSeconds) return;
    throw stepUpRequired();
  }
}
