import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblemResponses } from '../openapi/api-problem-responses.decorator';
import type { AuthenticatedUser } from './current-user.decorator';

export const REQUIRE_MFA_KEY = 'requireMfa';

/** Whether the caller's token carries a second factor (amr `mfa`) given at most `maxAgeSeconds` ago. */
export function hasRecentSecondFactor(
  caller: Pick<AuthenticatedUser, 'amr' | 'authTime'>,
  maxAgeSeconds: number,
  now = Date.now(),
): boolean {
  return caller.amr.includes('mfa') && now / 1000 - caller.authTime <= maxAgeSeconds;
}

/**
 * A route for sensitive changes: the caller's access token must carry a second factor (amr `mfa`)
 * given at most MFA_STEP_UP_MAX_AGE ago, else 403 MFA_STEP_UP_REQUIRED (MfaStepUpGuard).
 */
export const RequireMfa = () =>
  applyDecorators(SetMetadata(REQUIRE_MFA_KEY, true), ApiProblemResponses('MFA_STEP_UP_REQUIRED'));
