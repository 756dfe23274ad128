import { createHash, randomBytes } from 'node:crypto';

// 256 bits of entropy: unguessable, and long enough that storing only a fast hash is safe.
const REFRESH_TOKEN_BYTES = 32;

/** An opaque refresh token and the SHA-256 digest under which it is stored. */
export function newRefreshToken(): { token: string; hash: Uint8Array<ArrayBuffer> } {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}
