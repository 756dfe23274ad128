import { VerifiedTokenCache } from './verified-token-cache';

describe('VerifiedTokenCache', () => {
  const now = 1_800_000_000_000;
  const claims = (expSeconds: number) => ({ exp: expSeconds, sub: 'user' });

  it('answers only for the exact token string it was given', () => {
    const cache = new VerifiedTokenCache(10, 0);
    cache.set('header.payload.signature', claims(now / 1000 + 60));
    expect(cache.get('header.payload.signature', now)).toEqual(claims(now / 1000 + 60));
    expect(cache.get('header.payload.signaturE', now)).toBeUndefined();
    expect(cache.get('header.payload.signature ', now)).toBeUndefined();
  });

  it('forgets a token once exp and the tolerance have passed', () => {
    const cache = new VerifiedTokenCache(10, 5_000);
    cache.set('t', claims(now / 1000));
    expect(cache.get('t', now + 4_999)).toBeDefined();
    expect(cache.get('t', now + 5_000)).toBeUndefined();
    // Gone for good, even if the clock went back.
    expect(cache.get('t', now)).toBeUndefined();
  });

  it('holds at most its capacity, dropping the oldest entry first', () => {
    const cache = new VerifiedTokenCache(2, 0);
    const exp = now / 1000 + 60;
    cache.set('a', claims(exp));
    cache.set('b', claims(exp));
    cache.set('c', claims(exp));
    expect(['a', 'b', 'c'].map((token) => cache.get(token, now) !== undefined)).toEqual([false, true, true]);
  });
});
