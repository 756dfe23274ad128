import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

/**
 * A password being chosen. The PasswordPolicy counts characters and explains what is wrong; this
 * bound only stops absurd payloads before they reach it.
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
