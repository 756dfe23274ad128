import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';

/** The asymmetric JWS algorithms access tokens can be signed with, and the key each needs. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'EdDSA'] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/** RSA under 2048 bits is below 112-bit security (NIST SP 800-57) and refused by RFC 7518 section 3.3. */
export const MIN_RSA_MODULUS_BITS = 2048;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** What each algorithm needs of its key, as said in configuration problems. */
export const KEY_REQUIREMENT: Record<AsymmetricAlgorithm, string> = {
  RS256: `an RSA key of at least ${MIN_RSA_MODULUS_BITS} bits`,
  EdDSA: 'an Ed25519 key',
};

/** The algorithm a key is pinned to, or undefined when it fits none (wrong type, RSA too short). */
export function algorithmOfKey(key: KeyObject): AsymmetricAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  const rsaBits = key.asymmetricKeyType === 'rsa' ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 0;
  return rsaBits >= MIN_RSA_MODULUS_BITS ? 'RS256' : undefined;
}

/** A key's type and size for a problem message; never its material. */
export function describeKey(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return `a ${key.asymmetricKeyDetails?.modulusLength}-bit RSA key`;
  return `a key of type ${key.asymmetricKeyType ?? 'secret'}`;
}

/** Env files often hold a PEM on one line with literal `\n` escapes. */
function unescapeNewlines(value: string): string {
  return value.replace(/\\n/g, '\n');
}

/** The private key of one PEM (PKCS#8, or PKCS#1 for RSA) that fits the algorithm, or why not. */
export function parseSigningKeyPem(value: string, algorithm: AsymmetricAlgorithm): KeyObject | { problem: string } {
  let key: KeyObject;
  try {
    key = createPrivateKey(unescapeNewlines(value));
  } catch {
    return { problem: 'must be an unencrypted PEM private key (PKCS#8, or PKCS#1 for RSA)' };
  }
  if (algorithmOfKey(key) !== algorithm) {
    return { problem: `must be ${KEY_REQUIREMENT[algorithm]} for ${algorithm} (got ${describeKey(key)})` };
  }
  return key;
}

/**
 * The public keys of one or more concatenated PEM blocks (public keys, or private keys whose
 * public half is taken), each RSA or Ed25519, and the problems found, naming blocks by position.
 */
export function parseVerificationKeyPems(value: string): { keys: KeyObject[]; problems: string[] } {
  const text = unescapeNewlines(value);
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => match[0]);
  if (blocks.length === 0) return { keys: [], problems: ['must hold one or more PEM keys'] };
  if (text.replace(PEM_BLOCK, '').trim() !== '') {
    return { keys: [], problems: ['must hold only PEM keys, one after another'] };
  }
  const keys: KeyObject[] = [];
  const problems: string[] = [];
  blocks.forEach((block, index) => {
    let key: KeyObject;
    try {
      key = createPublicKey(block);
    } catch {
      problems.push(`key ${index + 1} is not a readable PEM public or private key`);
      return;
    }
    if (algorithmOfKey(key) === undefined) {
      const expected = `${KEY_REQUIREMENT.RS256} or ${KEY_REQUIREMENT.EdDSA}`;
      problems.push(`key ${index + 1} must be ${expected} (got ${describeKey(key)})`);
    } else {
      keys.push(key);
    }
  });
  return { keys, problems };
}
