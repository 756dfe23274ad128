import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowWithoutSecondFactor } from '../common/access-control/allow-without-second-factor.decorator';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import { RequireMfa } from '../common/access-control/require-mfa.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { Client } from '../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ConfirmTotpDto } from './dto/confirm-totp.dto';
import { MfaStatusDto, RecoveryCodesDto, TotpEnrolmentDto } from './dto/mfa-status.dto';
import { MfaService } from './mfa.service';

@ApiTags('mfa')
@AllowWithoutSecondFactor()
@Controller('auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s second factors', operationId: 'mfaStatus' })
  @ApiOkResponse({ description: 'The authenticator, the recovery codes left and the passkeys', type: MfaStatusDto })
  async status(@CurrentUser() caller: AuthenticatedUser): Promise<MfaStatusDto> {
    return MfaStatusDto.from(await this.mfa.status(caller.id));
  }

  @Post('totp')
  @ApiOperation({
    summary: 'Start setting up an authenticator app (pending until confirmed; replaces a pending one)',
    operationId: 'startTotpEnrolment',
  })
  @ApiCreatedResponse({ description: 'The secret, its otpauth:// URI and a QR code of it', type: TotpEnrolmentDto })
  @ApiProblemResponses('MFA_ALREADY_ENABLED')
  startTotpEnrolment(@CurrentUser() caller: AuthenticatedUser): Promise<TotpEnrolmentDto> {
    return this.mfa.startTotpEnrolment(caller.id);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Enable the pending authenticator with its current code; every other session ends',
    operationId: 'confirmTotp',
  })
  @ApiOkResponse({ description: 'Enabled: the recovery codes, shown this once', type: RecoveryCodesDto })
  @ApiProblemResponses({ code: 'INVALID_MFA_CODE', status: 400 }, 'MFA_ALREADY_ENABLED')
  async confirmTotp(
    @Body() body: ConfirmTotpDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.confirmTotp(caller, body.code, client) };
  }

  @Delete('totp')
  @HttpCode(204)
  @RequireMfa()
  @ApiOperation({
    summary: 'Remove the authenticator and the recovery codes; every other session ends',
    operationId: 'disableTotp',
  })
  @ApiNoContentResponse({ description: 'Signing in needs only the password again' })
  @ApiProblemResponses('MFA_NOT_ENABLED')
  disable(@CurrentUser() caller: AuthenticatedUser, @Client() client: ClientInfo): Promise<void> {
    return this.mfa.disable(caller, client);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @RequireMfa()
  @ApiOperation({ summary: 'New recovery codes; the old ones stop working', operationId: 'regenerateRecoveryCodes' })
  @ApiOkResponse({ description: 'The new recovery codes, shown this once', type: RecoveryCodesDto })
  @ApiProblemResponses('MFA_NOT_ENABLED')
  async regenerateRecoveryCodes(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(caller, client) };
  }
}
