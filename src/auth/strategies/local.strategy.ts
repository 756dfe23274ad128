import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { User } from '../../generated/prisma/client';
import { AuthService } from '../auth.service';
import { clientInfoOf } from '../decorators/client-info.decorator';
import { LoginAttemptsService } from '../lockout/login-attempts.service';

/** The login check: email and password against the stored hash, unless the lockout refuses first. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(
    private readonly auth: AuthService,
    private readonly attempts: LoginAttemptsService,
  ) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<User> {
    const client = clientInfoOf(request);
    return this.attempts.attempt(email, client, () => this.auth.verifyCredentials(email, password, client));
  }
}
