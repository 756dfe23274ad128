import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service';
import type { ClientInfo } from '../../common/client-address/client-info';
import { DomainError } from '../../common/errors/domain.error';
import type { User } from '../../generated/prisma/client';
import { MfaService } from '../../mfa/mfa.service';
import type { Transaction } from '../../prisma/transaction';
import { Transactions } from '../../prisma/transactions';
import { IssuedSession, SessionIssuer } from '../../sessions/session-issuer';
import { IdentitiesService } from '../../sso/identities.service';
import { SsoFlowService, VerifiedSignIn } from '../../sso/sso-flow.service';
import { UsersService } from '../../users/users.service';
import { TokenPairDto } from '../dto/token-pair.dto';
import { EmailVerificationService } from '../email-verification/email-verification.service';
import { refusalOfChangedAccount } from '../changed-account-refusal';
import { toTokenPair } from '../token-pair';

type Decision =
  | { readonly kind: 'session'; readonly user: User; readonly issued: IssuedSession }
  | { readonly kind: 'second-factor'; readonly user: User }
  | { readonly kind: 'changed'; readonly userId: string };

/**
 * The account half of single sign-on: the app's one-time code becomes a session on the user its
 * identity signs in, linked or created first where the rules allow, under the login's account rules.
 */
@Injectable()
export class SsoLoginService {
  constructor(
    private readonly flows: SsoFlowService,
    private readonly identities: IdentitiesService,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly issuer: SessionIssuer,
    private readonly mfa: MfaService,
    private readonly emailVerification: EmailVerificationService,
    private readonly audit: AuditService,
  ) {}

  /**
   * In one transaction: the code is used up, the identity found (or linked to the signed-in user of a
   * linking flow, or to the account of a verified email the provider also verified, or a new account
   * made), and the session started on the account as read. A second factor the account has and the
   * provider did not vouch for answers MFA_REQUIRED after the link committed.
   */
  async exchange(code: string, client: ClientInfo): Promise<TokenPairDto> {
    const decision = await this.transactions.run(async (transaction): Promise<Decision> => {
      const signIn = await this.flows.consumeCode(transaction, code);
      if (!signIn) {
        await this.audit.recordAlone({
          type: 'SSO_LOGIN_FAILED',
          origin: client,
          details: { error: 'INVALID_SSO_CODE', reason: 'unknown, used or expired code' },
        });
        throw new DomainError('INVALID_SSO_CODE', 'The code is unknown, used or expired: sign in again');
      }
      const user = await this.userOf(transaction, signIn, client);
      if (user.status !== 'ACTIVE') throw new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
      await this.emailVerification.assertLoginAllowed(user, client);
      if (!signIn.secondFactor && (await this.mfa.methodsFor(user.id)).length > 0)
        return { kind: 'second-factor', user };
      const grant = { userId: user.id, securityVersion: user.securityVersion, role: user.role };
      const amr = signIn.secondFactor ? ['fed', 'mfa'] : ['fed'];
      const issued = await this.issuer.start(transaction, grant, client, { amr, at: new Date() });
      if (!issued) return { kind: 'changed', userId: user.id };
      await this.audit.record(transaction, {
        type: 'LOGIN_SUCCEEDED',
        actorId: user.id,
        subjectId: user.id,
        email: user.email,
        sessionId: issued.session.id,
        origin: client,
        details: { method: 'sso', provider: signIn.provider, providerSecondFactor: signIn.secondFactor },
      });
      return { kind: 'session', user, issued };
    });
    if (decision.kind === 'session') return toTokenPair(decision.user, decision.issued);
    if (decision.kind === 'changed') {
      throw await refusalOfChangedAccount(
        this.users,
        decision.userId,
        () => new DomainError('INVALID_SSO_CODE', 'The account changed while signing in: sign in again'),
      );
    }
    throw new DomainError('MFA_REQUIRED', 'This account needs a second factor: send it with the mfaToken', {
      members: {
        mfaToken: await this.mfa.issueChallenge(decision.user, ['fed']),
        methods: await this.mfa.methodsFor(decision.user.id),
      },
    });
  }

  /** The user a verified sign-in is for, linking or creating as the rules say (README, "Single sign-on"). */
  private async userOf(transaction: Transaction, signIn: VerifiedSignIn, client: ClientInfo): Promise<User> {
    const now = new Date();
    const known = await this.identities.find(transaction, signIn.provider, signIn.subject);
    if (known) {
      if (signIn.linkUserId && known.userId !== signIn.linkUserId) {
        throw new DomainError('IDENTITY_IN_USE', 'This provider account signs in another user');
      }
      await this.identities.touch(transaction, known, now);
      return this.existing(known.userId);
    }
    if (signIn.linkUserId) {
      const user = await this.existing(signIn.linkUserId);
      await this.link(transaction, user, signIn, client, 'requested');
      return user;
    }
    const email = signIn.email ?? '';
    const local = await this.users.findByEmail(email);
    if (local) {
      // Linking by email alone is an account takeover unless both sides proved the address.
      if (!signIn.emailVerified || local.emailVerifiedAt === null) {
        await this.audit.recordAlone({
          type: 'SSO_LOGIN_FAILED',
          subjectId: local.id,
          email,
          origin: client,
          details: {
            provider: signIn.provider,
            error: 'ACCOUNT_EXISTS',
            emailVerifiedByProvider: signIn.emailVerified,
          },
        });
        throw new DomainError(
          'ACCOUNT_EXISTS',
          'An account with this email exists: sign in to it and link this provider from there',
        );
      }
      await this.link(transaction, local, signIn, client, 'verified-email');
      return local;
    }
    const created = await this.users.create(transaction, {
      email,
      passwordHash: null,
      name: signIn.name,
      emailVerifiedAt: signIn.emailVerified ? now : null,
    });
    await this.audit.record(transaction, {
      type: 'USER_REGISTERED',
      actorId: created.id,
      subjectId: created.id,
      email,
      origin: client,
      details: { via: 'sso', provider: signIn.provider },
    });
    await this.link(transaction, created, signIn, client, 'registration');
    return created;
  }

  private async link(
    transaction: Transaction,
    user: User,
    signIn: VerifiedSignIn,
    client: ClientInfo,
    how: 'requested' | 'verified-email' | 'registration',
  ): Promise<void> {
    const linked = await this.identities.link(transaction, {
      provider: signIn.provider,
      subject: signIn.subject,
      userId: user.id,
      email: signIn.email,
      at: new Date(),
    });
    // Linked meanwhile by a concurrent exchange of the same provider account: that one decides.
    if (!linked) {
      throw new DomainError(
        'IDENTITY_IN_USE',
        'This provider account is linked already, or the user has another one of this provider',
      );
    }
    await this.audit.record(transaction, {
      type: 'IDENTITY_LINKED',
      actorId: user.id,
      subjectId: user.id,
      email: user.email,
      origin: client,
      details: { identityId: linked.id, provider: signIn.provider, how },
    });
  }

  private async existing(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_SSO_CODE', 'The account of this sign-in no longer exists');
    return user;
  }
}
