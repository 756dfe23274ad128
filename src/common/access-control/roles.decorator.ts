import { applyDecorators, SetMetadata } from '@nestjs/common';
import { Role } from '../../generated/prisma/enums';
import { DocumentRoles } from '../openapi/document-conventions';

export const ROLES_KEY = 'roles';

/** Restricts a route to callers holding one of these roles (RolesGuard, after the bearer token); documented as 403. */
export const Roles = (...roles: Role[]) => applyDecorators(SetMetadata(ROLES_KEY, roles), DocumentRoles(roles));
