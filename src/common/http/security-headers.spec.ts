import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { securityHeadersFor } from './security-headers';

/** What helmet itself writes on a response for `options`. */
function helmetOnAResponse(options: Parameters<typeof helmet>[0]): Record<string, string> {
  const written: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => (written[name.toLowerCase()] = value),
    removeHeader: (name: string) => delete written[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return written;
}

describe('securityHeadersFor', () => {
  const options = { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"] } } };

  it('is what helmet writes, computed once', () => {
    const headers = securityHeadersFor(options);
    expect(headers).toEqual(helmetOnAResponse(options));
    expect(headers).toMatchObject({
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'strict-transport-security': expect.stringContaining('max-age='),
      'x-content-type-options': 'nosniff',
    });
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('refuses options helmet refuses, at boot instead of on a request', () => {
    expect(() => securityHeadersFor({ contentSecurityPolicy: { directives: { defaultSrc: ['self'] } } })).toThrow(
      /should be quoted/,
    );
  });
});
