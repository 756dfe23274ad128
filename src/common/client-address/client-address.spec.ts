import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { TrustProxy } from './trust-proxy';
import { cleanForwardedForOnEveryRequest, fastifyTrustProxy, keepForwardedAddressesOnly } from './client-address';

describe('keepForwardedAddressesOnly', () => {
  const cleaned = (forwardedFor: string | undefined) => {
    const headers: IncomingHttpHeaders = { 'x-forwarded-for': forwardedFor };
    keepForwardedAddressesOnly(headers);
    return headers['x-forwarded-for'];
  };

  it('leaves a header of addresses alone', () => {
    expect(cleaned('203.0.113.9, 10.0.0.7')).toBe('203.0.113.9, 10.0.0.7');
    expect(cleaned('2001:db8::1,::ffff:10.0.0.7')).toBe('2001:db8::1,::ffff:10.0.0.7');
    expect(cleaned(undefined)).toBeUndefined();
  });

  it('cuts at the rightmost entry that is not an address, dropping what the client wrote before it', () => {
    expect(cleaned('198.51.100.1, not-an-ip, 10.0.0.7')).toBe('10.0.0.7');
    expect(cleaned('10.0.0.9, 203.0.113.1:4711, 10.0.0.7, 10.0.0.8')).toBe('10.0.0.7, 10.0.0.8');
    expect(cleaned('unknown , 10.0.0.7')).toBe('10.0.0.7');
  });

  it('removes the header when its closest entry is not an address', () => {
    const headers: IncomingHttpHeaders = { 'x-forwarded-for': '10.0.0.7, not-an-ip-1' };
    keepForwardedAddressesOnly(headers);
    expect(headers).toEqual({});
  });
});

describe('request.ip with fastifyTrustProxy and the clean-up', () => {
  async function ipFor(trust: TrustProxy, forwardedFor?: string): Promise<string> {
    const fastify = new FastifyAdapter({ trustProxy: fastifyTrustProxy(trust) }).getInstance();
    cleanForwardedForOnEveryRequest(fastify);
    fastify.get('/', (request) => ({ ip: request.ip }));
    try {
      // inject() connects from 127.0.0.1.
      const response = await fastify.inject({
        url: '/',
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
      });
      return response.json<{ ip: string }>().ip;
    } finally {
      await fastify.close();
    }
  }

  const chain = '198.51.100.1, 203.0.113.5, 10.0.0.7';

  it('takes the socket address without trust, and the leftmost entry when trusting everything', async () => {
    expect(await ipFor({ kind: 'none' }, chain)).toBe('127.0.0.1');
    expect(await ipFor({ kind: 'all' }, chain)).toBe('198.51.100.1');
  });

  it('counts hops from the right', async () => {
    expect(await ipFor({ kind: 'hops', hops: 1 }, chain)).toBe('10.0.0.7');
    expect(await ipFor({ kind: 'hops', hops: 2 }, chain)).toBe('203.0.113.5');
    expect(await ipFor({ kind: 'hops', hops: 1 })).toBe('127.0.0.1');
  });

  it('walks past listed proxies only', async () => {
    expect(await ipFor({ kind: 'addresses', addresses: ['loopback', '10.0.0.0/8'] }, chain)).toBe('203.0.113.5');
    expect(await ipFor({ kind: 'addresses', addresses: ['10.0.0.0/8'] }, chain)).toBe('127.0.0.1');
  });

  it('never answers something that is not an address', async () => {
    expect(await ipFor({ kind: 'all' }, 'not-an-ip-1')).toBe('127.0.0.1');
    expect(await ipFor({ kind: 'all' }, '198.51.100.1, not-an-ip-1, 10.0.0.7')).toBe('10.0.0.7');
    expect(await ipFor({ kind: 'hops', hops: 2 }, 'not-an-ip-1, 10.0.0.7')).toBe('10.0.0.7');
  });
});
