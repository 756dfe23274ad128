import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/errors/domain.error';
import { User } from '../generated/prisma/client';
import { PrismaService } from '../prisma/prisma.service';
import { UserDto } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { TokenPairDto } from './dto/token-pair.dto';
import { PasswordHasher } from './passwords/password-hasher';
import { PasswordPolicy } from './passwords/password-policy';
import { ClientInfo } from './sessions/client-info';
import { SessionsService } from './sessions/sessions.service';
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
  ) {}

  async register(registration: Registration, client: ClientInfo): Promise<TokenPairDto> {
    this.policy.assertAcceptable(registration.password, 'password', { email: registration.email });
    const passwordHash = await this.hasher.hash(registration.password);
    const { user, issued } = await this.prisma.$transaction(async (transaction) => {
      const created = await this.users.create({ ...registration, passwordHash }, transaction);
      return { user: created, issued: await this.sessions.start(created.id, client, transaction) };
    });
    return this.tokenPair(user, issued.session.id, issued.refreshToken);
  }

  /**
   * Checks a login. An unknown email costs the same bcrypt time as a wrong password and gets the
   * same answer; whether an account is disabled is told only to someone who knows its password.
   */
  async verifyCredentials(email: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    const matches = user
      ? await this.hasher.verify(password, user.passwordHash)
      : await this.hasher.verifyAgainstDummy(password);
    if (!user || !matches) throw new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    if (user.status !== 'ACTIVE') throw new DomainError('ACCOUNT_DISABLED', 'This account is disabled');
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.hasher.hash(password));
    }
    return user;
  }

  async login(user: User, client: ClientInfo): Promise<TokenPairDto> {
    const issued = await this.sessions.start(user.id, client);
    return this.tokenPair(user, issued.session.id, issued.refreshToken);
  }

  async refresh(refreshToken: string, client: ClientInfo): Promise<TokenPairDto> {
    const rotated = await this.sessions.rotate(refreshToken, client);
    return this.toTokenPair(rotated.user, rotated.accessToken, rotated.refreshToken);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.sessions.revokeByRefreshToken(refreshToken, 'LOGOUT');
  }

  async logoutAll(userId: string): Promise<void> {
    await this.sessions.revokeAllForUser(userId, 'LOGOUT_ALL');
  }

  async me(userId: string): Promise<UserDto> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    return UserDto.from(user);
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
