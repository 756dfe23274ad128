import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RequestWithUser } from '../../common/access-control/current-user.decorator';
import { hasRecentSecondFactor, REQUIRE_MFA_KEY } from '../../common/access-control/require-mfa.decorator';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';

/** Global guard after RolesGuard: enforces @RequireMfa() from the amr and auth_time of the access token. */
@Injectable()
export class MfaStepUpGuard implements CanActivate {
  private readonly maxAgeSeconds: number;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.maxAgeSeconds = config.mfa.stepUpMaxAgeSeconds;
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<boolean | undefined>(REQUIRE_MFA_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required) return true;
    const user = context.switchToHttp().getRequest<RequestWithUser>().user;
    if (user && hasRecentSecondFactor(user, this.maxAgeSeconds)) return true;
    throw stepUpRequired();
  }
}

export function stepUpRequired(): DomainError {
  return new DomainError(
    'MFA_STEP_UP_REQUIRED',
    'This action needs a second factor given in the last minutes: POST /auth/mfa/step-up first',
  );
}
