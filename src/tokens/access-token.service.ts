import { Injectable } from '@nestjs/common';
import { Algorithm, createSigner, createVerifier, TokenError } from 'fast-jwt';
import { KeyObject, randomUUID } from 'node:crypto';
import { DomainError } from '../common/errors/domain.error';
import { AppConfig } from '../config/app-config';
import { Role } from '../generated/prisma/enums';
import { PublicJwk, SigningKeyRing } from './signing-key-ring';
import { VerifiedTokenCache } from './verified-token-cache';

/** RFC 9068: the media type that tells an access token apart from an ID token or anything else signed with the key. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
// Allowed clock skew between instances when checking exp and iat.
const CLOCK_TOLERANCE_MS = 5_000;
// Verified tokens are remembered (keyed by the whole token, never past exp): the bearer check of a
// token seen before is a map lookup. Our own cache, not fast-jwt's, which hashes every token with
// SHA-256 to key its LRU, so that even a repeat costs microseconds.
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
  readonly client_id: string;
  /** RFC 8176 methods the session's user authenticated with: pwd, otp, mfa, ... (absent on older tokens: pwd). */
  readonly amr?: readonly string[];
  /** When the user last authenticated in this session, in seconds (absent on older tokens: iat). */
  readonly auth_time?: number;
}

/** Whom a token is issued to, and how and when they authenticated. */
export interface AccessTokenSubject {
  readonly userId: string;
  readonly sessionId: string;
  readonly role: Role;
  readonly amr: readonly string[];
  readonly authTime: Date;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

type Verifier = (token: string) => AccessTokenClaims;

/**
 * Signs and verifies access tokens, with the algorithm, issuer, audience and type pinned. With a
 * key ring each token names its key (kid) and is checked only with that key and its algorithm.
 */
@Injectable()
export class AccessTokenService {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verifierFor: (token: string) => Verifier | undefined;
  private readonly ttlSeconds: number;
  private readonly clientId: string;
  private readonly keyRing: SigningKeyRing | undefined;
  private readonly verified = new VerifiedTokenCache<AccessTokenClaims>(VERIFIED_TOKEN_CACHE_SIZE, CLOCK_TOLERANCE_MS);

  constructor(config: AppConfig) {
    const { signing, issuer, audience, clientId, ttlSeconds } = config.accessToken;
    this.clientId = clientId;
    this.ttlSeconds = ttlSeconds;
    const signer = (key: string | Buffer, algorithm: Algorithm, kid?: string) =>
      createSigner({
        key,
        algorithm,
        iss: issuer,
        aud: audience,
        expiresIn: ttlSeconds * 1000,
        header: { alg: algorithm, typ: ACCESS_TOKEN_TYPE, ...(kid ? { kid } : {}) },
      });
    const verifier = (key: string | Buffer, algorithm: Algorithm) =>
      createVerifier({
        key,
        algorithms: [algorithm],
        allowedIss: issuer,
        allowedAud: audience,
        checkTyp: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'sid', 'role', 'iat', 'exp', 'jti', 'iss', 'aud', 'client_id'],
        clockTolerance: CLOCK_TOLERANCE_MS,
      }) as Verifier;

    if (signing.algorithm === 'HS256') {
      this.sign = signer(signing.secret, signing.algorithm);
      const verifySigned = verifier(signing.secret, signing.algorithm);
      this.verifierFor = () => verifySigned;
      return;
    }
    const ring = new SigningKeyRing(signing);
    this.keyRing = ring;
    this.sign = signer(pemOf(ring.signingKey), ring.signingAlgorithm, ring.signingKid);
    // One verifier per key, built once.
    const verifiers = new Map(
      [...ring.keys.values()].map(({ kid, algorithm, publicKey }) => [kid, verifier(pemOf(publicKey), algorithm)]),
    );
    this.verifierFor = (token) => verifiers.get(kidOf(token) ?? '');
  }

  issue(subject: AccessTokenSubject): IssuedAccessToken {
    const token = this.sign({
      sub: subject.userId,
      sid: subject.sessionId,
      role: subject.role,
      client_id: this.clientId,
      amr: subject.amr,
      auth_time: Math.floor(subject.authTime.getTime() / 1000),
      jti: randomUUID(),
    });
    return { token, expiresIn: this.ttlSeconds };
  }

  /** Returns the claims of a valid token, or throws TOKEN_EXPIRED / INVALID_TOKEN. */
  verify(token: string): AccessTokenClaims {
    const remembered = this.verified.get(token);
    if (remembered) return remembered;
    const verifySigned = this.verifierFor(token);
    if (!verifySigned) throw new DomainError('INVALID_TOKEN', 'Access token is not valid');
    try {
      const claims = verifySigned(token);
      this.verified.set(token, claims);
      return claims;
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw new DomainError('TOKEN_EXPIRED', 'Access token expired');
      }
      throw new DomainError('INVALID_TOKEN', 'Access token is not valid');
    }
  }

  /** The public keys other services verify tokens with; NOT_FOUND when tokens use a shared secret. */
  publicJwks(): PublicJwk[] {
    if (!this.keyRing) throw new DomainError('NOT_FOUND', 'Access tokens are signed with a shared secret (HS256)');
    return this.keyRing.publicJwks();
  }
}

function pemOf(key: KeyObject): string {
  return key.type === 'private'
    ? key.export({ type: 'pkcs8', format: 'pem' }).toString()
    : key.export({ type: 'spki', format: 'pem' }).toString();
}

/** The kid of a token's header, reading only the header segment; undefined when absent or unreadable. */
function kidOf(token: string): string | undefined {
  const headerEnd = token.indexOf('.');
  if (headerEnd <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, headerEnd), 'base64url').toString('utf8'));
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}
