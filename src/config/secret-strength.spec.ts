import { randomBytes } from 'node:crypto';
import {
  estimatedEntropyBits,
  MIN_SECRET_ENTROPY_BITS,
  weaknessOfSecret,
  weaknessOfTypedValue,
} from './secret-strength';

describe('estimatedEntropyBits', () => {
  it('scores random 32-byte secrets far above the minimum', () => {
    let lowest = Infinity;
    for (let round = 0; round < 2000; round += 1) {
      for (const encoding of ['base64', 'base64url', 'hex'] as const) {
        lowest = Math.min(lowest, estimatedEntropyBits(randomBytes(32).toString(encoding)));
      }
    }
    // Seen: about 175 at the lowest over 100,000 rounds.
    expect(lowest).toBeGreaterThan(MIN_SECRET_ENTROPY_BITS + 30);
  });

  it('counts a run that steps by -1, 0 or +1 as one symbol', () => {
    expect(estimatedEntropyBits('abcdefghijklmnopqrstuvwxyz')).toBe(0);
    expect(estimatedEntropyBits('9876543210')).toBe(0);
    expect(estimatedEntropyBits('zzzzzzzzzzzzzzzzzzzz')).toBe(0);
    // Four different symbols, once each: two bits apiece.
    expect(estimatedEntropyBits('abc0xyzQ')).toBe(8);
  });
});

describe('weaknessOfSecret', () => {
  it('passes a random secret', () => {
    expect(weaknessOfSecret(randomBytes(48).toString('base64'))).toBeUndefined();
  });

  it('finds placeholder words whatever their case and separators', () => {
    for (const value of ['CHANGE-ME-now-9f8e7d6c5b4a', 'the_Secret_key', 'pass-word', 'ex.ample']) {
      expect(weaknessOfTypedValue(value)).toMatch(/^looks like a placeholder/);
    }
  });

  it('finds one unit repeated, including a cut-off last copy', () => {
    expect(weaknessOfTypedValue('q7Wq7Wq7Wq7')).toBe('is one short piece repeated');
    expect(weaknessOfTypedValue('q7Wq7Wq7Wq8')).toBeUndefined();
  });
});
