import { Body, Controller, Get, HttpCode, Param, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { MAX_SSO_PROVIDERS } from '../../config/sso-config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access-control/public.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { Client } from '../../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { SsoFlowService } from '../../sso/sso-flow.service';
import { SsoProviders } from '../../sso/sso-providers';
import { TokenPairDto } from '../dto/token-pair.dto';
import { CredentialRoute } from '../throttling/credential-route.decorator';
import { RefreshTokenTransport } from '../transport/refresh-token-transport';
import { SsoDiscoverDto, SsoDiscoveryDto, SsoExchangeDto, SsoProviderDto } from './dto/sso.dto';
import { SsoLoginService } from './sso-login.service';

const PROVIDER_PARAM = {
  name: 'provider',
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$', maxLength: 32 },
} as const;
const REDIRECT = {
  description: 'A redirect (the Location header)',
  headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string', maxLength: 8192 } } },
} as const;

@ApiTags('sso')
@ApiExtraModels(SsoProviderDto)
@Public()
@Controller('auth/sso')
export class SsoLoginController {
  constructor(
    private readonly providers: SsoProviders,
    private readonly flows: SsoFlowService,
    private readonly ssoLogin: SsoLoginService,
    private readonly refreshTokens: RefreshTokenTransport,
  ) {}

  @Get('providers')
  @ApiOperation({ summary: 'The identity providers users can sign in with', operationId: 'listSsoProviders' })
  @ApiOkResponse({
    description: 'The providers, as configured',
    schema: { type: 'array', items: { $ref: getSchemaPath(SsoProviderDto) }, maxItems: MAX_SSO_PROVIDERS },
  })
  listProviders(): SsoProviderDto[] {
    return this.providers.all.map(({ name, displayName, type }) => ({ name, displayName, type }));
  }

  @Post('discover')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Which provider, if any, owns an email’s domain (home-realm discovery)',
    operationId: 'discoverSsoProvider',
  })
  @ApiOkResponse({ description: 'The provider, or null', type: SsoDiscoveryDto })
  discover(@Body() body: SsoDiscoverDto): SsoDiscoveryDto {
    return { provider: this.providers.forEmail(body.email)?.name ?? null };
  }

  @CredentialRoute()
  @Get(':provider/start')
  @Redirect()
  @ApiParam(PROVIDER_PARAM)
  @ApiQuery({ name: 'redirect_uri', required: true, schema: { type: 'string', maxLength: 2048 } })
  @ApiOperation({
    summary: 'Send the browser to the provider (state, nonce and PKCE S256 kept server-side, single use)',
    operationId: 'startSso',
  })
  @ApiResponse({ status: 302, ...REDIRECT })
  @ApiProblemResponses('INVALID_REDIRECT_URI', 'NOT_FOUND', 'SERVICE_UNAVAILABLE')
  async start(
    @Param('provider') provider: string,
    @Query('redirect_uri') redirectUri?: string,
  ): Promise<{ url: string }> {
    return { url: await this.flows.start(provider, this.flows.allowedRedirectUri(redirectUri)) };
  }

  @Get(':provider/callback')
  @Redirect()
  @ApiParam(PROVIDER_PARAM)
  @ApiOperation({
    summary: 'Where the provider returns the browser; redirects to the app with ?code= (60 s, once) or ?error=',
    description:
      'error is one of SSO_PROVIDER_ERROR (the provider refused or the user declined), SSO_VALIDATION_FAILED ' +
      '(the response or ID token failed a check: issuer, audience, signature, nonce, expiry), SSO_PROVIDER_MISMATCH ' +
      '(a mix-up: the flow was started at another provider), SSO_EMAIL_MISSING, SSO_PROVIDER_UNAVAILABLE.',
    operationId: 'ssoCallback',
  })
  @ApiResponse({ status: 302, ...REDIRECT })
  @ApiProblemResponses('INVALID_SSO_STATE')
  async callback(
    @Param('provider') provider: string,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
  ): Promise<{ url: string }> {
    const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1 || request.url.length));
    return { url: await this.flows.callback(provider, query, client) };
  }

  @CredentialRoute()
  @Post('exchange')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange the callback’s one-time code for a session (amr includes fed)',
    operationId: 'exchangeSsoCode',
  })
  @ApiOkResponse({ description: 'A new session', type: TokenPairDto })
  @ApiProblemResponses(
    'INVALID_SSO_CODE',
    'ACCOUNT_EXISTS',
    'IDENTITY_IN_USE',
    'ACCOUNT_DISABLED',
    'EMAIL_NOT_VERIFIED',
    'MFA_REQUIRED',
  )
  async exchange(
    @Body() body: SsoExchangeDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.refreshTokens.deliver(await this.ssoLogin.exchange(body.code, client), reply);
  }
}
