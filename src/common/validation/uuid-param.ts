import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { DomainError } from '../errors/domain.error';
import { UUID_SCHEMA } from '../openapi/schema-bounds';

/** A path parameter that must be a UUID: anything else is 400 VALIDATION_FAILED, never a database error. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new DomainError('VALIDATION_FAILED', 'The request is not valid', {
          errors: [{ field: name, message: `${name} must be a UUID` }],
        }),
    }),
  );

/** Documents a @UuidParam() path parameter: exactly a UUID's 36 characters. */
export const ApiUuidParam = (name = 'id') =>
  ApiParam({ name, schema: { type: 'string', format: UUID_SCHEMA.format, minLength: 36, maxLength: 36 } });
