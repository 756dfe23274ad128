import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';

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
