/** RFC 6238 codes through the otpauth library: SHA-1, 6 digits, 30 s steps, one step of drift either way. */
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
const DRIFT_STEPS = 1;
// RFC 4226 section 4 asks for at least 128 bits; 160 is what SHA-1 keys are.
const SECRET_BYTES = 20;

/** A new random secret, as the raw bytes to seal. */
export function newTotpSecret(): Buffer {
  return Buffer.from(new Secret({ size: SECRET_BYTES }).bytes);
}

export function base32Of(secret: Buffer): string {
  return new Secret({ buffer: Uint8Array.from(secret).buffer }).base32;
}

/** The otpauth:// URI authenticator apps read (from a QR code or typed in). */
export function totpUri(secret: Buffer, issuer: string, account: string): string {
  return totpOf(secret, issuer, account).toString();
}

/**
 * The 30 s time step `code` belongs to at `now`, within one step of drift; undefined when it is not
 * a valid code. Accepting only steps later than the last accepted one refuses replays.
 */
export function stepOfCode(secret: Buffer, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const timestamp = now.getTime();
  const delta = totpOf(secret).validate({ token: code, timestamp, window: DRIFT_STEPS });
  if (delta === null) return undefined;
  return Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta;
}

/** The code of `now` (for tests and for the enrolment page of an operator). */
export function codeAt(secret: Buffer, now: Date): string {
  return totpOf(secret).generate({ timestamp: now.getTime() });
}

function totpOf(secret: Buffer, issuer = '', account = ''): TOTP {
  return new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: new Secret({ buffer: Uint8Array.from(secret).buffer }),
  });
}
