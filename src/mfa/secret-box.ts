import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MfaConfig, MfaEncryptionKey } from '../config/mfa-config';

const CIPHER = 'aes-256-gcm';
const KEY_ID_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface OpenedSecret {
  readonly plaintext: Buffer;
  /** False when a previous key sealed it: seal it again under the current key. */
  readonly underCurrentKey: boolean;
}

/**
 * AES-256-GCM for secrets at rest under MFA_ENCRYPTION_KEY, with MFA_ENCRYPTION_PREVIOUS_KEYS still
 * opening what they sealed. Sealed: key id (8) | IV (12) | tag (16) | ciphertext. The associated data
 * (the owner's id) binds a sealed secret to its row: copied to another user's row, it does not open.
 */
export class SecretBox {
  private readonly current: MfaEncryptionKey;
  private readonly keys: readonly MfaEncryptionKey[];

  constructor(config: Pick<MfaConfig, 'encryptionKey' | 'previousEncryptionKeys'>) {
    this.current = config.encryptionKey;
    this.keys = [config.encryptionKey, ...config.previousEncryptionKeys];
  }

  seal(plaintext: Buffer, associatedData: string): Uint8Array<ArrayBuffer> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.current.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const encrypted = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(Buffer.concat([this.current.id, iv, cipher.getAuthTag(), encrypted]));
  }

  /** The plaintext, or undefined when no configured key sealed it or it was changed. */
  open(sealed: Uint8Array, associatedData: string): OpenedSecret | undefined {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    if (bytes.length <= KEY_ID_BYTES + IV_BYTES + TAG_BYTES) return undefined;
    const keyId = bytes.subarray(0, KEY_ID_BYTES);
    const key = this.keys.find((candidate) => candidate.id.equals(keyId));
    if (!key) return undefined;
    const ivEnd = KEY_ID_BYTES + IV_BYTES;
    try {
      const decipher = createDecipheriv(CIPHER, key.key, bytes.subarray(KEY_ID_BYTES, ivEnd));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(bytes.subarray(ivEnd, ivEnd + TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(bytes.subarray(ivEnd + TAG_BYTES)), decipher.final()]);
      return { plaintext, underCurrentKey: key === this.current };
    } catch {
      return undefined;
    }
  }
}
