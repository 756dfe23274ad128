import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, MaxLength } from 'class-validator';

// RFC 5321 caps a forward path at 256 octets including the brackets.
export const MAX_EMAIL_LENGTH = 254;

/**
 * An email field: trimmed and lower-cased before validation, because accounts are stored and
 * looked up that way. Anything not a string is left for validation to refuse.
 */
export const EmailField = () =>
  applyDecorators(
    ApiProperty({ format: 'email', maxLength: MAX_EMAIL_LENGTH, example: 'ada@example.com' }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value)),
    IsEmail(),
    MaxLength(MAX_EMAIL_LENGTH),
  );
