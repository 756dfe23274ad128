import { loadAppConfig } from './app-config';
import { configWarnings } from './config-warnings';

const DATABASE_URL = 'postgresql://localhost/auth';
const JWT_ACCESS_SECRET = 'b4q7XwM2vR9sK1pZ8nT3yL6cF0hJ5dGe';

describe('configWarnings', () => {
  it('has nothing to say about a configured secret and a precise TRUST_PROXY', () => {
    for (const TRUST_PROXY of ['false', '1', '10.0.0.0/8']) {
      expect(configWarnings(loadAppConfig({ DATABASE_URL, JWT_ACCESS_SECRET, TRUST_PROXY }))).toEqual([]);
    }
  });

  it('warns of a generated access-token secret', () => {
    expect(configWarnings(loadAppConfig({ DATABASE_URL }))).toEqual([
      'JWT_ACCESS_SECRET is unset: using a per-process secret, so tokens do not survive a restart',
    ]);
  });

  it('warns that TRUST_PROXY=true lets clients choose their address, and says what to set instead', () => {
    const [warning] = configWarnings(loadAppConfig({ DATABASE_URL, JWT_ACCESS_SECRET, TRUST_PROXY: 'true' }));
    expect(warning).toMatch(/^TRUST_PROXY=true believes every X-Forwarded-For entry/);
    expect(warning).toContain('(TRUST_PROXY=1)');
  });

  it('warns in production when the token issuer is the local default, and not once SERVICE_URL or JWT_ISSUER is set', () => {
    const production = {
      DATABASE_URL,
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: 'Zr3u9Qx1Lm7Kp2Vw8Ns4Tb6Yc0Hd5Fg=+/Aa',
      PASSWORD_PEPPER: 'Wq8e2Rt6Yu1Io5Pa9Sd3Fg7Hj0Kl4Zx=+/Bb',
      MFA_ENCRYPTION_KEY: 'c3rP9vQ2xL7mN4bT8kW1yH6jF3dS0aZ5eR2uI9oP7lM=',
    };
    expect(configWarnings(loadAppConfig(production))).toEqual([
      expect.stringMatching(/^SERVICE_URL is unset: access tokens name http:\/\/localhost:3000 as their issuer/),
    ]);
    expect(configWarnings(loadAppConfig({ ...production, SERVICE_URL: 'https://auth.example.com' }))).toEqual([]);
    expect(configWarnings(loadAppConfig({ ...production, JWT_ISSUER: 'https://auth.example.com' }))).toEqual([]);
  });
});
