import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

export const MAX_NAME_LENGTH = 100;

/**
 * The optional display name, trimmed, 1 to 100 characters. `null` clears it where that means something
 * (PATCH /users/:id); where it does not (register), null is refused like any other non-string, as
 * Auth0's signup refuses it.
 */
export const UserNameField = ({ nullable }: { nullable: boolean }) =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      ...(nullable ? { nullable } : {}),
      example: 'Ada Lovelace',
      minLength: 1,
      maxLength: MAX_NAME_LENGTH,
    }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value)),
    ValidateIf((_dto: object, value: unknown) => value !== undefined && !(nullable && value === null)),
    IsString(),
    MinLength(1),
    MaxLength(MAX_NAME_LENGTH),
  );
