import { Injectable } from '@nestjs/common';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { randomUUID } from 'node:crypto';
import { DomainError } from '../../common/errors/domain.error';
import { AppConfig } from '../../config/app-config';
import { Role } from '../../generated/prisma/enums';

/** RFC 9068: the media type that tells an access token apart from an ID token or anything else signed with the key. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
// Allowed clock skew between instances when checking exp and iat.
const CLOCK_TOLERANCE_MS = 5_000;
// Verified tokens are cached (keyed by the whole token, never past exp) so the bearer check costs microseconds.
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export interface AccessTokenClaims {
  readonly sub: string;
  readonly sid: string;
  readonly role: Role;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly iss: string;
  readonly aud: string;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** Signs and verifies access tokens, with the algorithm, issuer, audience and type pinned. */
@Injectable()
export class AccessTokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verifyToken: (token: string) => AccessTokenClaims;
  private readonly ttlSeconds: number;

  constructor(config: AppConfig) {
    const { secret, issuer, audience, ttlSeconds } = config.accessToken;
    this.ttlSeconds = ttlSeconds;
    this.sign = createSigner({
      key: secret,
      algorithm: ALGORITHM,
      iss: issuer,
      aud: audience,
      expiresIn: ttlSeconds * 1000,
      header: { alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE },
    });
    this.verifyToken = createVerifier({
      key: secret,
      algorithms: [ALGORITHM],
      allowedIss: issuer,
      allowedAud: audience,
      checkTyp: ACCESS_TOKEN_TYPE,
      requiredClaims: ['sub', 'sid', 'role', 'iat', 'exp', 'jti', 'iss', 'aud'],
      clockTolerance: CLOCK_TOLERANCE_MS,
      cache: VERIFIED_TOKEN_CACHE_SIZE,
    }) as (token: string) => AccessTokenClaims;
  }

  issue(subject: { userId: string; sessionId: string; role: Role }): IssuedAccessToken {
    const token = this.sign({ sub: subject.userId, sid: subject.sessionId, role: subject.role, jti: randomUUID() });
    return { token, expiresIn: this.ttlSeconds };
  }

  /** Returns the claims of a valid token, or throws TOKEN_EXPIRED / INVALID_TOKEN. */
  verify(token: string): AccessTokenClaims {
    try {
      return this.verifyToken(token);
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw new DomainError('TOKEN_EXPIRED', 'Access token expired');
      }
      throw new DomainError('INVALID_TOKEN', 'Access token is not valid');
    }
  }
}
