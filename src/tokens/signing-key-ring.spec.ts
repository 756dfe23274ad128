import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { jwkThumbprint, SigningKeyRing } from './signing-key-ring';

// RFC 7638 section 3.1: this RSA key's thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
const RFC_7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
    'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5h' +
    'ajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

describe('jwkThumbprint', () => {
  it('gives the RFC 7638 example its published thumbprint', () => {
    const key = createPublicKey({ key: RFC_7638_KEY, format: 'jwk' });
    expect(jwkThumbprint(key)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('gives a private key the thumbprint of its public half', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    expect(jwkThumbprint(privateKey)).toBe(jwkThumbprint(publicKey));
    expect(jwkThumbprint(publicKey)).toMatch(/^[\w-]{43}$/);
  });
});

describe('SigningKeyRing', () => {
  const ed25519 = generateKeyPairSync('ed25519');
  const previousEd25519 = generateKeyPairSync('ed25519');
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('signs with its signing key, named by thumbprint, and accepts every verification key by its own', () => {
    const ring = new SigningKeyRing({
      algorithm: 'EdDSA',
      signingKey: ed25519.privateKey,
      verificationKeys: [previousEd25519.publicKey, rsa.privateKey],
    });
    expect(ring.signingKid).toBe(jwkThumbprint(ed25519.publicKey));
    expect(ring.signingAlgorithm).toBe('EdDSA');
    expect([...ring.keys.values()].map(({ kid, algorithm }) => ({ kid, algorithm }))).toEqual([
      { kid: ring.signingKid, algorithm: 'EdDSA' },
      { kid: jwkThumbprint(previousEd25519.publicKey), algorithm: 'EdDSA' },
      // Each key keeps its own algorithm: a ring moving from RS256 to EdDSA accepts both.
      { kid: jwkThumbprint(rsa.publicKey), algorithm: 'RS256' },
    ]);
  });

  it('lists a key configured twice once', () => {
    const ring = new SigningKeyRing({
      algorithm: 'RS256',
      signingKey: rsa.privateKey,
      verificationKeys: [rsa.publicKey, rsa.publicKey],
    });
    expect([...ring.keys.keys()]).toEqual([jwkThumbprint(rsa.publicKey)]);
  });

  it('publishes public members only, as RFC 7517 names them', () => {
    const ring = new SigningKeyRing({
      algorithm: 'RS256',
      signingKey: rsa.privateKey,
      verificationKeys: [ed25519.privateKey],
    });
    const [rsaJwk, okpJwk] = ring.publicJwks();
    expect(rsaJwk).toEqual({
      kty: 'RSA',
      kid: jwkThumbprint(rsa.publicKey),
      use: 'sig',
      alg: 'RS256',
      n: rsa.publicKey.export({ format: 'jwk' }).n,
      e: 'AQAB',
    });
    expect(okpJwk).toEqual({
      kty: 'OKP',
      kid: jwkThumbprint(ed25519.publicKey),
      use: 'sig',
      alg: 'EdDSA',
      crv: 'Ed25519',
      x: ed25519.publicKey.export({ format: 'jwk' }).x,
    });
    for (const jwk of [rsaJwk, okpJwk]) {
      for (const member of PRIVATE_MEMBERS) expect(jwk).not.toHaveProperty(member);
    }
  });
});
