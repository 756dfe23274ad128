import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { TrustProxy } from './trust-proxy';

/**
 * How request.ip is decided. Fastify walks X-Forwarded-For from the socket outward, past the proxies
 * TRUST_PROXY trusts, and takes the first address it does not trust. Every consumer (the rate limit,
 * the lockout, sessions, the audit trail) reads request.ip, so this file is the one place that decides.
 */
export function fastifyTrustProxy(trust: TrustProxy): NonNullable<FastifyServerOptions['trustProxy']> {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'addresses':
      return [...trust.addresses];
    case 'hops': {
      // Fastify 5.12 refuses a plain number (it cannot check the peer); a hop function is what Express's
      // number means: the socket and the next hops - 1 entries are proxies, whatever their address.
      const { hops } = trust;
      return (_address: string, hop: number) => hop < hops;
    }
  }
}

/**
 * Cuts X-Forwarded-For at its first entry, from the right, that is not an IP address, with everything
 * the client wrote before it: no proxy appends such an entry, so nothing beyond it can be vouched for.
 * Without it request.ip could be any string (`not-an-ip`), a fresh key for every limit on each request.
 */
export function keepForwardedAddressesOnly(headers: IncomingHttpHeaders): void {
  const header = headers[FORWARDED_FOR];
  if (header === undefined) return;
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const firstInvalid = entries.findLastIndex((entry) => isIP(entry) === 0);
  if (firstInvalid === -1) return;
  const kept = entries.slice(firstInvalid + 1);
  if (kept.length === 0) delete headers[FORWARDED_FOR];
  else headers[FORWARDED_FOR] = kept.join(', ');
}

/** Applies keepForwardedAddressesOnly to every request before routing, guards and handlers read request.ip. */
export function cleanForwardedForOnEveryRequest(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    keepForwardedAddressesOnly(request.raw.headers);
    done();
  });
}

const FORWARDED_FOR = 'x-forwarded-for';
