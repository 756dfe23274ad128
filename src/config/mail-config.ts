import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

export interface MailConfig {
  /** smtp:// or smtps:// URL of the relay (credentials in it); unset: mail is written to the log instead. */
  readonly smtpUrl: string | undefined;
  /** The From header of every message, e.g. `Auth Service <no-reply@example.com>`. */
  readonly from: string;
  /** Base URL of the pages that take a mailed token (`/reset-password`, `/verify-email`), without a trailing slash. */
  readonly publicUrl: string;
}

export interface AccountTokensConfig {
  /** Refuse login (403 EMAIL_NOT_VERIFIED) until the account's email is verified. */
  readonly requireVerifiedEmail: boolean;
  /** A reset link grants the account: short, as OWASP's forgot-password cheat sheet advises. */
  readonly passwordResetTtlSeconds: number;
  /** Grants only "this address is mine": a day leaves time to open the mail. */
  readonly emailVerificationTtlSeconds: number;
  /** This service serves the pages the mailed links open; false when the web app at PUBLIC_URL does. */
  readonly servesPages: boolean;
}

export function readMailConfig(read: EnvironmentReader): MailConfig {
  const publicUrl = read.url(VARIABLES.PUBLIC_URL);
  return {
    smtpUrl: read.url(VARIABLES.SMTP_URL),
    from: read.text(VARIABLES.MAIL_FROM),
    publicUrl: publicUrl.replace(/\/+$/, ''),
  };
}

export function readAccountTokensConfig(read: EnvironmentReader): AccountTokensConfig {
  return {
    requireVerifiedEmail: read.boolean(VARIABLES.REQUIRE_VERIFIED_EMAIL),
    passwordResetTtlSeconds: read.durationSeconds(VARIABLES.PASSWORD_RESET_TTL),
    emailVerificationTtlSeconds: read.durationSeconds(VARIABLES.EMAIL_VERIFICATION_TTL),
    servesPages: read.boolean(VARIABLES.ACCOUNT_PAGES_ENABLED),
  };
}
