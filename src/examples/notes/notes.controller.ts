import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../../common/access-control/current-user.decorator';
import { Public } from '../../common/access-control/public.decorator';
import { Roles } from '../../common/access-control/roles.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { ApiUuidParam, UuidParam } from '../../common/validation/uuid-param';
import { CreateNoteDto } from './dto/create-note.dto';
import { NoteDto, NotePageDto, NoteStatsDto } from './dto/note.dto';
import { NotesService } from './notes.service';

const NOTE_ID = ApiUuidParam();

/**
 * Every route needs a bearer token unless marked @Public(); @Roles() narrows a route further.
 * Static paths (`all`, `stats`) are declared before `:id` so they are not read as an id.
 */
@ApiTags('notes')
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  @ApiOperation({ summary: "The caller's notes, newest first", operationId: 'listMyNotes' })
  @ApiOkResponse({ description: "One page of the caller's notes, newest first", type: NotePageDto })
  async listMine(@Query() query: PageQueryDto, @CurrentUser() caller: AuthenticatedUser): Promise<NotePageDto> {
    return NotePageDto.of(await this.notes.listOwnedBy(caller.id, query));
  }

  @Post()
  @ApiOperation({ summary: 'Write a note owned by the caller', operationId: 'createNote' })
  @ApiCreatedResponse({ description: 'The note', type: NoteDto })
  async create(@Body() body: CreateNoteDto, @CurrentUser() caller: AuthenticatedUser): Promise<NoteDto> {
    return NoteDto.from(await this.notes.create(caller.id, body));
  }

  @Roles('ADMIN')
  @Get('all')
  @ApiOperation({ summary: "Every user's notes, oldest first", operationId: 'listAllNotes' })
  @ApiOkResponse({ description: 'One page of notes, oldest first', type: NotePageDto })
  async listAll(@Query() query: PageQueryDto): Promise<NotePageDto> {
    return NotePageDto.of(await this.notes.listAll(query));
  }

  @Public()
  @Get('stats')
  @ApiOperation({ summary: 'How many notes are stored (no token needed)', operationId: 'getNoteStats' })
  @ApiOkResponse({ description: 'The count', type: NoteStatsDto })
  async stats(): Promise<NoteStatsDto> {
    return NoteStatsDto.of(await this.notes.count());
  }

  @Get(':id')
  @NOTE_ID
  @ApiOperation({ summary: 'Read one of the caller’s notes', operationId: 'getNote' })
  @ApiOkResponse({ description: 'The note', type: NoteDto })
  @ApiProblemResponses('NOT_FOUND')
  async get(@UuidParam() id: string, @CurrentUser() caller: AuthenticatedUser): Promise<NoteDto> {
    return NoteDto.from(await this.notes.getOwned(caller.id, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @NOTE_ID
  @ApiOperation({ summary: 'Delete one of the caller’s notes', operationId: 'deleteNote' })
  @ApiNoContentResponse({ description: 'The note is gone' })
  @ApiProblemResponses('NOT_FOUND')
  async delete(@UuidParam() id: string, @CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.notes.deleteOwned(caller.id, id);
  }
}
