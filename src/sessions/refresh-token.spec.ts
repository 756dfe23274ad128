import { createHash } from 'node:crypto';
import { hashRefreshToken, newRefreshToken, openWithToken, sealForTokenHolder } from './refresh-token';

describe('refresh tokens', () => {
  it('are 256 random bits in base64url, stored as their SHA-256', () => {
    const { token, hash } = newRefreshToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(Buffer.from(hash).toString('hex')).toBe(createHash('sha256').update(token).digest('hex'));
    expect(newRefreshToken().token).not.toBe(token);
    expect(hashRefreshToken(token)).toEqual(hash);
  });

  describe('sealing for the holder of a token', () => {
    const holder = newRefreshToken().token;

    it('opens with the same token', () => {
      const sealed = sealForTokenHolder(holder, 'the successor pair');
      expect(openWithToken(holder, sealed)).toBe('the successor pair');
    });

    it('uses a fresh IV each time, so equal plaintexts do not look equal', () => {
      expect(Buffer.from(sealForTokenHolder(holder, 'x'))).not.toEqual(Buffer.from(sealForTokenHolder(holder, 'x')));
    });

    it('does not open with another token, or after any byte changed', () => {
      const sealed = sealForTokenHolder(holder, 'the successor pair');
      expect(openWithToken(newRefreshToken().token, sealed)).toBeUndefined();
      for (const index of [0, 12, 28, sealed.length - 1]) {
        const tampered = Uint8Array.from(sealed);
        tampered[index] ^= 1;
        expect(openWithToken(holder, tampered)).toBeUndefined();
      }
      expect(openWithToken(holder, sealed.subarray(0, 20))).toBeUndefined();
    });
  });
});
