import { securityHeadersFor } from './security-headers';

describe('securityHeadersFor', () => {
  const options = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } } };

  it('records every header helmet 8 sets for documents, the policy built from the directives given', () => {
    const headers = securityHeadersFor(options);
    expect(Object.keys(headers).sort()).toEqual([
      'content-security-policy',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'origin-agent-cluster',
      'referrer-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-dns-prefetch-control',
      'x-download-options',
      'x-frame-options',
      'x-permitted-cross-domain-policies',
      'x-xss-protection',
    ]);
    expect(headers['content-security-policy']).toMatch(/^default-src 'self';.*frame-ancestors 'none';/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('refuses options helmet refuses, at boot instead of on a request', () => {
    expect(() => securityHeadersFor({ contentSecurityPolicy: { directives: { defaultSrc: ['self'] } } })).toThrow(
      /should be quoted/,
    );
  });
});
