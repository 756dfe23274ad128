/** JWT_ACCESS_SECRET's and PASSWORD_PEPPER's rules: 32 bytes everywhere, looking random in production. */
import { EnvironmentReader } from './environment-reader';
import { GENERATE_SECRET_HINT, weaknessOfSecret } from './secret-strength';

/** HMAC keys shorter than the hash output weaken HS256 (RFC 7518 section 3.2); the pepper keys an HMAC too. */
export const MIN_SECRET_BYTES = 32;

// Public on purpose: it only keeps development data stable; production must set PASSWORD_PEPPER.
const DEFAULT_PASSWORD_PEPPER = 'auth-service/password-prehash/v1';

export function readPepper(read: EnvironmentReader, production: boolean): Buffer {
  const configured = read.raw('PASSWORD_PEPPER');
  if (configured === undefined) {
    if (production) {
      read.problems.push(
        `PASSWORD_PEPPER is required in production (at least ${MIN_SECRET_BYTES} random bytes, set once: every stored password depends on it); ${GENERATE_SECRET_HINT}`,
      );
    }
    return Buffer.from(DEFAULT_PASSWORD_PEPPER, 'utf8');
  }
  if (production) checkSecret(read, 'PASSWORD_PEPPER', configured, true);
  return Buffer.from(configured, 'utf8');
}

/**
 * At least MIN_SECRET_BYTES everywhere; in production also no placeholder or predictable value
 * (src/config/secret-strength.ts), each refusal saying how to generate a good one. Never echoes it.
 */
export function checkSecret(read: EnvironmentReader, name: string, value: string, production: boolean): void {
  const hint = production ? `; ${GENERATE_SECRET_HINT}` : '';
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    read.fail(name, `must be at least ${MIN_SECRET_BYTES} bytes (got ${bytes})${hint}`, undefined);
    return;
  }
  const weakness = production
    ? weaknessOfSecret(value)
    : new Set(value).size < 8
      ? 'is too repetitive to be a random secret'
      : undefined;
  if (weakness !== undefined) read.fail(name, `${weakness}${hint}`, undefined);
}
