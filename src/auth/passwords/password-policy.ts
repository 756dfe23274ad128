/** Decides whether a new password is acceptable, following NIST SP 800-63B (length and blocklist, no composition rules). */
import { DomainError } from '../../common/errors/domain.error';
import {
  MAX_PASSWORD_LENGTH,
  PasswordContext,
  PasswordProblem,
  passwordProblems,
} from '../../common/validation/password-rules';

export {
  MAX_PASSWORD_LENGTH,
  type PasswordContext,
  type PasswordProblem,
  type PasswordProblemReason,
} from '../../common/validation/password-rules';

export interface PasswordPolicyOptions {
  /** Fewest Unicode code points (after NFKC) a password may have; NIST requires at least 8. */
  readonly minLength: number;
}

/** Provided by PasswordsModule from the configuration (PASSWORD_MIN_LENGTH). */
export class PasswordPolicy {
  private readonly minLength: number;

  constructor(options: PasswordPolicyOptions) {
    if (!Number.isInteger(options.minLength) || options.minLength < 1 || options.minLength > MAX_PASSWORD_LENGTH) {
      throw new RangeError(
        `Password minimum length must be from 1 to ${MAX_PASSWORD_LENGTH} (got ${options.minLength})`,
      );
    }
    this.minLength = options.minLength;
  }

  /** Every reason the password is refused; empty when it is acceptable. */
  check(password: string, context: PasswordContext = {}): PasswordProblem[] {
    return passwordProblems(password, this.minLength, context);
  }

  /** Throws VALIDATION_FAILED listing every problem under `field`. */
  assertAcceptable(password: string, field: string, context?: PasswordContext): void {
    const problems = this.check(password, context);
    if (problems.length === 0) return;
    throw new DomainError('VALIDATION_FAILED', 'The request is not valid', {
      errors: problems.map(({ message }) => ({ field, message })),
    });
  }
}
