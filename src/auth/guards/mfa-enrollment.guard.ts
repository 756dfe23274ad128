import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ALLOW_WITHOUT_SECOND_FACTOR_KEY } from '../../common/access-control/allow-without-second-factor.decorator';
import { RequestWithUser } from '../../common/access-control/current-user.decorator';
import { carriesSecondFactor } from '../../common/access-control/require-mfa.decorator';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import type { Role } from '../../generated/prisma/enums';

/**
 * Global guard after JwtAuthGuard, with MFA_REQUIRED_ROLES: a caller of such a role whose session
 * carries no second factor (amr without `mfa`) may use only the routes to see itself and enrol
 * (@AllowWithoutSecondFactor); everything else is 403 MFA_ENROLLMENT_REQUIRED. Enrolling, then a
 * step-up (or a new login with the factor), gives the session one.
 */
@Injectable()
export class MfaEnrollmentGuard implements CanActivate {
  private readonly requiredRoles: ReadonlySet<Role>;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.requiredRoles = new Set(config.mfa.requiredRoles);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.requiredRoles.size === 0) return true;
    const user = context.switchToHttp().getRequest<RequestWithUser>().user;
    if (!user || !this.requiredRoles.has(user.role) || carriesSecondFactor(user.amr)) return true;
    const allowed = this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_WITHOUT_SECOND_FACTOR_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (allowed) return true;
    throw new DomainError(
      'MFA_ENROLLMENT_REQUIRED',
      'Accounts with your role must set up a second factor first: POST /auth/mfa/totp',
    );
  }
}
