import { ApiProperty } from '@nestjs/swagger';
import { Page, PageDto } from '../../../common/pagination/page.dto';
import type { Note } from '../../../generated/prisma/client';
import { DATE_TIME_SCHEMA, UUID_SCHEMA } from '../../../common/openapi/schema-bounds';
import { MAX_BODY_LENGTH, MAX_TITLE_LENGTH } from './create-note.dto';

/** A note as clients see it, built field by field. */
export class NoteDto {
  @ApiProperty(UUID_SCHEMA)
  id!: string;

  @ApiProperty(UUID_SCHEMA)
  ownerId!: string;

  @ApiProperty({ minLength: 1, maxLength: MAX_TITLE_LENGTH })
  title!: string;

  @ApiProperty({ maxLength: MAX_BODY_LENGTH })
  body!: string;

  @ApiProperty(DATE_TIME_SCHEMA)
  createdAt!: string;

  @ApiProperty(DATE_TIME_SCHEMA)
  updatedAt!: string;

  static from(note: Note): NoteDto {
    return Object.assign(new NoteDto(), {
      id: note.id,
      ownerId: note.ownerId,
      title: note.title,
      body: note.body,
      createdAt: note.createdAt.toISOString(),
      updatedAt: note.updatedAt.toISOString(),
    });
  }
}

export class NotePageDto extends PageDto(NoteDto) {
  static of(page: Page<Note>): NotePageDto {
    return Object.assign(new NotePageDto(), { ...page, items: page.items.map((note) => NoteDto.from(note)) });
  }
}

export class NoteStatsDto {
  @ApiProperty({
    type: 'integer',
    format: 'int64',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Notes stored, over all users',
  })
  total!: number;

  static of(total: number): NoteStatsDto {
    return Object.assign(new NoteStatsDto(), { total });
  }
}
