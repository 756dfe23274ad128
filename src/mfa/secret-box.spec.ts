import { randomBytes } from 'node:crypto';
import { loadAppConfig } from '../config/app-config';
import { SecretBox } from './secret-box';

const keyText = () => randomBytes(32).toString('base64');
const mfaConfig = (env: Record<string, string>) =>
  loadAppConfig({ DATABASE_URL: 'postgresql://localhost/auth', ...env }).mfa;

describe('SecretBox', () => {
  const secret = randomBytes(20);

  it('opens what it sealed for the same owner, and never stores the plaintext', () => {
    const box = new SecretBox(mfaConfig({ MFA_ENCRYPTION_KEY: keyText() }));
    const sealed = box.seal(secret, 'user-1');
    expect(Buffer.from(sealed).includes(secret)).toBe(false);
    expect(box.open(sealed, 'user-1')).toEqual({ plaintext: secret, underCurrentKey: true });
    expect(Buffer.from(box.seal(secret, 'user-1')).equals(Buffer.from(sealed))).toBe(false);
  });

  it('does not open for another owner, after any byte changed, or under an unknown key', () => {
    const box = new SecretBox(mfaConfig({ MFA_ENCRYPTION_KEY: keyText() }));
    const sealed = box.seal(secret, 'user-1');
    expect(box.open(sealed, 'user-2')).toBeUndefined();
    for (const index of [0, 8, 20, 36, sealed.length - 1]) {
      const tampered = Uint8Array.from(sealed);
      tampered[index] ^= 1;
      expect(box.open(tampered, 'user-1')).toBeUndefined();
    }
    expect(new SecretBox(mfaConfig({ MFA_ENCRYPTION_KEY: keyText() })).open(sealed, 'user-1')).toBeUndefined();
  });

  it('still opens under a previous key after a rotation, and says so', () => {
    const oldKey = keyText();
    const sealed = new SecretBox(mfaConfig({ MFA_ENCRYPTION_KEY: oldKey })).seal(secret, 'user-1');
    const rotated = new SecretBox(mfaConfig({ MFA_ENCRYPTION_KEY: keyText(), MFA_ENCRYPTION_PREVIOUS_KEYS: oldKey }));
    expect(rotated.open(sealed, 'user-1')).toEqual({ plaintext: secret, underCurrentKey: false });
    expect(rotated.open(rotated.seal(secret, 'user-1'), 'user-1')?.underCurrentKey).toBe(true);
  });

  it('takes keys of 32 bytes in base64 or hex, and refuses others naming the variable', () => {
    const hex = randomBytes(32).toString('hex');
    expect(mfaConfig({ MFA_ENCRYPTION_KEY: hex }).encryptionKey.key).toEqual(Buffer.from(hex, 'hex'));
    expect(() => mfaConfig({ MFA_ENCRYPTION_KEY: randomBytes(24).toString('base64') })).toThrow(
      /MFA_ENCRYPTION_KEY must be 32 bytes in base64 or hex/,
    );
    expect(() =>
      mfaConfig({ MFA_ENCRYPTION_PREVIOUS_KEYS: `${keyText()},not-a-key-at-all-but-long-enough-text` }),
    ).toThrow(/MFA_ENCRYPTION_PREVIOUS_KEYS entry 2 must be 32 bytes/);
    expect(() => mfaConfig({ MFA_REQUIRED_ROLES: 'ADMIN, OWNER' })).toThrow(
      /MFA_REQUIRED_ROLES names an unknown role "OWNER"/,
    );
    expect(mfaConfig({ MFA_REQUIRED_ROLES: 'admin' }).requiredRoles).toEqual(['ADMIN']);
  });
});
