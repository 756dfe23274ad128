import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-local';
import { clientInfoOf } from '../../common/client-address/client-info.decorator';
import { AuthService } from '../auth.service';
import { TokenPairDto } from '../dto/token-pair.dto';

/**
 * Passport's local strategy as a thin adapter over AuthService.login, which does the whole login;
 * what it authenticates to is the new session's token pair, which the route hands to the client.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  validate(request: FastifyRequest, email: string, password: string): Promise<TokenPairDto> {
    return this.auth.login({ email, password }, clientInfoOf(request));
  }
}
