/** JWT_ACCESS_SECRET's and PASSWORD_PEPPER's rules: a minimum length everywhere, looking random in production. */
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { GENERATE_SECRET_HINT, weaknessOfSecret } from './secret-strength';
import { SecretVariable } from './variable-declaration';

export function readPepper(read: EnvironmentReader, production: boolean): Buffer {
  const variable = VARIABLES.PASSWORD_PEPPER;
  const configured = read.raw(variable);
  if (configured === undefined) {
    if (production) {
      read.problems.push(
        `PASSWORD_PEPPER is required in production (at least ${variable.minBytes} random bytes, set once: every stored password depends on it); ${GENERATE_SECRET_HINT}`,
      );
    }
    return Buffer.from(variable.defaultOutsideProduction, 'utf8');
  }
  if (production) checkSecret(read, variable, configured, true);
  return Buffer.from(configured, 'utf8');
}

/**
 * At least the variable's minBytes everywhere; in production also no placeholder or predictable value
 * (src/config/secret-strength.ts), each refusal saying how to generate a good one. Never echoes it.
 */
export function checkSecret(
  read: EnvironmentReader,
  variable: SecretVariable,
  value: string,
  production: boolean,
): void {
  const hint = production ? `; ${GENERATE_SECRET_HINT}` : '';
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < variable.minBytes) {
    read.fail(variable, `must be at least ${variable.minBytes} bytes (got ${bytes})${hint}`, undefined);
    return;
  }
  const weakness = production
    ? weaknessOfSecret(value)
    : new Set(value).size < 8
      ? 'is too repetitive to be a random secret'
      : undefined;
  if (weakness !== undefined) read.fail(variable, `${weakness}${hint}`, undefined);
}
