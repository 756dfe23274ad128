/** Decides whether a new password is acceptable, following NIST SP 800-63B (length and blocklist, no composition rules). */
import { Inject, Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { DomainError } from '../../common/errors/domain.error';

/** NIST asks to accept at least 64; 128 leaves room for passphrases while bounding the work per request. */
export const MAX_PASSWORD_LENGTH = 128;

export interface PasswordPolicyOptions {
  /** Fewest Unicode code points (after NFKC) a password may have; NIST requires at least 8. */
  readonly minLength: number;
}

export const PASSWORD_POLICY_OPTIONS = Symbol('PASSWORD_POLICY_OPTIONS');

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

@Injectable()
export class PasswordPolicy {
  private readonly minLength: number;

  constructor(@Inject(PASSWORD_POLICY_OPTIONS) options: PasswordPolicyOptions) {
    if (!Number.isInteger(options.minLength) || options.minLength < 1 || options.minLength > MAX_PASSWORD_LENGTH) {
      throw new RangeError(
        `Password minimum length must be from 1 to ${MAX_PASSWORD_LENGTH} (got ${options.minLength})`,
      );
    }
    this.minLength = options.minLength;
  }

  /** Every reason the password is refused; empty when it is acceptable. */
  check(password: string, context: PasswordContext = {}): PasswordProblem[] {
    const normalized = password.normalize('NFKC');
    // Code points, not UTF-16 units: an emoji is one character to the user.
    const length = [...normalized].length;
    const lowered = normalized.toLowerCase();
    const problems: PasswordProblem[] = [];

    if (length < this.minLength) {
      problems.push({ reason: 'TOO_SHORT', message: `must be at least ${this.minLength} characters` });
    }
    if (length > MAX_PASSWORD_LENGTH) {
      problems.push({ reason: 'TOO_LONG', message: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
    }
    if (COMMON_PASSWORDS.has(lowered)) {
      problems.push({ reason: 'COMMON', message: 'is too common; choose a less guessable password' });
    }
    if (context.email !== undefined && this.isEmail(lowered, context.email)) {
      problems.push({ reason: 'CONTAINS_EMAIL', message: 'must not be your email address' });
    }
    return problems;
  }

  /** Throws VALIDATION_FAILED listing every problem under `field`. */
  assertAcceptable(password: string, field: string, context?: PasswordContext): void {
    const problems = this.check(password, context);
    if (problems.length === 0) return;
    throw new DomainError('VALIDATION_FAILED', 'The request is not valid', {
      errors: problems.map(({ message }) => ({ field, message })),
    });
  }

  private isEmail(loweredPassword: string, email: string): boolean {
    const address = canonical(email.trim());
    if (address === '') return false;
    const at = address.lastIndexOf('@');
    const localPart = at > 0 ? address.slice(0, at) : address;
    return loweredPassword === address || loweredPassword === localPart;
  }
}
