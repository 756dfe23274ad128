import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

// 256 bits of entropy: unguessable, and long enough that storing only a fast hash is safe.
const REFRESH_TOKEN_BYTES = 32;
/** Characters of an issued refresh token: 32 bytes in unpadded base64url. */
export const REFRESH_TOKEN_LENGTH = Math.ceil((REFRESH_TOKEN_BYTES * 4) / 3);

const SEAL_CIPHER = 'aes-256-gcm';
const SEAL_KEY_INFO = 'auth-service/refresh-successor/v1';
const SEAL_IV_BYTES = 12;
const SEAL_TAG_BYTES = 16;

/** An opaque refresh token and the SHA-256 digest under which it is stored. */
export function newRefreshToken(): { token: string; hash: Uint8Array<ArrayBuffer> } {
  const token = randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/**
 * Encrypts what a refresh token was exchanged for under a key derived from that token, so the row
 * can hand the same answer to a racing holder of the token while a reader of the database, who
 * has only the token's hash, learns nothing. The token's 256 bits make HKDF without a salt sound.
 */
export function sealForTokenHolder(token: string, plaintext: string): Uint8Array<ArrayBuffer> {
  const iv = randomBytes(SEAL_IV_BYTES);
  const cipher = createCipheriv(SEAL_CIPHER, sealKey(token), iv);
  const encrypted = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), encrypted]));
}

/** The plaintext sealed under this token, or undefined when the token or the data do not match. */
export function openWithToken(token: string, sealed: Uint8Array): string | undefined {
  if (sealed.length <= SEAL_IV_BYTES + SEAL_TAG_BYTES) return undefined;
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const decipher = createDecipheriv(SEAL_CIPHER, sealKey(token), bytes.subarray(0, SEAL_IV_BYTES));
    decipher.setAuthTag(bytes.subarray(SEAL_IV_BYTES, SEAL_IV_BYTES + SEAL_TAG_BYTES));
    const decrypted = Buffer.concat([
      decipher.update(bytes.subarray(SEAL_IV_BYTES + SEAL_TAG_BYTES)),
      decipher.final(),
    ]);
    return decrypted.toString('utf8');
  } catch {
    return undefined;
  }
}

function sealKey(token: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(token, 'utf8'), Buffer.alloc(0), SEAL_KEY_INFO, 32));
}
