import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowWithoutSecondFactor } from '../../common/access-control/allow-without-second-factor.decorator';
import { AuthenticatedUser, CurrentUser } from '../../common/access-control/current-user.decorator';
import { RequireMfa } from '../../common/access-control/require-mfa.decorator';
import type { ClientInfo } from '../../common/client-address/client-info';
import { Client } from '../../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../../common/validation/uuid-param';
import { CredentialsService } from './credentials.service';

@ApiTags('passkeys')
@AllowWithoutSecondFactor()
@Controller('auth/passkeys')
export class PasskeyRemovalController {
  constructor(private readonly credentials: CredentialsService) {}

  @Delete(':id')
  @HttpCode(204)
  @RequireMfa()
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Remove one of the caller’s passkeys: it never signs in again',
    description:
      'Needs a recent second factor (POST /auth/mfa/step-up, with this passkey or another factor). The last way ' +
      'into an account without a password (no other passkey, no identity) is refused with 409 LAST_CREDENTIAL.',
    operationId: 'removePasskey',
  })
  @ApiNoContentResponse({ description: 'Removed; the owner is mailed' })
  @ApiProblemResponses('NOT_FOUND', 'LAST_CREDENTIAL')
  async removePasskey(
    @UuidParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.credentials.removePasskey(caller, id, client);
  }
}
