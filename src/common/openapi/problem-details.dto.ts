import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from '../errors/error-code';

export class FieldErrorDto {
  @ApiProperty({ example: 'email', description: 'The field as the request named it (nested: `a.b`)' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** The RFC 9457 body of every error response; documented once and referenced by all of them. */
export class ProblemDetailsDto {
  @ApiProperty({ enum: ['about:blank'], description: 'Always about:blank: `code` says what went wrong' })
  type!: string;

  @ApiProperty({ example: 'Bad Request', description: 'The HTTP status phrase', maxLength: 64 })
  title!: string;

  @ApiProperty({ type: 'integer', format: 'int32', minimum: 400, maximum: 599, example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is not valid' })
  detail!: string;

  @ApiProperty({
    enum: ERROR_CODES,
    enumName: 'ErrorCode',
    example: 'VALIDATION_FAILED',
    description: 'Stable machine-readable error code',
  })
  code!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDto],
    description: 'Present with VALIDATION_FAILED: one entry per invalid field',
  })
  errors?: FieldErrorDto[];

  @ApiProperty({
    example: '3f1c8a52-4d7e-4a8e-9f0e-2b1c4d5e6f70',
    description: 'Quote it when reporting a problem: the caller’s X-Request-Id when it was a plain token, else a UUID',
    pattern: '^[\\w.:-]{1,128}$',
    maxLength: 128,
  })
  requestId!: string;
}
