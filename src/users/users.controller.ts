import { Body, Controller, Delete, Get, HttpCode, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Client } from '../common/client-address/client-info.decorator';
import { AuthenticatedUser, CurrentUser } from '../common/access-control/current-user.decorator';
import { Roles } from '../common/access-control/roles.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { ApiProblemResponses } from '../common/openapi/api-problem-responses.decorator';
import { ApiUuidParam, UuidParam } from '../common/validation/uuid-param';
import { ListUsersQueryDto, UserPageDto } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserDto } from './dto/user.dto';
import { Actor, UsersService } from './users.service';

const USER_ID = ApiUuidParam();

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Roles('ADMIN')
  @Get()
  @ApiOperation({ summary: 'List users, oldest first, optionally searching email and name', operationId: 'listUsers' })
  @ApiOkResponse({ description: 'One page of users, oldest first', type: UserPageDto })
  async list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    const page = await this.users.list(query);
    return { ...page, items: page.items.map((user) => UserDto.from(user)) };
  }

  @Get(':id')
  @USER_ID
  @ApiOperation({ summary: 'Read a user (an admin, or the user themselves)', operationId: 'getUser' })
  @ApiOkResponse({ description: 'The user', type: UserDto })
  @ApiProblemResponses('FORBIDDEN', 'NOT_FOUND')
  async get(
    @UuidParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.getFor(actorOf(caller, client), id));
  }

  @Patch(':id')
  @USER_ID
  @ApiOperation({
    summary: 'Change a user: name (the user themselves or an admin), role and status (admins)',
    description:
      'A role change or disabling ends every session of the user at once. The last active admin cannot be ' +
      'demoted or disabled (409 LAST_ADMIN).',
    operationId: 'updateUser',
  })
  @ApiOkResponse({ description: 'The user as changed', type: UserDto })
  @ApiProblemResponses('FORBIDDEN', 'NOT_FOUND', 'LAST_ADMIN')
  async update(
    @UuidParam() id: string,
    @Body() body: UpdateUserDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(actorOf(caller, client), id, body));
  }

  @Roles('ADMIN')
  @Delete(':id')
  @HttpCode(204)
  @USER_ID
  @ApiOperation({
    summary: 'Delete a user and their sessions',
    description: 'The last active admin cannot be deleted (409 LAST_ADMIN).',
    operationId: 'deleteUser',
  })
  @ApiNoContentResponse({ description: 'The user and their sessions are gone' })
  @ApiProblemResponses('NOT_FOUND', 'LAST_ADMIN')
  async delete(
    @UuidParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.users.delete(actorOf(caller, client), id);
  }
}

function actorOf(caller: AuthenticatedUser, origin: ClientInfo): Actor {
  return { id: caller.id, role: caller.role, origin };
}
