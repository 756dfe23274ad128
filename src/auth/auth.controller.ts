import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { Client } from '../common/client-address/client-info.decorator';
import { AllowWithoutSecondFactor } from '../common/access-control/allow-without-second-factor.decorator';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import { Public } from '../common/access-control/public.decorator';
import { ChangePasswordDto } from './dto/change-password.dto';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { PasswordChangeService } from './password-change/password-change.service';
import type { ClientInfo } from '../common/client-address/client-info';
import { CredentialRoute } from './throttling/credential-route.decorator';
import { RefreshTokenTransport } from './transport/refresh-token-transport';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwordChange: PasswordChangeService,
    private readonly refreshTokens: RefreshTokenTransport,
  ) {}

  @Public()
  @CredentialRoute()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and start a session', operationId: 'register' })
  @ApiCreatedResponse({ description: 'The account and its first session', type: TokenPairDto })
  @ApiProblemResponses('EMAIL_TAKEN')
  async register(
    @Body() body: RegisterDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.auth.register(body, client), reply);
  }

  @Public()
  @CredentialRoute()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a token pair', operationId: 'login' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ description: 'A new session', type: TokenPairDto })
  @ApiProblemResponses(
    'INVALID_CREDENTIALS',
    'ACCOUNT_DISABLED',
    'EMAIL_NOT_VERIFIED',
    'MFA_REQUIRED',
    'TOO_MANY_ATTEMPTS',
  )
  login(
    // What the local strategy authenticated to: the new session's token pair (see AuthService.login).
    @Req() request: FastifyRequest & { user: TokenPairDto },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): TokenPairDto {
    return this.refreshTokens.deliver(request.user, reply);
  }

  @Public()
  @CredentialRoute()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for the next pair (the old one stops working)',
    description:
      'Presenting a refresh token that was already exchanged is reuse: the whole session is revoked and the ' +
      'answer is 401 REFRESH_TOKEN_REUSED. With REFRESH_REUSE_GRACE set, the token exchanged last gets the ' +
      'same current pair again within the grace, as long as that pair has not been used to refresh.',
    operationId: 'refresh',
  })
  @ApiOkResponse({ description: 'The next pair of the same session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED', 'FORBIDDEN')
  async refresh(
    @Body() body: RefreshTokenDto,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    const refreshToken = this.refreshTokens.receive(request, body.refreshToken);
    return this.refreshTokens.deliver(await this.auth.refresh(refreshToken, client), reply);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token (idempotent)', operationId: 'logout' })
  @ApiNoContentResponse({ description: 'The session has ended, or had already' })
  @ApiProblemResponses('FORBIDDEN')
  async logout(
    @Body() body: RefreshTokenDto,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(this.refreshTokens.receive(request, body.refreshToken), client);
    this.refreshTokens.clear(reply);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session of the caller', operationId: 'logoutAll' })
  @ApiNoContentResponse({ description: 'Every session of the caller has ended' })
  logoutAll(@CurrentUser() user: AuthenticatedUser, @Client() client: ClientInfo): Promise<void> {
    return this.auth.logoutAll(user, client);
  }

  @CredentialRoute()
  @Post('change-password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change the caller’s password; every other session ends',
    description:
      'A wrong current password answers 401 INVALID_CREDENTIALS; the session stays valid. After ' +
      'LOCKOUT_THRESHOLD wrong ones the account’s password change is locked for LOCKOUT_DURATION, and a ' +
      'check while another of the same account is in flight is refused: both 429 TOO_MANY_ATTEMPTS. An account ' +
      'with a second factor needs one given within MFA_STEP_UP_MAX_AGE (403 MFA_STEP_UP_REQUIRED).',
    operationId: 'changePassword',
  })
  @ApiNoContentResponse({ description: 'The password is changed; every other session has ended' })
  @ApiProblemResponses('INVALID_CREDENTIALS', 'MFA_STEP_UP_REQUIRED', 'TOO_MANY_ATTEMPTS')
  changePassword(
    @Body() body: ChangePasswordDto,
    @CurrentUser() user: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    return this.passwordChange.changePassword(user, body, client);
  }

  @AllowWithoutSecondFactor()
  @Get('me')
  @ApiOperation({ summary: 'The caller', operationId: 'me' })
  @ApiOkResponse({ description: 'The caller', type: UserDto })
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
