import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

type Headers = Readonly<Record<string, string>>;

/**
 * What a JSON answer needs (OWASP REST Security Cheat Sheet): no framing, no sniffing, HTTPS only, no
 * referrer, not embeddable by other sites. helmet's other headers (COOP, Origin-Agent-Cluster, DNS
 * prefetch, ...) govern documents; each costs every answer its bytes and its parsing.
 */
export const API_SECURITY_HEADERS: Headers = Object.freeze({
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
});

/**
 * The headers helmet sets for `options`, computed once. Without nonces they are the same on every
 * answer, while @fastify/helmet rebuilds helmet (and parses the policy) on each request: about 13% of
 * the service's CPU on a small route.
 */
export function securityHeadersFor(options: HelmetOptions): Headers {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  // helmet checks the options when it is built (it throws) and sets every header synchronously.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}

/** Every answer gets `api`, not-found and error ones included, except the pages at and under `pages.prefix`. */
export function sendOnEveryAnswer(
  fastify: FastifyInstance,
  api: Headers,
  pages: { readonly prefix: string; readonly headers: Headers },
): void {
  const isPage = (url: string) =>
    url.startsWith(pages.prefix) && (url.length === pages.prefix.length || '/?'.includes(url[pages.prefix.length]));
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(isPage(request.url) ? pages.headers : api);
    done();
  });
}
