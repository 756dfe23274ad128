import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export const MAX_TITLE_LENGTH = 200;
export const MAX_BODY_LENGTH = 10_000;

const trimmed = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateNoteDto {
  @ApiProperty({ example: 'Groceries', minLength: 1, maxLength: MAX_TITLE_LENGTH })
  @Transform(trimmed)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TITLE_LENGTH)
  title!: string;

  @ApiProperty({ example: 'Milk, eggs, coffee', maxLength: MAX_BODY_LENGTH })
  @IsString()
  @MaxLength(MAX_BODY_LENGTH)
  body!: string;
}
