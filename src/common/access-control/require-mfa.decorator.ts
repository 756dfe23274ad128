import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblemResponses } from '../openapi/api-problem-responses.decorator';

export const REQUIRE_MFA_KEY = 'requireMfa';

/**
 * A route for sensitive changes: the caller's access token must carry a second factor (amr `mfa`)
 * given at most MFA_STEP_UP_MAX_AGE ago, else 403 MFA_STEP_UP_REQUIRED (MfaStepUpGuard).
 */
export const RequireMfa = () =>
  applyDecorators(SetMetadata(REQUIRE_MFA_KEY, true), ApiProblemResponses('MFA_STEP_UP_REQUIRED'));
