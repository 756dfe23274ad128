import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/**
 * A password the user chooses. PasswordPolicy counts characters and explains what is wrong; the
 * length bound here only stops absurd payloads early.
 */
export const NewPasswordField = () =>
  applyDecorators(
    ApiProperty({
      format: 'password',
      minLength: 8,
      maxLength: 128,
      description: 'At least PASSWORD_MIN_LENGTH (8) characters, not a common password',
    }),
    IsString(),
    MaxLength(1024),
  );
