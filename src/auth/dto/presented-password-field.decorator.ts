import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** The largest password checked; the policy already refuses to set one over 128 characters. */
export const MAX_PRESENTED_PASSWORD_LENGTH = 1024;

/**
 * A password presented to be checked (login, the current one on change-password): any non-empty
 * string, since older policies may have allowed what today's refuses; the bound stops absurd payloads.
 */
export const PresentedPasswordField = () =>
  applyDecorators(
    ApiProperty({
      format: 'password',
      example: 'correct horse battery staple',
      minLength: 1,
      maxLength: MAX_PRESENTED_PASSWORD_LENGTH,
    }),
    IsString(),
    MinLength(1),
    MaxLength(MAX_PRESENTED_PASSWORD_LENGTH),
  );
