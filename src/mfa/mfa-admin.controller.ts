import { Controller, Delete, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import { Roles } from '../common/access-control/roles.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { Client } from '../common/client-address/client-info.decorator';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../common/validation/uuid-param';
import { MfaService } from './mfa.service';

@ApiTags('users')
@Controller('users')
export class MfaAdminController {
  constructor(private readonly mfa: MfaService) {}

  @Delete(':id/mfa')
  @HttpCode(204)
  @Roles('ADMIN')
  @ApiUuidParam()
  @ApiOperation({
    summary: 'Remove a user’s second factors (a lost authenticator); their sessions end',
    description: 'The user signs in with the password alone afterwards, and can enrol again. Mailed and audited.',
    operationId: 'resetUserMfa',
  })
  @ApiNoContentResponse({ description: 'The factors are gone and every session of the user has ended' })
  @ApiProblemResponses('NOT_FOUND')
  async reset(
    @UuidParam() id: string,
    @CurrentUser() admin: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.mfa.reset({ id: admin.id, origin: client }, id);
  }
}
