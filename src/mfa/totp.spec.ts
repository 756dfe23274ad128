import { Secret, TOTP } from 'otpauth';
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes';
import { base32Of, codeAt, newTotpSecret, stepOfCode, totpUri } from './totp';

describe('TOTP codes', () => {
  const secret = newTotpSecret();
  const at = new Date('2030-01-01T00:00:10Z');
  const step = Math.floor(at.getTime() / 30_000);

  it('are RFC 6238 codes an authenticator app computes from the URI', () => {
    const uri = new URL(totpUri(secret, 'Auth Service', 'ada@example.com'));
    expect(uri.searchParams.get('algorithm')).toBe('SHA1');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    const app = new TOTP({
      secret: Secret.fromBase32(uri.searchParams.get('secret')!),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    expect(app.generate({ timestamp: at.getTime() })).toBe(codeAt(secret, at));
    expect(base32Of(secret)).toBe(uri.searchParams.get('secret'));
  });

  it('belong to their time step, within one step of drift either way and not two', () => {
    const codeOffset = (steps: number) => codeAt(secret, new Date(at.getTime() + steps * 30_000));
    expect(stepOfCode(secret, codeOffset(0), at)).toBe(step);
    expect(stepOfCode(secret, codeOffset(-1), at)).toBe(step - 1);
    expect(stepOfCode(secret, codeOffset(1), at)).toBe(step + 1);
    expect(stepOfCode(secret, codeOffset(2), at)).toBeUndefined();
    expect(stepOfCode(secret, codeOffset(-2), at)).toBeUndefined();
    expect(stepOfCode(secret, '12345', at)).toBeUndefined();
    expect(stepOfCode(secret, 'abcdef', at)).toBeUndefined();
  });
});

describe('recovery codes', () => {
  it('are ten distinct 60-bit codes in groups of four, hashed whatever the case or dashes', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes)
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    const [code] = codes;
    expect(hashRecoveryCode(code.toLowerCase().replace(/-/g, ' '))).toEqual(hashRecoveryCode(code));
    expect(normalizeRecoveryCode('o1l-i')).toBe('0111');
    expect(hashRecoveryCode(codes[1])).not.toEqual(hashRecoveryCode(code));
  });
});
