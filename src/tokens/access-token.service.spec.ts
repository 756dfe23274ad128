import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { loadAppConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain.error';
import { AccessTokenService } from './access-token.service';
import { jwkThumbprint } from './signing-key-ring';

const config = (overrides: Record<string, string> = {}) =>
  loadAppConfig({
    DATABASE_URL: 'postgresql://localhost/auth',
    JWT_ACCESS_SECRET: 'unit-test-secret-that-is-longer-than-32-bytes',
    ...overrides,
  });

const codeOf = (action: () => unknown): string | undefined => {
  try {
    action();
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a DomainError';
  }
  return undefined;
};

describe('AccessTokenService', () => {
  const subject = {
    userId: 'user-1',
    sessionId: 'session-1',
    role: 'ADMIN' as const,
    amr: ['pwd'],
    authTime: new Date(),
  };

  it('issues a token it verifies, with the configured lifetime', () => {
    const service = new AccessTokenService(config({ JWT_ACCESS_TTL: '5m' }));
    const { token, expiresIn } = service.issue(subject);
    expect(expiresIn).toBe(300);
    const claims = service.verify(token);
    expect(claims).toMatchObject({
      sub: 'user-1',
      sid: 'session-1',
      role: 'ADMIN',
      iss: 'http://localhost:3000',
      aud: 'auth-service',
      client_id: 'auth-service',
    });
    expect(claims.exp - claims.iat).toBe(300);
  });

  it('gives every token its own jti', () => {
    const service = new AccessTokenService(config());
    expect(service.verify(service.issue(subject).token).jti).not.toBe(service.verify(service.issue(subject).token).jti);
  });

  it('refuses tokens of another secret, issuer or audience', () => {
    const token = new AccessTokenService(config()).issue(subject).token;
    expect(
      codeOf(() =>
        new AccessTokenService(config({ JWT_ACCESS_SECRET: 'a-different-secret-also-over-32-bytes-long' })).verify(
          token,
        ),
      ),
    ).toBe('INVALID_TOKEN');
    expect(
      codeOf(() => new AccessTokenService(config({ JWT_ISSUER: 'https://other.example.com' })).verify(token)),
    ).toBe('INVALID_TOKEN');
    expect(codeOf(() => new AccessTokenService(config({ JWT_AUDIENCE: 'other' })).verify(token))).toBe('INVALID_TOKEN');
  });

  it('answers TOKEN_EXPIRED once the lifetime and the clock tolerance have passed, also for a cached token', () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    try {
      const service = new AccessTokenService(config({ JWT_ACCESS_TTL: '60s' }));
      const { token } = service.issue(subject);
      jest.setSystemTime(new Date('2026-01-01T00:01:03Z'));
      // Verified once, so the same service now answers from its cache of verified tokens.
      expect(service.verify(token).sub).toBe('user-1');
      jest.setSystemTime(new Date('2026-01-01T00:01:10Z'));
      expect(codeOf(() => service.verify(token))).toBe('TOKEN_EXPIRED');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('AccessTokenService with a key ring', () => {
  const subject = {
    userId: 'user-1',
    sessionId: 'session-1',
    role: 'USER' as const,
    amr: ['pwd'],
    authTime: new Date(),
  };
  const pem = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const headerOf = (token: string): unknown => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

  it.each([
    ['RS256', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['EdDSA', generateKeyPairSync('ed25519').privateKey],
  ])('signs %s tokens naming their key, and verifies them', (algorithm, privateKey) => {
    const service = new AccessTokenService(config({ JWT_ALGORITHM: algorithm, JWT_SIGNING_KEY: pem(privateKey) }));
    const { token } = service.issue(subject);
    expect(headerOf(token)).toEqual({ alg: algorithm, typ: 'at+jwt', kid: jwkThumbprint(privateKey) });
    expect(service.verify(token)).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    expect(service.publicJwks().map((jwk) => jwk.kid)).toEqual([jwkThumbprint(privateKey)]);
  });

  it('publishes no keys for HS256', () => {
    expect(codeOf(() => new AccessTokenService(config()).publicJwks())).toBe('NOT_FOUND');
  });
});
