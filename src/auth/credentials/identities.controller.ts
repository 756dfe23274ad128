import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { MAX_SSO_PROVIDERS } from '../../config/sso-config';
import { AuthenticatedUser, CurrentUser } from '../../common/access-control/current-user.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { Client } from '../../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../../common/validation/uuid-param';
import { IdentityDto, SsoLinkDto, SsoLinkStartDto } from '../sso-login/dto/sso.dto';
import { CredentialsService } from './credentials.service';

@ApiTags('sso')
@ApiExtraModels(IdentityDto)
@Controller('auth/identities')
export class IdentitiesController {
  constructor(private readonly credentials: CredentialsService) {}

  @Get()
  @ApiOperation({ summary: 'The provider accounts that sign the caller in', operationId: 'listIdentities' })
  @ApiOkResponse({
    description: 'The identities, oldest first (one per provider at most)',
    schema: { type: 'array', items: { $ref: getSchemaPath(IdentityDto) }, maxItems: MAX_SSO_PROVIDERS },
  })
  async listIdentities(@CurrentUser() caller: AuthenticatedUser): Promise<IdentityDto[]> {
    return (await this.credentials.listIdentities(caller.id)).map((identity) => ({
      id: identity.id,
      provider: identity.provider,
      email: identity.email,
      createdAt: identity.createdAt.toISOString(),
      lastUsedAt: identity.lastUsedAt?.toISOString() ?? null,
    }));
  }

  @Post(':provider/link')
  @HttpCode(200)
  @ApiParam({ name: 'provider', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$', maxLength: 32 } })
  @ApiOperation({
    summary: 'Start linking a provider account to the caller: send the browser to the answered URL',
    description: 'The callback then redirects to redirect_uri with a code; POST /auth/sso/exchange links and signs in.',
    operationId: 'startIdentityLink',
  })
  @ApiOkResponse({ description: 'The provider’s authorization URL', type: SsoLinkStartDto })
  @ApiProblemResponses('INVALID_REDIRECT_URI', 'NOT_FOUND', 'SERVICE_UNAVAILABLE')
  async link(
    @Param('provider') provider: string,
    @Body() body: SsoLinkDto,
    @CurrentUser() caller: AuthenticatedUser,
  ): Promise<SsoLinkStartDto> {
    return { url: await this.credentials.startLinking(caller, provider, body.redirect_uri) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Unlink a provider account from the caller',
    description:
      'Needs a recent second factor where the account has one, else a sign-in within MFA_STEP_UP_MAX_AGE (403 ' +
      'MFA_STEP_UP_REQUIRED). The last way into an account without a password is refused with 409 LAST_CREDENTIAL.',
    operationId: 'unlinkIdentity',
  })
  @ApiNoContentResponse({ description: 'Unlinked' })
  @ApiProblemResponses('NOT_FOUND', 'LAST_CREDENTIAL', 'MFA_STEP_UP_REQUIRED')
  async unlink(
    @UuidParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.credentials.removeIdentity(caller, id, client);
  }
}
