/** `rotate-keys`: the next access-token signing key and the settings of the README's three rotation steps. */
import { createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { jwkThumbprint } from '../tokens/signing-key-ring';
import {
  algorithmOfKey,
  ASYMMETRIC_ALGORITHMS,
  AsymmetricAlgorithm,
  parseVerificationKeyPems,
} from '../config/pem-keys';
import { COMMAND_HELP, CommandFailure, UsageError } from './cli-usage';

type Values = Record<string, string | boolean | undefined>;

// 3072 bits is NIST's 128-bit security level (SP 800-57), where Ed25519 already is.
const RSA_MODULUS_BITS = 3072;

export function rotateKeys(values: Values): number {
  const current =
    typeof values['current-key-file'] === 'string' ? readCurrentKey(values['current-key-file']) : undefined;
  const algorithm = algorithmFrom(values.algorithm, current);
  const next = generate(algorithm);
  const kid = jwkThumbprint(next.publicKey);
  const privatePem = next.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = next.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const currentPublicPem = current?.export({ type: 'spki', format: 'pem' }).toString();

  let signingKeyValue = envValue(privatePem);
  const lines = [`New ${algorithm} signing key, kid ${kid}`, ''];
  if (typeof values.out === 'string') {
    const dir = resolve(values.out);
    mkdirSync(dir, { recursive: true });
    const privatePath = join(dir, `signing-key-${kid}.pem`);
    const publicPath = join(dir, `public-key-${kid}.pem`);
    // wx: never overwrite a key file; 0600: only its owner reads the private key.
    writeFileSync(privatePath, privatePem, { mode: 0o600, flag: 'wx' });
    writeFileSync(publicPath, publicPem, { mode: 0o644, flag: 'wx' });
    lines.push(`Private key: ${privatePath} (mode 0600)`, `Public key:  ${publicPath}`, '');
    signingKeyValue = `<the contents of ${privatePath}, on one line: awk '{printf "%s\\\\n", $0}' ${privatePath}>`;
  }

  const currentKeyValue = currentPublicPem
    ? envValue(currentPublicPem)
    : '<the public key of your current JWT_SIGNING_KEY>';
  lines.push(
    'Step 1, publish the next key: add its public key to JWT_VERIFICATION_KEYS (after any keys it already',
    'holds), roll out to every instance, then wait 300 s for JWKS caches:',
    `JWT_VERIFICATION_KEYS=${envValue(publicPem)}`,
    '',
    'Step 2, sign with it: the new private key signs, the old key moves into JWT_VERIFICATION_KEYS in place of',
    'the new one; roll out:',
    `JWT_ALGORITHM=${algorithm}`,
    `JWT_SIGNING_KEY=${signingKeyValue}`,
    `JWT_VERIFICATION_KEYS=${currentKeyValue}`,
    '',
    'Step 3, once JWT_ACCESS_TTL has passed since step 2 finished: remove the old key from',
    'JWT_VERIFICATION_KEYS (unset it when it held only that key) and roll out.',
    '',
  );
  process.stdout.write(lines.join('\n'));
  return 0;
}

function readCurrentKey(path: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CommandFailure(
      `Cannot read --current-key-file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
  const { keys, problems } = parseVerificationKeyPems(text);
  if (problems.length > 0) throw new CommandFailure(`--current-key-file ${path}: ${problems.join('; ')}`);
  if (keys.length !== 1) throw new CommandFailure(`--current-key-file ${path} must hold exactly one key`);
  return keys[0];
}

function algorithmFrom(option: string | boolean | undefined, current: KeyObject | undefined): AsymmetricAlgorithm {
  if (option === undefined) return (current && algorithmOfKey(current)) || 'EdDSA';
  const algorithm = ASYMMETRIC_ALGORITHMS.find((name) => name.toLowerCase() === String(option).toLowerCase());
  if (!algorithm) {
    throw new UsageError(
      `--algorithm must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')} (got "${String(option)}")`,
      COMMAND_HELP['rotate-keys'],
    );
  }
  return algorithm;
}

function generate(algorithm: AsymmetricAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  const pair =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('rsa', { modulusLength: RSA_MODULUS_BITS, publicExponent: 0x10001 });
  return { privateKey: pair.privateKey, publicKey: createPublicKey(pair.privateKey) };
}

/** A PEM as one double-quoted env-file value with literal \n escapes, as the configuration reads it. */
function envValue(pem: string): string {
  return `"${pem.trim().replace(/\n/g, '\\n')}"`;
}
