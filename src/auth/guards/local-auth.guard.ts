import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain.error';
import { createValidationPipe } from '../../common/validation/validation.pipe';
import { LoginDto } from '../dto/login.dto';

/**
 * Runs the local strategy on /auth/login. Guards run before pipes, so the body goes through the
 * global validation pipe's rules here, normalised, before Passport reads it.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.body = await this.validation.transform(request.body, { type: 'body', metatype: LoginDto });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    // Passport hands over whatever a strategy raised; ours raise DomainError.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (error) throw error;
    if (!user) throw new DomainError('INVALID_CREDENTIALS', 'Email or password is incorrect');
    return user;
  }
}
