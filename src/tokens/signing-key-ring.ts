import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import type { KeyRingSigning } from '../config/app-config';
import { algorithmOfKey, AsymmetricAlgorithm } from '../config/pem-keys';

/** One public key of the ring, pinned to the one algorithm its tokens may use. */
export interface RingKey {
  readonly kid: string;
  readonly algorithm: AsymmetricAlgorithm;
  readonly publicKey: KeyObject;
}

/** A JWKS entry (RFC 7517): public members only, built member by member. */
export type PublicJwk =
  | { kty: 'RSA'; kid: string; use: 'sig'; alg: AsymmetricAlgorithm; n: string; e: string }
  | { kty: 'OKP'; kid: string; use: 'sig'; alg: AsymmetricAlgorithm; crv: string; x: string };

/**
 * The asymmetric keys of access tokens: the private key that signs new tokens, and every public
 * key whose tokens are accepted (the signing key's own, the previous and the next), by kid.
 */
export class SigningKeyRing {
  readonly signingKey: KeyObject;
  readonly signingKid: string;
  readonly signingAlgorithm: AsymmetricAlgorithm;
  /** Signing key first; a key configured twice appears once. */
  readonly keys: ReadonlyMap<string, RingKey>;

  constructor(signing: KeyRingSigning) {
    this.signingKey = signing.signingKey;
    this.signingAlgorithm = signing.algorithm;
    const publicKeys = [createPublicKey(signing.signingKey), ...signing.verificationKeys];
    const keys = new Map<string, RingKey>();
    for (const publicKey of publicKeys) {
      const algorithm = algorithmOfKey(publicKey);
      // The configuration refuses unusable keys; this guards a ring built some other way.
      if (algorithm === undefined) throw new Error('A signing key ring holds only RSA (>= 2048 bits) and Ed25519 keys');
      const kid = jwkThumbprint(publicKey);
      if (!keys.has(kid)) keys.set(kid, { kid, algorithm, publicKey });
    }
    this.keys = keys;
    this.signingKid = [...keys.keys()][0];
  }

  /** The public keys as a JWKS publishes them. */
  publicJwks(): PublicJwk[] {
    return [...this.keys.values()].map(({ kid, algorithm, publicKey }) => {
      const jwk = publicKey.export({ format: 'jwk' });
      return jwk.kty === 'RSA'
        ? { kty: 'RSA', kid, use: 'sig', alg: algorithm, n: String(jwk.n), e: String(jwk.e) }
        : { kty: 'OKP', kid, use: 'sig', alg: algorithm, crv: String(jwk.crv), x: String(jwk.x) };
    });
  }
}

/**
 * RFC 7638 thumbprint: base64url SHA-256 of the required public members in lexicographic order,
 * so the kid follows from the key itself and every instance derives the same one.
 */
export function jwkThumbprint(key: KeyObject): string {
  const jwk = (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'jwk' });
  const required = jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
