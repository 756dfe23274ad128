/**
 * The password rules of NIST SP 800-63B (length and blocklist, no composition rules), as a pure check:
 * the registration policy and the configured admin account are judged by the same function.
 */
import { dictionary } from '@zxcvbn-ts/language-common';

/** NIST asks to accept at least 64; 128 leaves room for passphrases while bounding the work per request. */
export const MAX_PASSWORD_LENGTH = 128;

export type PasswordProblemReason = 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'CONTAINS_EMAIL';

export interface PasswordProblem {
  readonly reason: PasswordProblemReason;
  /** Reads after the field name, e.g. "password must be at least 8 characters". */
  readonly message: string;
}

export interface PasswordContext {
  readonly email?: string;
}

// ~49k passwords seen most often in breaches, from a maintained package; built once per process.
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'].map(canonical));

function canonical(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Every reason the password is refused when at least `minLength` characters are required; empty when acceptable. */
export function passwordProblems(
  password: string,
  minLength: number,
  context: PasswordContext = {},
): PasswordProblem[] {
  const normalized = password.normalize('NFKC');
  // Code points, not UTF-16 units: an emoji is one character to the user.
  const length = [...normalized].length;
  const lowered = normalized.toLowerCase();
  const problems: PasswordProblem[] = [];

  if (length < minLength) {
    problems.push({ reason: 'TOO_SHORT', message: `must be at least ${minLength} characters` });
  }
  if (length > MAX_PASSWORD_LENGTH) {
    problems.push({ reason: 'TOO_LONG', message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
  }
  if (COMMON_PASSWORDS.has(lowered)) {
    problems.push({ reason: 'COMMON', message: 'is too common; choose a less guessable password' });
  }
  if (context.email !== undefined && isEmail(lowered, context.email)) {
    problems.push({ reason: 'CONTAINS_EMAIL', message: 'must not be your email address' });
  }
  return problems;
}

function isEmail(loweredPassword: string, email: string): boolean {
  const address = canonical(email.trim());
  if (address === '') return false;
  const at = address.lastIndexOf('@');
  const localPart = at > 0 ? address.slice(0, at) : address;
  return loweredPassword === address || loweredPassword === localPart;
}
