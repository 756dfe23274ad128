import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { EmailField } from './email-field.decorator';

export class RegisterDto {
  @EmailField()
  email!: string;

  @ApiProperty({
    format: 'password',
    minLength: 8,
    maxLength: 128,
    description: 'At least PASSWORD_MIN_LENGTH (8) characters, not a common password',
  })
  @IsString()
  // The policy counts characters and explains; this bound only stops absurd payloads early.
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace', maxLength: 100 })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;
}
