import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain.error';
import { flattenValidationErrors } from '../../common/validation/validation.pipe';
import { LoginDto } from '../dto/login.dto';

/**
 * Runs the local strategy on /auth/login. Guards run before pipes, so the body is validated here
 * (same rules and 400 answer as the global pipe) and normalised before Passport reads it.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body: unknown = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new DomainError('VALIDATION_FAILED', 'The request is not valid', {
        errors: [{ field: 'body', message: 'must be a JSON object' }],
      });
    }
    const login = plainToInstance(LoginDto, body);
    const errors = await validate(login, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      throw new DomainError('VALIDATION_FAILED', 'The request is not valid', {
        errors: flattenValidationErrors(errors),
      });
    }
    request.body = login;
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
