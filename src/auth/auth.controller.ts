import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { User } from '../generated/prisma/client';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { Client } from './decorators/client-info.decorator';
import { AuthenticatedUser, CurrentUser } from './decorators/current-user.decorator';
import { Public } from './decorators/public.decorator';
import { LoginDto } from './dto/login.dto';
import { RefreshTokenDto } from './dto/refresh-token.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenPairDto } from './dto/token-pair.dto';
import { LocalAuthGuard } from './guards/local-auth.guard';
import type { ClientInfo } from './sessions/client-info';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiOperation({ summary: 'Create an account and start a session', operationId: 'register' })
  @ApiCreatedResponse({ type: TokenPairDto })
  @ApiProblemResponses('EMAIL_TAKEN')
  register(@Body() body: RegisterDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.auth.register(body, client);
  }

  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange email and password for a token pair', operationId: 'login' })
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblemResponses('INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED')
  login(@Req() request: FastifyRequest & { user: User }, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.auth.login(request.user, client);
  }

  @Public()
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
  @ApiOkResponse({ type: TokenPairDto })
  @ApiProblemResponses('INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED')
  refresh(@Body() body: RefreshTokenDto, @Client() client: ClientInfo): Promise<TokenPairDto> {
    return this.auth.refresh(body.refreshToken, client);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of a refresh token (idempotent)', operationId: 'logout' })
  @ApiNoContentResponse()
  logout(@Body() body: RefreshTokenDto, @Client() client: ClientInfo): Promise<void> {
    return this.auth.logout(body.refreshToken, client);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({ summary: 'End every session of the caller', operationId: 'logoutAll' })
  @ApiNoContentResponse()
  logoutAll(@CurrentUser() user: AuthenticatedUser, @Client() client: ClientInfo): Promise<void> {
    return this.auth.logoutAll(user, client);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller', operationId: 'me' })
  @ApiOkResponse({ type: UserDto })
  me(@CurrentUser() user: AuthenticatedUser): Promise<UserDto> {
    return this.auth.me(user.id);
  }
}
