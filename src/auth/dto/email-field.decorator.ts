import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, ValidateBy } from 'class-validator';
import { MAX_EMAIL_LENGTH, emailAddressProblem, normalizeEmail } from '../../common/validation/email-address';

/**
 * An email field: normalised (NFC, trimmed, lower-cased) before validation, because accounts are
 * stored and looked up that way, then held to emailAddressProblem's rules. Anything not a string is
 * left for validation to refuse.
 */
export const EmailField = ({ optional = false } = {}) =>
  applyDecorators(
    // idn-email (RFC 6531), not email: a local part such as josé is accepted and stored as typed (NFC).
    (optional ? ApiPropertyOptional : ApiProperty)({
      format: 'idn-email',
      maxLength: MAX_EMAIL_LENGTH,
      example: 'ada@example.com',
    }),
    ...(optional ? [IsOptional()] : []),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value) : value)),
    IsString(),
    ValidateBy({
      name: 'isDeliverableEmail',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && emailAddressProblem(value) === undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'email'} ${typeof args?.value === 'string' ? (emailAddressProblem(args.value) ?? '') : 'must be a string'}`,
      },
    }),
  );
