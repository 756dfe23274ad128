/** ADMIN_EMAIL / ADMIN_PASSWORD: the operator's admin account, created at boot or by `npm run db:seed` when no user has the email. */
import { emailAddressProblem, normalizeEmail } from '../common/validation/email-address';
import { passwordProblems } from '../common/validation/password-rules';
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { weaknessOfTypedValue } from './secret-strength';

export interface AdminConfig {
  /** Trimmed and lower-cased, as every stored email. */
  readonly email: string;
  readonly password: string;
}

/**
 * Both variables or neither. The password must pass the registration policy, so a weak one stops
 * the boot here instead of becoming the most privileged account.
 */
export function readAdminConfig(
  read: EnvironmentReader,
  passwordMinLength: number,
  production: boolean,
): AdminConfig | undefined {
  const raw = read.optionalText(VARIABLES.ADMIN_EMAIL);
  const email = raw === undefined ? undefined : normalizeEmail(raw);
  const password = read.optionalText(VARIABLES.ADMIN_PASSWORD);
  if (email === undefined && password === undefined) return undefined;
  if (email === undefined || password === undefined) {
    const missing = email === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    read.problems.push(`ADMIN_EMAIL and ADMIN_PASSWORD must be set together (${missing} is missing)`);
    return undefined;
  }

  const problemsBefore = read.problems.length;
  const emailProblem = emailAddressProblem(email);
  if (emailProblem) {
    read.problems.push(`ADMIN_EMAIL ${emailProblem} (got ${JSON.stringify(email)})`);
  }
  // The password is never echoed: only what is wrong with it.
  const problems = passwordProblems(password, passwordMinLength, { email });
  for (const problem of problems) read.problems.push(`ADMIN_PASSWORD ${problem.message}`);
  // The policy lets "changeme-changeme" through; the most privileged account in production must not.
  const weakness = production && problems.length === 0 ? weaknessOfTypedValue(password) : undefined;
  if (weakness !== undefined) read.problems.push(`ADMIN_PASSWORD ${weakness}; choose a passphrase of your own`);
  return read.problems.length === problemsBefore ? { email, password } : undefined;
}
