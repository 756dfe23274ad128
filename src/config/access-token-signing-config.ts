/** JWT_ALGORITHM and its keys: one shared HMAC secret, or a key ring whose public keys are published. */
import { KeyObject, randomBytes } from 'node:crypto';
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { AsymmetricAlgorithm, parseSigningKeyPem, parseVerificationKeyPems } from './pem-keys';
import { checkSecret } from './secret-config';
import { GENERATE_SECRET_HINT } from './secret-strength';
import { NodeEnvironment } from './variable-declaration';

/** One shared HMAC secret: only this service can check its tokens. */
export interface SharedSecretSigning {
  readonly algorithm: 'HS256';
  readonly secret: Buffer;
  /** True when no secret was configured and one was generated for this process (development and tests only). */
  readonly secretGenerated: boolean;
}

/** A key ring: other services check tokens themselves with the public keys published as a JWKS. */
export interface KeyRingSigning {
  readonly algorithm: AsymmetricAlgorithm;
  /** The private key that signs new tokens. */
  readonly signingKey: KeyObject;
  /** Public keys also accepted and published: the previous key after a rotation, or the next one before it. */
  readonly verificationKeys: readonly KeyObject[];
}

export function readAccessTokenSigning(
  read: EnvironmentReader,
  nodeEnv: NodeEnvironment,
): SharedSecretSigning | KeyRingSigning {
  const algorithm = read.oneOf(VARIABLES.JWT_ALGORITHM);
  if (algorithm !== 'HS256') return readKeyRing(read, algorithm);
  for (const variable of [VARIABLES.JWT_SIGNING_KEY, VARIABLES.JWT_VERIFICATION_KEYS]) {
    // Keys without the algorithm would silently leave tokens on HS256 and the JWKS empty.
    if (read.raw(variable) !== undefined) read.fail(variable, 'needs JWT_ALGORITHM set to RS256 or EdDSA', undefined);
  }
  return readSharedSecret(read, nodeEnv);
}

function readSharedSecret(read: EnvironmentReader, nodeEnv: NodeEnvironment): SharedSecretSigning {
  const variable = VARIABLES.JWT_ACCESS_SECRET;
  const configured = read.raw(variable);
  if (configured === undefined) {
    if (nodeEnv === 'production') {
      read.problems.push(
        `JWT_ACCESS_SECRET is required in production (at least ${variable.minBytes} random bytes); ${GENERATE_SECRET_HINT}`,
      );
    }
    return { algorithm: 'HS256', secret: randomBytes(variable.minBytes), secretGenerated: true };
  }
  checkSecret(read, variable, configured, nodeEnv === 'production');
  return { algorithm: 'HS256', secret: Buffer.from(configured, 'utf8'), secretGenerated: false };
}

function readKeyRing(read: EnvironmentReader, algorithm: AsymmetricAlgorithm): KeyRingSigning {
  const signingPem = read.raw(VARIABLES.JWT_SIGNING_KEY);
  const signingKey = signingPem === undefined ? undefined : parseSigningKeyPem(signingPem, algorithm);
  if (signingKey === undefined) {
    read.problems.push(`JWT_SIGNING_KEY is required when JWT_ALGORITHM is ${algorithm} (a PEM private key)`);
  } else if ('problem' in signingKey) {
    read.fail(VARIABLES.JWT_SIGNING_KEY, signingKey.problem, undefined);
  }

  const verificationPems = read.raw(VARIABLES.JWT_VERIFICATION_KEYS);
  const verification = verificationPems === undefined ? undefined : parseVerificationKeyPems(verificationPems);
  for (const problem of verification?.problems ?? []) read.fail(VARIABLES.JWT_VERIFICATION_KEYS, problem, undefined);

  return {
    algorithm,
    // Not a key only when a problem was recorded: loadAppConfig then throws before anyone reads it.
    signingKey: signingKey as KeyObject,
    verificationKeys: verification?.keys ?? [],
  };
}
