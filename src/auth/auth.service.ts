import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain.error';
import { User } from '../generated/prisma/client';
import { PrismaService, Transaction } from '../prisma/prisma.service';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { AuthenticatedUser } from './decorators/current-user.decorator';
import { TokenPairDto } from './dto/token-pair.dto';
import { EmailVerificationService } from './email-verification/email-verification.service';
import { PasswordChangeAttemptsService } from './lockout/password-change-attempts.service';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';
import { ClientInfo } from './sessions/client-info';
import { IssuedSession, SessionsService } from './sessions/sessions.service';
import { AccessTokenService, IssuedAccessToken } from './tokens/access-token.service';

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly name?: string;
}

/** Register, log in, refresh and log out: each ends in a token pair or a revoked session. */
@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly audit: AuditService,
    private readonly emailVerification: EmailVerificationService,
    private readonly passwordChangeAttempts: PasswordChangeAttemptsService,
  ) {}

  async register(registration: Registration, client: ClientInfo): Promise<TokenPairDto> {
    this.policy.assertAcceptable(registration.password, 'password', { email: registration.email });
    const passwordHash = await this.hasher.hash(registration.password);
    const { user, issued } = await this.prisma.transaction(async (transaction) => {
      const created = await this.users.create({ ...registration, passwordHash }, transaction.client);
      const started = await this.startSession(created, client, 'USER_REGISTERED', transaction);
      // The account was created in this transaction: nothing else can have changed it yet.
      if (!started) throw new Error('A session could not be granted on an account created in the same transaction');
      await this.emailVerification.sendLink(transaction, created);
      return { user: created, issued: started };
    });
    return this.tokenPair(user, issued.session.id, issued.refreshToken);
  }

  /**
   * Checks a login. An unknown email costs the same bcrypt time as a wrong password and gets the
   * same answer; whether an account is disabled is told only to someone who knows its password.
   */
  async verifyCredentials(email: string, password: string, client: ClientInfo): Promise<User> {
    const user = await this.users.findByEmail(email);
    const matches = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyAgainstDummy(password);
    if (!user || !matches || user.status !== 'ACTIVE') {
      const refusal = user && matches ? 'ACCOUNT_DISABLED' : 'INVALID_CREDENTIALS';
      await this.audit.record({
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
    if (this.hasher.needsRehash(user.passwordHash)) {
      const rehashed = await this.hasher.hash(password);
      // Written only over the hash just verified; a concurrent change of password wins, and the
      // session grant (securityVersion) then refuses this login.
      if (await this.users.replaceVerifiedHash(user.id, user.passwordHash, rehashed)) {
        return { ...user, passwordHash: rehashed };
      }
    }
    return user;
  }

  /**
   * Starts a session for a user whose credentials were just verified, only if the account is still
   * as it was then: a reset, a password change, a disable or a role change that committed since
   * refuses the login (see SessionGrantStore).
   */
  async login(user: User, client: ClientInfo): Promise<TokenPairDto> {
    await this.emailVerification.assertLoginAllowed(user, client);
    const issued = await this.prisma.transaction((transaction) =>
      this.startSession(user, client, 'LOGIN_SUCCEEDED', transaction),
    );
    if (!issued) throw await this.refusalOfChangedAccount(user.id);
    return this.tokenPair(user, issued.session.id, issued.refreshToken);
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairDto> {
    const rotated = await this.sessions.rotate(refreshToken, client);
    return this.toTokenPair(rotated.user, rotated.accessToken, rotated.refreshToken);
  }

  async logout(refreshToken: string, client: ClientInfo): Promise<void> {
    await this.prisma.transaction(async (transaction) => {
      const ended = await this.sessions.revokeByRefreshToken(transaction, refreshToken, 'LOGOUT');
      if (!ended) return;
      await this.audit.record(
        { type: 'LOGOUT', actorId: ended.userId, subjectId: ended.userId, sessionId: ended.id, origin: client },
        transaction.client,
      );
    });
  }

  async logoutAll(caller: AuthenticatedUser, client: ClientInfo): Promise<void> {
    await this.prisma.transaction(async (transaction) => {
      await this.sessions.revokeAllForUserAndRecord(transaction, caller.id, 'LOGOUT_ALL', {
        type: 'LOGOUT_ALL',
        actorId: caller.id,
        sessionId: caller.sessionId,
        origin: client,
      });
    });
  }

  /**
   * Needs the current password. Every other session ends, so a thief holding one is out; the
   * session making the change stays signed in.
   */
  async changePassword(
    caller: AuthenticatedUser,
    passwords: { currentPassword: string; newPassword: string },
    client: ClientInfo,
  ): Promise<void> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    await this.passwordChangeAttempts.attempt(caller, user, client, async () => {
      if (!(await this.hasher.verify(passwords.currentPassword, user.passwordHash))) {
        throw new DomainError('INVALID_CREDENTIALS', 'The current password is incorrect');
      }
    });
    this.policy.assertAcceptable(passwords.newPassword, 'newPassword', { email: user.email });
    const passwordHash = await this.hasher.hash(passwords.newPassword);
    await this.prisma.transaction(async (transaction) => {
      // Only while the account is as it was when the current password was checked.
      if (!(await this.users.changePassword(transaction, user.id, user.securityVersion, passwordHash))) {
        throw await this.refusalOfChangedAccount(user.id);
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

  async me(userId: string): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    return UserDto.from(user);
  }

  /** Starts a session on the account as read with its credentials; undefined when it changed since. */
  private async startSession(
    user: User,
    client: ClientInfo,
    type: 'USER_REGISTERED' | 'LOGIN_SUCCEEDED',
    transaction: Transaction,
  ): Promise<IssuedSession | undefined> {
    const grant = { userId: user.id, securityVersion: user.securityVersion };
    const started = await this.sessions.start(transaction, grant, client);
    if (!started) return undefined;
    await this.audit.record(
      {
        type,
        actorId: user.id,
        subjectId: user.id,
        email: user.email,
        sessionId: started.session.id,
        origin: client,
      },
      transaction.client,
    );
    return started;
  }

  /** The answer for credentials that were right when checked but changed before they were acted on. */
  private async refusalOfChangedAccount(userId: string): Promise<DomainError> {
    const current = await this.users.findById(userId);
    if (current && current.status !== 'ACTIVE') return new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
    return new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
  }

  private tokenPair(user: User, sessionId: string, refreshToken: string): TokenPairDto {
    const access = this.accessTokens.issue({ userId: user.id, sessionId, role: user.role });
    return this.toTokenPair(user, access, refreshToken);
  }

  private toTokenPair(user: User, access: IssuedAccessToken, refreshToken: string): TokenPairDto {
    return {
      accessToken: access.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      user: UserDto.from(user),
    };
  }
}
