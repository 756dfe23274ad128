import { SetMetadata } from '@nestjs/common';
import { Role } from '../../generated/prisma/enums';

export const ROLES_KEY = 'roles';

/** Restricts a route to callers holding one of these roles (checked by RolesGuard, after the bearer token). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
