import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblemResponses } from '../openapi/api-problem-responses.decorator';
import type { AuthenticatedUser } from './current-user.decorator';

export const REQUIRE_MFA_KEY = 'requireMfa';

/**
 * Whether an authentication's RFC 8176 methods (amr) amount to a second factor: `mfa` after a password
 * and a code or passkey, or a passkey alone (`hwk`, `swk`), whose required user verification is the
 * second factor of the key.
 */
export function carriesSecondFactor(amr: readonly string[]): boolean {
  return amr.includes('mfa') || amr.includes('hwk') || amr.includes('swk');
}

/** Whether the caller's token carries a second factor given at most `maxAgeSeconds` ago. */
export function hasRecentSecondFactor(
  caller: Pick<AuthenticatedUser, 'amr' | 'authTime'>,
  maxAgeSeconds: number,
  now = Date.now(),
): boolean {
  return carriesSecondFactor(caller.amr) && now / 1000 - caller.authTime <= maxAgeSeconds;
}

/**
 * A route for sensitive changes: the caller's access token must carry a second factor (see carriesSecondFactor)
 * given at most MFA_STEP_UP_MAX_AGE ago, else 403 MFA_STEP_UP_REQUIRED (MfaStepUpGuard).
 */
export const RequireMfa = () =>
  applyDecorators(SetMetadata(REQUIRE_MFA_KEY, true), ApiProblemResponses('MFA_STEP_UP_REQUIRED'));
