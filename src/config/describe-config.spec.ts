import { generateKeyPairSync } from 'node:crypto';
import { VARIABLES } from './config-variables';
import { describeConfig, MASK } from './describe-config';

const ed25519 = generateKeyPairSync('ed25519');
const SECRET_VALUES = {
  DATABASE_URL: 'postgresql://app:db-hunter2@db.internal:5432/auth',
  REDIS_URL: 'rediss://:redis-hunter2@cache.internal:6380',
  JWT_ACCESS_SECRET: 'Zq8!rT2#vL9@pW4$kM7%nB1^xC6&yD3*',
  JWT_SIGNING_KEY: ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  JWT_VERIFICATION_KEYS: ed25519.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  PASSWORD_PEPPER: 'Xb2vN8qLk4Tz9sWm1RyH6cJd3FgP7aEu',
  MFA_ENCRYPTION_KEY: 'c3rP9vQ2xL7mN4bT8kW1yH6jF3dS0aZ5eR2uI9oP7lM=',
  MFA_ENCRYPTION_PREVIOUS_KEYS: '7d1f0c4e9a2b6d8f3e5a1c7b9d0f2e4a6c8b1d3f5e7a9c0b2d4f6e8a1c3b5d7f',
  ADMIN_PASSWORD: 'velvet-otter-climbs-quietly',
  SMTP_URL: 'smtps://mailer:smtp-hunter2@mail.example.com:465',
  AUDIT_WEBHOOK_URL: 'https://siem:webhook-hunter2@siem.example.com/ingest',
  AUDIT_WEBHOOK_SECRET: 'Qm4!tV8#zK2@rW6$nP9%hB3^sL7&dF1*',
  OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=otlp-hunter2',
  SSO_PROVIDERS: JSON.stringify([
    { name: 'corp', issuer: 'https://idp.example.com', clientId: 'auth-service', clientSecret: 'sso-hunter2' },
  ]),
};

const entryOf = (env: Record<string, string>, name: string) => describeConfig(env).find((entry) => entry.name === name);

describe('describeConfig', () => {
  it('lists every declared variable once, in declaration order', () => {
    expect(describeConfig({}).map((entry) => entry.name)).toEqual(Object.keys(VARIABLES));
  });

  it('says whether each value was set, defaulted or left unset', () => {
    const env = { PORT: ' 8080 ', NODE_ENV: 'test' };
    expect(entryOf(env, 'PORT')).toEqual({ name: 'PORT', source: 'set', value: '8080' });
    expect(entryOf(env, 'HOST')).toEqual({ name: 'HOST', source: 'default', value: '0.0.0.0' });
    expect(entryOf(env, 'LOG_LEVEL')).toEqual({ name: 'LOG_LEVEL', source: 'default', value: 'warn' });
    expect(entryOf(env, 'CORS_ORIGINS')).toEqual({ name: 'CORS_ORIGINS', source: 'unset', value: undefined });
  });

  it('flags as secret every variable that holds a credential or key', () => {
    const secrets = Object.values(VARIABLES).filter((variable) => variable.secret);
    expect(secrets.map((variable) => variable.name).sort()).toEqual(Object.keys(SECRET_VALUES).sort());
  });

  it('masks every secret, set or defaulted, and shows no part of its value', () => {
    const described = describeConfig({ ...SECRET_VALUES, JWT_ALGORITHM: 'EdDSA', ADMIN_EMAIL: 'root@example.com' });
    const text = JSON.stringify(described);
    for (const value of Object.values(SECRET_VALUES)) expect(text).not.toContain(value);
    for (const fragment of ['hunter2', 'PRIVATE KEY', 'velvet', 'Zq8!']) expect(text).not.toContain(fragment);
    for (const name of Object.keys(SECRET_VALUES)) {
      expect(described.find((entry) => entry.name === name)).toEqual({ name, source: 'set', value: MASK });
    }
    expect(described.find((entry) => entry.name === 'ADMIN_EMAIL')?.value).toBe('root@example.com');
  });

  it('masks the development pepper too, and leaves it out in production', () => {
    expect(entryOf({}, 'PASSWORD_PEPPER')).toEqual({ name: 'PASSWORD_PEPPER', source: 'default', value: MASK });
    expect(JSON.stringify(describeConfig({}))).not.toContain('prehash');
    expect(entryOf({ NODE_ENV: 'production' }, 'PASSWORD_PEPPER')).toMatchObject({ source: 'unset' });
  });
});
