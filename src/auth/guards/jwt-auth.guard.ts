import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError } from '../../common/errors/domain.error';
import { IS_PUBLIC_KEY } from '../../common/access-control/public.decorator';

/** Global guard: every route needs a valid bearer access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    // Passport hands over whatever a strategy raised; ours raise DomainError.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (error) throw error;
    if (info instanceof DomainError) throw info;
    if (!user) throw new DomainError('UNAUTHORIZED', 'A bearer access token is required');
    return user;
  }
}
