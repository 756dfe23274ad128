/** MFA_*: the key ring of the TOTP secrets at rest, the issuer authenticator apps show, and the step-up window. */
import { createHash } from 'node:crypto';
import { Role } from '../generated/prisma/enums';
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { weaknessOfSecret } from './secret-strength';

const KEY_BYTES = 32;
const GENERATE_KEY_HINT = 'generate one with: openssl rand -base64 32';

export interface MfaEncryptionKey {
  /** The first 8 bytes of the key's SHA-256: stored beside each sealed secret to find its key. */
  readonly id: Buffer;
  readonly key: Buffer;
}

export interface MfaConfig {
  /** Seals every new or re-sealed secret. */
  readonly encryptionKey: MfaEncryptionKey;
  /** Still open secrets sealed before a rotation. */
  readonly previousEncryptionKeys: readonly MfaEncryptionKey[];
  readonly issuer: string;
  readonly stepUpMaxAgeSeconds: number;
  /** Accounts in these roles get nothing but enrolment until their session carries a second factor. */
  readonly requiredRoles: readonly Role[];
}

export function readMfaConfig(read: EnvironmentReader, production: boolean): MfaConfig {
  const variable = VARIABLES.MFA_ENCRYPTION_KEY;
  const configured = read.raw(variable);
  if (configured === undefined && production) {
    read.problems.push(
      `MFA_ENCRYPTION_KEY is required in production (${KEY_BYTES} random bytes, base64 or hex); ${GENERATE_KEY_HINT}`,
    );
  }
  if (configured !== undefined && production) {
    const weakness = weaknessOfSecret(configured);
    if (weakness !== undefined) read.fail(variable, `${weakness}; ${GENERATE_KEY_HINT}`, undefined);
  }
  const current = decodeKey(configured ?? variable.defaultOutsideProduction);
  if (current === undefined) read.fail(variable, `must be ${KEY_BYTES} bytes in base64 or hex`, undefined);

  const previous = (read.raw(VARIABLES.MFA_ENCRYPTION_PREVIOUS_KEYS) ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const key = decodeKey(entry);
      if (key === undefined) {
        read.fail(
          VARIABLES.MFA_ENCRYPTION_PREVIOUS_KEYS,
          `entry ${index + 1} must be ${KEY_BYTES} bytes in base64 or hex`,
          undefined,
        );
      }
      return key;
    })
    .filter((key): key is MfaEncryptionKey => key !== undefined);

  return {
    // Not a key only when a problem was recorded: loadAppConfig then throws before anyone reads it.
    encryptionKey: current as MfaEncryptionKey,
    previousEncryptionKeys: previous,
    issuer: read.text(VARIABLES.MFA_ISSUER),
    stepUpMaxAgeSeconds: read.durationSeconds(VARIABLES.MFA_STEP_UP_MAX_AGE),
    requiredRoles: readRequiredRoles(read),
  };
}

function readRequiredRoles(read: EnvironmentReader): Role[] {
  const roles = (read.optionalText(VARIABLES.MFA_REQUIRED_ROLES) ?? '')
    .split(',')
    .map((role) => role.trim().toUpperCase())
    .filter((role) => role !== '');
  const known = Object.values(Role) as string[];
  for (const role of roles.filter((candidate) => !known.includes(candidate))) {
    read.fail(VARIABLES.MFA_REQUIRED_ROLES, `names an unknown role "${role}" (roles: ${known.join(', ')})`, undefined);
  }
  return [...new Set(roles.filter((role): role is Role => known.includes(role)))];
}

/** 32 bytes written as 64 hex digits or as base64 (padded or not, standard or URL alphabet). */
function decodeKey(text: string): MfaEncryptionKey | undefined {
  const key = /^[0-9a-f]{64}$/i.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  if (key?.length !== KEY_BYTES) return undefined;
  return { id: createHash('sha256').update(key).digest().subarray(0, 8), key };
}
