import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHmac, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { claimsOf, me, register, TokenPair } from './support/accounts';
import { startTestApp } from './support/test-app';

const SECRET = 'e2e-access-token-secret-with-more-than-32-bytes!';

function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function signHs256(header: object, payload: object, secret = SECRET): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

describe('Access tokens', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let pair: TokenPair;

  beforeAll(async () => {
    app = await startTestApp({ env: { JWT_ACCESS_SECRET: SECRET } });
    server = app.getHttpServer();
    pair = await register(server);
  });

  afterAll(async () => {
    await app.close();
  });

  const expectRefused = async (token: string, code: string) => {
    const response = await me(server, token);
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe(code);
  };

  it('carries the claims of RFC 9068 and API.md', () => {
    const [header] = pair.accessToken.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    const claims = claimsOf(pair.accessToken);
    expect(claims).toEqual({
      sub: pair.user.id,
      sid: expect.any(String),
      role: 'USER',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: (claims.iat as number) + 900,
      iss: 'http://localhost:3000',
      aud: 'auth-service',
      client_id: 'auth-service',
      // RFC 8176 methods, and when the user authenticated: a password, at the login.
      amr: ['pwd'],
      auth_time: expect.any(Number),
    });
    expect(Math.abs((claims.auth_time as number) - (claims.iat as number))).toBeLessThanOrEqual(1);
  });

  it('accepts a token it signed with the pinned settings', async () => {
    const claims = claimsOf(pair.accessToken);
    const token = signHs256({ alg: 'HS256', typ: 'at+jwt' }, { ...claims, jti: randomUUID() });
    expect((await me(server, token)).status).toBe(200);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = pair.accessToken.split('.');
    const forged = `${header}.${base64url({ ...claimsOf(pair.accessToken), role: 'ADMIN' })}.${signature}`;
    await expectRefused(forged, 'INVALID_TOKEN');
  });

  it('refuses alg none', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'at+jwt' })}.${base64url(claimsOf(pair.accessToken))}.`;
    await expectRefused(unsigned, 'INVALID_TOKEN');
  });

  it('refuses a token signed with another key', async () => {
    await expectRefused(
      signHs256(
        { alg: 'HS256', typ: 'at+jwt' },
        claimsOf(pair.accessToken),
        'another-secret-of-at-least-32-bytes-long!!',
      ),
      'INVALID_TOKEN',
    );
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = signHs256(
      { alg: 'HS256', typ: 'at+jwt' },
      { ...claimsOf(pair.accessToken), iat: now - 1000, exp: now - 60 },
    );
    await expectRefused(expired, 'TOKEN_EXPIRED');
  });

  it.each([
    ['another type', { alg: 'HS256', typ: 'JWT' }, {}],
    ['another issuer', { alg: 'HS256', typ: 'at+jwt' }, { iss: 'someone-else' }],
    ['another audience', { alg: 'HS256', typ: 'at+jwt' }, { aud: 'another-api' }],
    ['no session id', { alg: 'HS256', typ: 'at+jwt' }, { sid: undefined }],
  ])('refuses a correctly signed token with %s', async (_case, header, overrides) => {
    await expectRefused(signHs256(header, { ...claimsOf(pair.accessToken), ...overrides }), 'INVALID_TOKEN');
  });

  it('refuses the refresh token and garbage as bearer tokens', async () => {
    await expectRefused(pair.refreshToken, 'INVALID_TOKEN');
    await expectRefused('not.a.jwt', 'INVALID_TOKEN');
  });

  it('asks for a token when none is sent', async () => {
    const response = await request(server).get('/api/v1/auth/me');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });
});
