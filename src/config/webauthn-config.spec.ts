import { loadAppConfig } from './app-config';
import { configProblemsOf as problemsOf } from './config-problems.fake';

const base = { DATABASE_URL: 'postgresql://localhost/auth' };

describe('loadAppConfig: passkeys (WEBAUTHN_*)', () => {
  it('binds passkeys to the host and origin of PUBLIC_URL when unset', () => {
    const config = loadAppConfig({ ...base, PUBLIC_URL: 'https://login.example.com/app' });
    expect(config.webauthn).toEqual({
      rpId: 'login.example.com',
      rpName: 'Auth Service',
      origins: ['https://login.example.com'],
    });
  });

  it('accepts origins on the RP ID and under it', () => {
    const config = loadAppConfig({
      ...base,
      WEBAUTHN_RP_ID: 'Example.com',
      WEBAUTHN_ORIGINS: 'https://example.com,https://app.example.com:8443',
    });
    expect(config.webauthn).toMatchObject({
      rpId: 'example.com',
      origins: ['https://example.com', 'https://app.example.com:8443'],
    });
  });

  it('refuses at boot an origin a browser would not run a ceremony for, and an RP ID that is not a domain', () => {
    expect(
      problemsOf({
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://example.com.evil.net,https://notexample.com',
      }),
    ).toEqual([
      'WEBAUTHN_ORIGINS gives the origin https://example.com.evil.net, outside the relying party ID example.com (its host must be example.com or end in .example.com)',
      'WEBAUTHN_ORIGINS gives the origin https://notexample.com, outside the relying party ID example.com (its host must be example.com or end in .example.com)',
    ]);
    expect(problemsOf({ WEBAUTHN_RP_ID: '127.0.0.1', PUBLIC_URL: 'http://127.0.0.1:3000' })).toContainEqual(
      expect.stringContaining('WEBAUTHN_RP_ID must be a domain'),
    );
    // Unset beside a PUBLIC_URL on an address: the service boots (passkeys just cannot work there).
    expect(problemsOf({ PUBLIC_URL: 'http://10.0.0.5:3000' })).toEqual([]);
    expect(problemsOf({ WEBAUTHN_RP_ID: 'https://example.com' })).toContainEqual(
      expect.stringContaining('WEBAUTHN_RP_ID must be a domain'),
    );
  });
});
