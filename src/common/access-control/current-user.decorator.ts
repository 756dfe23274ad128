import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Role } from '../../generated/prisma/enums';

/** Who made the request, read from the verified access token alone (no database query). */
export interface AuthenticatedUser {
  readonly id: string;
  readonly sessionId: string;
  readonly role: Role;
  /** RFC 8176 authentication methods of the session: `pwd`, then `otp` or `hwk`/`swk` and `mfa` once a second factor was given; `hwk`/`swk` and `user` for a passkey login. */
  readonly amr: readonly string[];
  /** When the user last authenticated in this session (seconds since the epoch). */
  readonly authTime: number;
}

export type RequestWithUser = FastifyRequest & { user?: AuthenticatedUser };

/** Injects the authenticated caller into a handler parameter. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<RequestWithUser>().user;
  if (!user) throw new Error('@CurrentUser() used on a route without an authenticated user (is it @Public()?)');
  return user;
});
