import { isIP } from 'node:net';
import type { TrustProxy } from '../common/client-address/trust-proxy';
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

export type { TrustProxy } from '../common/client-address/trust-proxy';

/** Ranges proxy-addr (under Fastify) knows by name. */
export const NAMED_PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;

const NONE: TrustProxy = { kind: 'none' };

const EXPECTED =
  'must be false, true (trust every proxy), a hop count such as 1, or proxy addresses such as 10.0.0.0/8,loopback';

export function readTrustProxy(read: EnvironmentReader): TrustProxy {
  const variable = VARIABLES.TRUST_PROXY;
  const { maxHops } = variable;
  const value = read.raw(variable) ?? variable.default;
  if (value.toLowerCase() === 'false') return NONE;
  if (value.toLowerCase() === 'true') return { kind: 'all' };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > maxHops) return read.fail(variable, `${EXPECTED} (got "${value}"; at most ${maxHops} hops)`, NONE);
    return hops === 0 ? NONE : { kind: 'hops', hops };
  }
  const addresses = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const invalid = addresses.filter((entry) => !isProxyAddress(entry));
  if (invalid.length > 0) {
    const named = NAMED_PROXY_RANGES.join('/');
    return read.fail(
      variable,
      `${EXPECTED} (got "${value}"; "${invalid.join('", "')}" is not an IP address, CIDR or ${named})`,
      NONE,
    );
  }
  if (addresses.length === 0) return read.fail(variable, `${EXPECTED} (got "${value}")`, NONE);
  return { kind: 'addresses', addresses };
}

/** An IP address, a CIDR such as 10.0.0.0/8 or fd00::/8, or one of the named ranges. */
function isProxyAddress(entry: string): boolean {
  if ((NAMED_PROXY_RANGES as readonly string[]).includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = /^\d+$/.test(prefix) ? Number(prefix) : NaN;
  return bits >= 1 && bits <= (version === 4 ? 32 : 128);
}
