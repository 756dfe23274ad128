import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { AllowWithoutSecondFactor } from '../common/access-control/allow-without-second-factor.decorator';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { Client } from '../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../common/validation/uuid-param';
import { PasskeyCreationOptionsDto } from './dto/passkey-options.dto';
import { PasskeyDto, RegisterPasskeyDto, RenamePasskeyDto } from './dto/passkey.dto';
import { MAX_PASSKEYS_PER_USER, PasskeysService } from './passkeys.service';

@ApiTags('passkeys')
@AllowWithoutSecondFactor()
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(private readonly passkeys: PasskeysService) {}

  @Post('registration/options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Options for navigator.credentials.create(): a new passkey for the caller',
    description:
      'A discoverable credential is preferred and user verification required; the caller’s passkeys are ' +
      'excluded. The challenge is good once, for 5 minutes.',
    operationId: 'passkeyRegistrationOptions',
  })
  @ApiOkResponse({ description: 'PublicKeyCredentialCreationOptionsJSON', type: PasskeyCreationOptionsDto })
  registrationOptions(@CurrentUser() caller: AuthenticatedUser): Promise<PasskeyCreationOptionsDto> {
    return this.passkeys.registrationOptions(caller.id) as Promise<PasskeyCreationOptionsDto>;
  }

  @Post('registration')
  @ApiOperation({
    summary: 'Register the passkey navigator.credentials.create() made with those options',
    description:
      'The origin, RP ID, challenge and user verification are checked; the owner is mailed. ' +
      'A passkey is a second factor: password logins then answer MFA_REQUIRED.',
    operationId: 'registerPasskey',
  })
  @ApiCreatedResponse({ description: 'The new passkey', type: PasskeyDto })
  @ApiProblemResponses({ code: 'INVALID_PASSKEY', status: 400 }, 'PASSKEY_LIMIT_REACHED')
  async register(
    @Body() body: RegisterPasskeyDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<PasskeyDto> {
    return PasskeyDto.from(await this.passkeys.register(caller, body.response, body.name, client));
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s passkeys, oldest first', operationId: 'listPasskeys' })
  @ApiOkResponse({
    description: 'The passkeys',
    schema: { type: 'array', items: { $ref: getSchemaPath(PasskeyDto) }, maxItems: MAX_PASSKEYS_PER_USER },
  })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<PasskeyDto[]> {
    return (await this.passkeys.list(caller.id)).map((passkey) => PasskeyDto.from(passkey));
  }

  @Patch(':id')
  @ApiUuidParam()
  @ApiOperation({ summary: 'Rename one of the caller’s passkeys', operationId: 'renamePasskey' })
  @ApiOkResponse({ description: 'The renamed passkey', type: PasskeyDto })
  @ApiProblemResponses('NOT_FOUND')
  async rename(
    @UuidParam() id: string,
    @Body() body: RenamePasskeyDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<PasskeyDto> {
    return PasskeyDto.from(await this.passkeys.rename(caller, id, body.name, client));
  }
}
