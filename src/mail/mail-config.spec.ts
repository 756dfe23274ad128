import { loadAppConfig } from '../config/app-config';
import { ConfigValidationError } from '../config/config-validation.error';

const DATABASE_URL = 'postgresql://app@localhost:5432/auth';

describe('loadAppConfig: mail and account tokens', () => {
  it('defaults to the log transport, local links, 30 min resets, 24 h verification, login without verification', () => {
    const config = loadAppConfig({ DATABASE_URL });
    expect(config.mail).toEqual({
      smtpUrl: undefined,
      from: 'Auth Service <no-reply@localhost>',
      publicUrl: 'http://localhost:3000',
    });
    expect(config.accountTokens).toEqual({
      requireVerifiedEmail: false,
      passwordResetTtlSeconds: 1800,
      emailVerificationTtlSeconds: 86400,
      servesPages: true,
    });
  });

  it('reads every variable, dropping a trailing slash from PUBLIC_URL', () => {
    const config = loadAppConfig({
      DATABASE_URL,
      SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      MAIL_FROM: 'Example <auth@example.com>',
      PUBLIC_URL: 'https://app.example.com/',
      REQUIRE_VERIFIED_EMAIL: 'true',
      PASSWORD_RESET_TTL: '15m',
      EMAIL_VERIFICATION_TTL: '2d',
      ACCOUNT_PAGES_ENABLED: 'false',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      from: 'Example <auth@example.com>',
      publicUrl: 'https://app.example.com',
    });
    expect(config.accountTokens).toEqual({
      requireVerifiedEmail: true,
      passwordResetTtlSeconds: 900,
      emailVerificationTtlSeconds: 172800,
      servesPages: false,
    });
  });

  it('refuses other URL schemes without echoing the SMTP password', () => {
    let problems: readonly string[] = [];
    try {
      loadAppConfig({ DATABASE_URL, SMTP_URL: 'http://user:hunter2@mail.example.com', PUBLIC_URL: 'ftp://x' });
    } catch (error) {
      if (error instanceof ConfigValidationError) problems = error.problems;
    }
    expect(problems).toEqual([
      'PUBLIC_URL must be a URL starting with http:// or https://',
      'SMTP_URL must be a URL starting with smtp:// or smtps://',
    ]);
    expect(problems.join()).not.toContain('hunter2');
  });
});
