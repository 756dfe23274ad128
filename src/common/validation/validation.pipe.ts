import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../errors/domain.error';
import { screenInput } from './input-screen';

/** Screens body, query and path values (see screenInput) before class-transformer and class-validator see them. */
class ScreenedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problems = screenInput(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
      if (problems.length > 0)
        throw new DomainError('VALIDATION_FAILED', 'The request is not valid', { errors: problems });
    }
    return super.transform(value, metadata);
  }
}

/** The global pipe: DTOs are whitelisted, unknown fields refused, values converted to their declared types. */
export function createValidationPipe(): ValidationPipe {
  return new ScreenedValidationPipe({
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
