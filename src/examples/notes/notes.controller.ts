import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../../auth/decorators/current-user.decorator';
import { Public } from '../../auth/decorators/public.decorator';
import { Roles } from '../../auth/decorators/roles.decorator';
import { ApiProblemResponses } from '../../common/openapi/api-problem-responses.decorator';
import { PageQueryDto } from '../../common/pagination/page.dto';
import { UuidParam } from '../../common/validation/uuid-param';
import { CreateNoteDto } from './dto/create-note.dto';
import { NoteDto, NotePageDto, NoteStatsDto } from './dto/note.dto';
import { NotesService } from './notes.service';

const NOTE_ID = ApiParam({ name: 'id', format: 'uuid' });

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
  @ApiOkResponse({ type: [NoteDto] })
  async listMine(@CurrentUser() caller: AuthenticatedUser): Promise<NoteDto[]> {
    return (await this.notes.listOwnedBy(caller.id)).map((note) => NoteDto.from(note));
  }

  @Post()
  @ApiOperation({ summary: 'Write a note owned by the caller', operationId: 'createNote' })
  @ApiCreatedResponse({ type: NoteDto })
  async create(@Body() body: CreateNoteDto, @CurrentUser() caller: AuthenticatedUser): Promise<NoteDto> {
    return NoteDto.from(await this.notes.create(caller.id, body));
  }

  @Roles('ADMIN')
  @Get('all')
  @ApiOperation({ summary: "Every user's notes, oldest first", operationId: 'listAllNotes' })
  @ApiOkResponse({ type: NotePageDto })
  async listAll(@Query() query: PageQueryDto): Promise<NotePageDto> {
    const page = await this.notes.listAll(query);
    return { ...page, items: page.items.map((note) => NoteDto.from(note)) };
  }

  @Public()
  @Get('stats')
  @ApiOperation({ summary: 'How many notes are stored (no token needed)', operationId: 'getNoteStats' })
  @ApiOkResponse({ type: NoteStatsDto })
  async stats(): Promise<NoteStatsDto> {
    return NoteStatsDto.of(await this.notes.count());
  }

  @Get(':id')
  @NOTE_ID
  @ApiOperation({ summary: 'Read one of the caller’s notes', operationId: 'getNote' })
  @ApiOkResponse({ type: NoteDto })
  @ApiProblemResponses('NOT_FOUND')
  async get(@UuidParam() id: string, @CurrentUser() caller: AuthenticatedUser): Promise<NoteDto> {
    return NoteDto.from(await this.notes.getOwned(caller.id, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @NOTE_ID
  @ApiOperation({ summary: 'Delete one of the caller’s notes', operationId: 'deleteNote' })
  @ApiNoContentResponse()
  @ApiProblemResponses('NOT_FOUND')
  async delete(@UuidParam() id: string, @CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.notes.deleteOwned(caller.id, id);
  }
}
