import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../common/access-control/current-user.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import type { User } from '../generated/prisma/client';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { MfaService } from '../mfa/mfa.service';
import { IssuedSession, SessionIssuer } from '../sessions/session-issuer';
import { SessionsService } from '../sessions/sessions.service';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { refusalOfChangedAccount } from './changed-account-refusal';
import { TokenPairDto } from './dto/token-pair.dto';
import { toTokenPair } from './token-pair';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { LoginAttemptsService } from './lockout/login-attempts.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly name?: string;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

/** Register, log in, refresh and log out: each ends in a token pair or ended sessions. */
@Injectable()
export class AuthService {
  constructor(
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly issuer: SessionIssuer,
    private readonly sessions: SessionsService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly emailVerification: EmailVerificationService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly mfa: MfaService,
  ) {}

  async register(registration: Registration, client: ClientInfo): Promise<TokenPairDto> {
    this.policy.assertAcceptable(registration.password, 'password', { email: registration.email });
    const passwordHash = await this.hasher.hash(registration.password);
    const { user, issued } = await this.transactions.run(async (transaction) => {
      const created = await this.users.create(transaction, { ...registration, passwordHash });
      const started = await this.startSession(transaction, created, client, 'USER_REGISTERED');
      // The account was created in this transaction: nothing else can have changed it yet.
      if (!started) throw new Error('A session could not be granted on an account created in the same transaction');
      await this.emailVerification.sendLink(transaction, created);
      return { user: created, issued: started };
    });
    return toTokenPair(user, issued);
  }

  /**
   * A login, whole: the lockout decides whether the password is checked at all; then the password,
   * the account's status, the verified-email rule, and a session started only if the account is still
   * as it was when the password was checked (a reset, password change, disable or role change that
   * committed since refuses it). An account with a second factor gets no session here: the answer is
   * MFA_REQUIRED with an mfaToken, and MfaLoginService completes the login with the factor.
   */
  async login(credentials: Credentials, client: ClientInfo): Promise<TokenPairDto> {
    const { email, password } = credentials;
    const user = await this.loginAttempts.attempt(email, client, () => this.verifyCredentials(email, password, client));
    await this.emailVerification.assertLoginAllowed(user, client);
    const methods = await this.mfa.methodsFor(user.id);
    if (methods.length > 0) {
      throw new DomainError('MFA_REQUIRED', 'This account needs a second factor: send it with the mfaToken', {
        members: { mfaToken: await this.mfa.issueChallenge(user), methods },
      });
    }
    const issued = await this.transactions.run((transaction) =>
      this.startSession(transaction, user, client, 'LOGIN_SUCCEEDED'),
    );
    if (!issued) throw await refusalOfChangedAccount(this.users, user.id);
    return toTokenPair(user, issued);
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairDto> {
    const rotated = await this.issuer.rotate(refreshToken, client);
    return toTokenPair(rotated.user, rotated);
  }

  async logout(refreshToken: string, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (transaction) => {
      const ended = await this.sessions.revokeByRefreshToken(transaction, refreshToken, 'LOGOUT');
      if (!ended) return;
      await this.audit.record(transaction, {
        type: 'LOGOUT',
        actorId: ended.userId,
        subjectId: ended.userId,
        sessionId: ended.id,
        origin: client,
      });
    });
  }

  async logoutAll(caller: AuthenticatedUser, client: ClientInfo): Promise<void> {
    await this.transactions.run(async (transaction) => {
      await this.sessions.revokeAllForUserAndRecord(transaction, caller.id, 'LOGOUT_ALL', {
        type: 'LOGOUT_ALL',
        actorId: caller.id,
        sessionId: caller.sessionId,
        origin: client,
      });
    });
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    return UserDto.from(user);
  }

  /**
   * An unknown email costs the same bcrypt time as a wrong password and gets the same answer; whether
   * an account is disabled is told only to someone who knows its password.
   */
  private async verifyCredentials(email: string, password: string, client: ClientInfo): Promise<User> {
    const user = await this.users.findByEmail(email);
    const matches = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyAgainstDummy(password);
    if (!user || !matches || user.status !== 'ACTIVE') {
      const refusal = user && matches ? 'ACCOUNT_DISABLED' : 'INVALID_CREDENTIALS';
      await this.audit.recordAlone({
        type: 'LOGIN_FAILED',
        subjectId: user?.id,
        email,
        origin: client,
        details: { reason: refusal },
      });
      throw refusal === 'ACCOUNT_DISABLED'
        ? new DomainError('ACCOUNT_DISABLED', 'This account is disabled')
        : new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    }
    if (user.passwordHash !== null && this.hasher.needsRehash(user.passwordHash)) {
      const rehashed = await this.hasher.hash(password);
      // Written only over the hash just verified; a concurrent change of password wins, and the
      // session grant (securityVersion) then refuses this login.
      if (await this.users.replaceVerifiedHash(user.id, user.passwordHash, rehashed)) {
        return { ...user, passwordHash: rehashed };
      }
    }
    return user;
  }

  /** Starts a session on the account as read with its credentials; undefined when it changed since. */
  private async startSession(
    transaction: Transaction,
    user: User,
    client: ClientInfo,
    type: 'USER_REGISTERED' | 'LOGIN_SUCCEEDED',
  ): Promise<IssuedSession | undefined> {
    const grant = { userId: user.id, securityVersion: user.securityVersion, role: user.role };
    const started = await this.issuer.start(transaction, grant, client);
    if (!started) return undefined;
    await this.audit.record(transaction, {
      type,
      actorId: user.id,
      subjectId: user.id,
      email: user.email,
      sessionId: started.session.id,
      origin: client,
    });
    return started;
  }
}
