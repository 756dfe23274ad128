import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../../common/errors/domain.error';
import { Role } from '../../generated/prisma/enums';
import { RequestWithUser } from '../../common/access-control/current-user.decorator';
import { ROLES_KEY } from '../../common/access-control/roles.decorator';

/** Global guard after JwtAuthGuard: enforces @Roles() from the role in the access token. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<RequestWithUser>().user;
    if (user && roles.includes(user.role)) return true;
    throw new DomainError('FORBIDDEN', 'Your role does not allow this action');
  }
}
