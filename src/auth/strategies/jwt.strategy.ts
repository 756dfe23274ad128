import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy, StrategyOptionsWithoutRequest } from 'passport-jwt';
import { DomainError } from '../../common/errors/domain.error';
import { AuthenticatedUser } from '../../common/access-control/current-user.decorator';
import { RevokedSessionsService } from '../../sessions/revocation/revoked-sessions.service';
import { AccessTokenClaims, AccessTokenService } from '../../tokens/access-token.service';

/**
 * passport-jwt verifies with jsonwebtoken (~800 us a token here). Its verifier is a replaceable
 * static; ours hands options that carry our own verifier (fast-jwt, pinned the same way, with a
 * cache of verified tokens) to it and leaves every other passport-jwt strategy untouched.
 */
// A string key: passport-jwt copies these options with an assign that drops symbol keys.
const OWN_VERIFIER = 'authServiceAccessTokenVerifier';
type VerifierOptions = { [OWN_VERIFIER]?: (token: string) => AccessTokenClaims };
type PassportJwtVerifier = (
  token: string,
  key: unknown,
  options: unknown,
  done: (error: unknown, claims?: unknown) => void,
) => void;
const passportJwt = Strategy as unknown as { JwtVerifier: PassportJwtVerifier };
const jsonwebtokenVerifier = passportJwt.JwtVerifier;
passportJwt.JwtVerifier = (token, key, options, done) => {
  const ownVerifier = (options as VerifierOptions | undefined)?.[OWN_VERIFIER];
  if (!ownVerifier) return jsonwebtokenVerifier(token, key, options, done);
  let claims: AccessTokenClaims;
  try {
    claims = ownVerifier(token);
  } catch (error) {
    return done(error);
  }
  done(null, claims);
};

/** The bearer check: a valid access token whose session is not revoked. Never queries the database. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    accessTokens: AccessTokenService,
    private readonly revokedSessions: RevokedSessionsService,
  ) {
    const options: StrategyOptionsWithoutRequest = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // Unused: OWN_VERIFIER holds the key; passport-jwt insists on being given one.
      secretOrKeyProvider: (_request: unknown, _token: unknown, done: (error: null, key: string) => void) =>
        done(null, 'unused'),
      jsonWebTokenOptions: {
        [OWN_VERIFIER]: (token: string) => accessTokens.verify(token),
      } as VerifierOptions as never,
    };
    super(options);
  }

  validate(claims: AccessTokenClaims): AuthenticatedUser {
    if (this.revokedSessions.isRevoked(claims.sid)) {
      throw new DomainError('SESSION_REVOKED', 'The session of this access token has ended');
    }
    return {
      id: claims.sub,
      sessionId: claims.sid,
      role: claims.role,
      amr: claims.amr ?? ['pwd'],
      authTime: claims.auth_time ?? claims.iat,
    };
  }
}
