import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../../common/pagination/page.dto';
import type { Note } from '../../../generated/prisma/client';

/** A note as clients see it, built field by field. */
export class NoteDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  ownerId!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  body!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, format: 'date-time' })
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

export class NotePageDto extends PageDto(NoteDto) {}

export class NoteStatsDto {
  @ApiProperty({ minimum: 0, description: 'Notes stored, over all users' })
  total!: number;

  static of(total: number): NoteStatsDto {
    return Object.assign(new NoteStatsDto(), { total });
  }
}
