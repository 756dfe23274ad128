import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHmac, createPublicKey, generateKeyPairSync, KeyObject, randomUUID, sign, verify } from 'node:crypto';
import type { Server } from 'node:http';
import { createLocalJWKSet, JSONWebKeySet, jwtVerify } from 'jose';
import request from 'supertest';
import { jwkThumbprint } from '../src/tokens/signing-key-ring';
import { login, me, register, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

type Jwk = { kty: string; kid: string; use: string; alg: string; [member: string]: string };

function pem(key: KeyObject): string {
  return key.type === 'private'
    ? key.export({ type: 'pkcs8', format: 'pem' }).toString()
    : key.export({ type: 'spki', format: 'pem' }).toString();
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

type JsonObject = Record<string, unknown>;

function decode(token: string): { header: JsonObject; claims: JsonObject } {
  const [header, claims] = token.split('.');
  const parse = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()) as JsonObject;
  return { header: parse(header), claims: parse(claims) };
}

/** A JWS signed here with node:crypto, as an attacker or another issuer would. */
function signJws(header: { alg: string; [name: string]: unknown }, claims: object, key: KeyObject | string): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  const data = Buffer.from(input);
  const signature =
    header.alg === 'HS256'
      ? createHmac('sha256', key).update(input).digest()
      : sign(header.alg === 'RS256' ? 'sha256' : null, data, key);
  return `${input}.${signature.toString('base64url')}`;
}

/** What another service does: find the token's key in the JWKS and check the signature with it. */
function verifiesWithJwks(token: string, keys: Jwk[]): boolean {
  const [header, claims, signature] = token.split('.');
  const { alg, kid } = decode(token).header;
  const jwk = keys.find((key) => key.kid === kid && key.alg === alg);
  if (!jwk) return false;
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  const digest = alg === 'RS256' ? 'sha256' : null;
  return verify(digest, Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url'));
}

async function signIn(server: Server): Promise<string> {
  const email = uniqueEmail('jwks');
  await register(server, email);
  return (await login(server, email)).accessToken;
}

const jwksOf = (server: Server) => request(server).get('/.well-known/jwks.json');

async function expectRefused(server: Server, token: string, code = 'INVALID_TOKEN'): Promise<void> {
  const response = await me(server, token);
  expect(response.status).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body.code).toBe(code);
}

describe.each([
  ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['EdDSA', () => generateKeyPairSync('ed25519')],
])('%s access tokens', (algorithm, generateKeys) => {
  const keys = generateKeys();
  let app: NestFastifyApplication;
  let server: Server;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { JWT_ALGORITHM: algorithm, JWT_SIGNING_KEY: pem(keys.privateKey) } });
    server = app.getHttpServer();
    token = await signIn(server);
  });

  afterAll(async () => {
    await app.close();
  });

  it('name their algorithm, type and key, and authenticate the caller', async () => {
    const { header } = decode(token);
    expect(header).toEqual({ alg: algorithm, typ: 'at+jwt', kid: expect.stringMatching(/^[\w-]{43}$/) });
    expect((await me(server, token)).status).toBe(200);
  });

  it('are verified by another service with the key the JWKS publishes, which holds no private member', async () => {
    const response = await jwksOf(server);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const published = response.body.keys as Jwk[];
    expect(published).toEqual([expect.objectContaining({ kid: decode(token).header.kid, use: 'sig', alg: algorithm })]);
    for (const member of PRIVATE_MEMBERS) expect(published[0]).not.toHaveProperty(member);
    expect(verifiesWithJwks(token, published)).toBe(true);
  });

  it('are verified by jose, as a resource server would, with the RFC 9068 profile', async () => {
    const keySet = createLocalJWKSet((await jwksOf(server)).body as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(token, keySet, {
      algorithms: [algorithm],
      issuer: 'http://localhost:3000',
      audience: 'auth-service',
      typ: 'at+jwt',
      requiredClaims: ['sub', 'client_id', 'iat', 'exp', 'jti'],
    });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ client_id: 'auth-service', role: 'USER', sid: expect.any(String) });
    await expect(jwtVerify(token, keySet, { issuer: 'https://elsewhere.example.com' })).rejects.toThrow();
  });

  it('accepts a token signed elsewhere with the same key and kid', async () => {
    const { header, claims } = decode(token);
    expect(
      (await me(server, signJws({ ...header, alg: algorithm }, { ...claims, jti: randomUUID() }, keys.privateKey)))
        .status,
    ).toBe(200);
  });

  it('refuses a token without a kid, with an unknown kid, or with its kid but signed by another key', async () => {
    const { header, claims } = decode(token);
    const stranger = generateKeys().privateKey;
    const { kid: _kid, ...headerWithoutKid } = header;
    await expectRefused(server, signJws({ ...headerWithoutKid, alg: algorithm }, claims, keys.privateKey));
    await expectRefused(server, signJws({ ...header, alg: algorithm, kid: jwkThumbprint(stranger) }, claims, stranger));
    await expectRefused(server, signJws({ ...header, alg: algorithm }, claims, stranger));
  });

  it('refuses alg none and a token MACed with the public key as an HS256 secret (algorithm confusion)', async () => {
    const { header, claims } = decode(token);
    await expectRefused(server, `${base64url({ ...header, alg: 'none' })}.${base64url(claims)}.`);
    const publicPem = pem(keys.publicKey);
    await expectRefused(server, signJws({ ...header, alg: 'HS256' }, claims, publicPem));
    const { kid: _kid, ...headerWithoutKid } = header;
    await expectRefused(server, signJws({ ...headerWithoutKid, alg: 'HS256' }, claims, publicPem));
  });
});

describe('JWKS with HS256', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 404 problem details: a shared secret is never published', async () => {
    const response = await jwksOf(app.getHttpServer());
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('NOT_FOUND');
    expect(response.headers['cache-control']).toBeUndefined();
  });
});

describe('Key rotation, one roll-out after another', () => {
  // The old key is RSA and the new one Ed25519: each key stays pinned to its own algorithm.
  const oldKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const newKey = generateKeyPairSync('ed25519');

  /**
   * Passport keeps one 'jwt' strategy per process, so the bearer check is the last started app's:
   * each step runs its instance alone and closes it, as a roll-out replaces instances.
   */
  async function withInstance<T>(env: Record<string, string>, step: (server: Server) => Promise<T>): Promise<T> {
    const app = await startTestApp({ env });
    try {
      return await step(app.getHttpServer());
    } finally {
      await app.close();
    }
  }

  const kidsOf = async (server: Server) =>
    ((await jwksOf(server)).body.keys as Jwk[]).map(({ kid, alg }) => ({ kid, alg }));

  it('publishes the next key first, accepts the old key until it is removed, then refuses it', async () => {
    const oldKid = { kid: jwkThumbprint(oldKey.publicKey), alg: 'RS256' };
    const newKid = { kid: jwkThumbprint(newKey.publicKey), alg: 'EdDSA' };

    // 1. The next key is published and accepted before any token uses it.
    const oldToken = await withInstance(
      { JWT_ALGORITHM: 'RS256', JWT_SIGNING_KEY: pem(oldKey.privateKey), JWT_VERIFICATION_KEYS: pem(newKey.publicKey) },
      async (server) => {
        expect(await kidsOf(server)).toEqual([oldKid, newKid]);
        return signIn(server);
      },
    );
    expect(decode(oldToken).header.kid).toBe(oldKid.kid);

    // 2. The next key signs; the old one only verifies, so its tokens stay valid until they expire.
    await withInstance(
      { JWT_ALGORITHM: 'EdDSA', JWT_SIGNING_KEY: pem(newKey.privateKey), JWT_VERIFICATION_KEYS: pem(oldKey.publicKey) },
      async (server) => {
        const newToken = await signIn(server);
        expect(decode(newToken).header.kid).toBe(newKid.kid);
        expect((await me(server, oldToken)).status).toBe(200);
        expect((await me(server, newToken)).status).toBe(200);
        const published = (await jwksOf(server)).body.keys as Jwk[];
        expect(await kidsOf(server)).toEqual([newKid, oldKid]);
        expect(verifiesWithJwks(oldToken, published)).toBe(true);
        expect(verifiesWithJwks(newToken, published)).toBe(true);
      },
    );

    // 3. The old key is removed: its tokens are refused.
    await withInstance({ JWT_ALGORITHM: 'EdDSA', JWT_SIGNING_KEY: pem(newKey.privateKey) }, async (server) => {
      expect(await kidsOf(server)).toEqual([newKid]);
      await expectRefused(server, oldToken);
    });
  });
});
