import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../../common/access-control/public.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { Client } from '../../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { PasskeyAssertionDto } from '../../passkeys/dto/passkey-assertion.dto';
import { PasskeyAuthenticationOptionsDto } from '../../passkeys/dto/passkey-options.dto';
import { PasskeysService } from '../../passkeys/passkeys.service';
import { TokenPairDto } from '../dto/token-pair.dto';
import { CredentialRoute } from '../throttling/credential-route.decorator';
import { RefreshTokenTransport } from '../transport/refresh-token-transport';
import { PasskeyAuthenticationOptionsRequestDto } from './dto/passkey-authentication-options.dto';
import { PasskeyLoginService } from './passkey-login.service';

@ApiTags('passkeys')
@Public()
@Controller('auth/passkeys/authentication')
export class PasskeyLoginController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly passkeyLogin: PasskeyLoginService,
    private readonly refreshTokens: RefreshTokenTransport,
  ) {}

  @CredentialRoute()
  @Post('options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Options for navigator.credentials.get(): a login with a passkey, or a passkey as second factor',
    description:
      'With an email, the account’s passkeys are allowed (an unknown email gets options of the same shape); ' +
      'without, any discoverable passkey of this site. The challenge is good once, for 5 minutes.',
    operationId: 'passkeyAuthenticationOptions',
  })
  @ApiOkResponse({ description: 'The challenge id and the request options', type: PasskeyAuthenticationOptionsDto })
  options(@Body() body: PasskeyAuthenticationOptionsRequestDto): Promise<PasskeyAuthenticationOptionsDto> {
    return this.passkeys.authenticationOptions(body.email) as Promise<PasskeyAuthenticationOptionsDto>;
  }

  @CredentialRoute()
  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in with a passkey: no password, and counted as a second factor',
    description:
      'The access token’s amr is ["hwk", "user"] (["swk", "user"] for a synced passkey). A used, expired or ' +
      'unknown challenge, another origin, a removed passkey or a counter that went backwards answers ' +
      '401 INVALID_PASSKEY.',
    operationId: 'loginWithPasskey',
  })
  @ApiOkResponse({ description: 'A new session', type: TokenPairDto })
  @ApiProblemResponses('INVALID_PASSKEY', 'ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED')
  async login(
    @Body() body: PasskeyAssertionDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.passkeyLogin.login(body, client), reply);
  }
}
