import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DocumentAsAllowedWithoutSecondFactor } from '../openapi/document-conventions';

export const ALLOW_WITHOUT_SECOND_FACTOR_KEY = 'allowWithoutSecondFactor';

/**
 * A route an account of an MFA_REQUIRED_ROLES role may use before its session carries a second factor:
 * what it needs to see itself and enrol (MfaEnrollmentGuard).
 */
export const AllowWithoutSecondFactor = () =>
  applyDecorators(SetMetadata(ALLOW_WITHOUT_SECOND_FACTOR_KEY, true), DocumentAsAllowedWithoutSecondFactor());
