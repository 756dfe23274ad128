import { Controller, Delete, Get, HttpCode } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../common/validation/uuid-param';
import { Client } from '../common/client-address/client-info.decorator';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { SessionDto } from './dto/session.dto';
import { SessionsService } from './sessions.service';

@ApiTags('auth')
@Controller('auth/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s live sessions, most recently used first', operationId: 'listSessions' })
  @ApiOkResponse({ description: 'The live sessions', type: [SessionDto] })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionDto[]> {
    const sessions = await this.sessions.listLive(caller.id);
    return sessions.map((session) => SessionDto.from(session, caller.sessionId));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiUuidParam()
  @ApiOperation({
    summary: 'End one of the caller’s sessions (the current one too: that is a logout)',
    description: 'Another user’s session, or one already ended, answers 404 like an unknown id.',
    operationId: 'revokeSession',
  })
  @ApiNoContentResponse({ description: 'The session has ended' })
  @ApiProblemResponses('NOT_FOUND')
  async revoke(
    @UuidParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.sessions.revokeOwn(caller.id, id, client);
  }
}
