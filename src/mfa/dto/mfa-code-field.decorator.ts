import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

/** A six-digit code from an authenticator app (RFC 6238). */
export const MfaCodeField = ({ optional = false } = {}) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({
      description: 'The six-digit code the authenticator shows now',
      pattern: '^[0-9]{6}$',
      example: '123456',
      minLength: 6,
      maxLength: 6,
    }),
    IsString(),
    Matches(/^[0-9]{6}$/, { message: 'code must be six digits' }),
  );

// Issued as XXXX-XXXX-XXXX; room for spaces a user may type.
const RECOVERY_CODE_PATTERN = /^[0-9A-Za-z][0-9A-Za-z -]*$/;
const MAX_RECOVERY_CODE_LENGTH = 32;

/** A recovery code as issued (case, spaces and dashes do not matter). */
export const RecoveryCodeField = ({ optional = false } = {}) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({
      description: 'One of the recovery codes issued with the authenticator; works once',
      example: '7K2M-QX9D-4HTB',
      pattern: RECOVERY_CODE_PATTERN.source,
      minLength: 1,
      maxLength: MAX_RECOVERY_CODE_LENGTH,
    }),
    IsString(),
    Matches(RECOVERY_CODE_PATTERN, { message: 'recoveryCode must be letters, digits, spaces and dashes' }),
    MaxLength(MAX_RECOVERY_CODE_LENGTH),
  );
