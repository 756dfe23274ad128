import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../errors/domain.error';

/** The global pipe: DTOs are whitelisted, unknown fields refused, values converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Types come from the DTO's declarations, never guessed: "123" stays a string where a string is expected.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) =>
      new DomainError('VALIDATION_FAILED', 'The request is not valid', { errors: flattenValidationErrors(errors) }),
  });
}

export function flattenValidationErrors(errors: readonly ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parentPath ? `${parentPath}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: describe(error, message) }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function describe(error: ValidationError, message: string): string {
  // class-validator words the whitelist refusal oddly ("property x should not exist").
  return error.constraints?.whitelistValidation === message ? 'is not an accepted field' : message;
}
