import { loadAppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';

const DATABASE_URL = 'postgresql://localhost/auth';

const trustProxyOf = (value: string | undefined) => loadAppConfig({ DATABASE_URL, TRUST_PROXY: value }).http.trustProxy;

function problemOf(value: string): string {
  try {
    loadAppConfig({ DATABASE_URL, TRUST_PROXY: value });
  } catch (error) {
    if (error instanceof ConfigValidationError && error.problems.length === 1) return error.problems[0];
    throw error;
  }
  throw new Error(`expected TRUST_PROXY="${value}" to be refused`);
}

describe('TRUST_PROXY', () => {
  it.each([undefined, '', 'false', 'FALSE', '0'])('%p trusts no proxy', (value) => {
    expect(trustProxyOf(value)).toEqual({ kind: 'none' });
  });

  it('true trusts every proxy', () => {
    expect(trustProxyOf('true')).toEqual({ kind: 'all' });
  });

  it('reads a number as a hop count, as Express does (1 no longer means true)', () => {
    expect(trustProxyOf('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(trustProxyOf('3')).toEqual({ kind: 'hops', hops: 3 });
  });

  it('reads a comma-separated list of addresses, CIDRs and named ranges', () => {
    expect(trustProxyOf(' 10.0.0.0/8, 192.168.1.4 ,fd00::/8, ::1, loopback,uniquelocal ')).toEqual({
      kind: 'addresses',
      addresses: ['10.0.0.0/8', '192.168.1.4', 'fd00::/8', '::1', 'loopback', 'uniquelocal'],
    });
  });

  it.each([
    ['yes', '"yes"'],
    ['10.0.0.0/8,proxy.internal', '"proxy.internal"'],
    ['10.0.0.0/33', '"10.0.0.0/33"'],
    ['10.0.0.0/0', '"10.0.0.0/0"'],
    ['::/129', '"::/129"'],
    ['10.0.0.1/8/8', '"10.0.0.1/8/8"'],
    ['256.0.0.1', '"256.0.0.1"'],
  ])('refuses %p, naming the bad entry', (value, named) => {
    const problem = problemOf(value);
    expect(problem).toMatch(
      /^TRUST_PROXY must be false, true \(trust every proxy\), a hop count such as 1, or proxy addresses such as 10\.0\.0\.0\/8,loopback/,
    );
    expect(problem).toContain(`${named} is not an IP address, CIDR or loopback/linklocal/uniquelocal`);
  });

  it('refuses an implausible hop count and an empty list', () => {
    expect(problemOf('25')).toContain('(got "25"; at most 20 hops)');
    expect(problemOf(' , ')).toMatch(/\(got ","\)$/);
  });
});
