import { createHash } from 'node:crypto';

/** A counter's key: a hash, so Redis never holds an email, an address or an account id. */
export function lockoutKeyOf(identity: string): string {
  return createHash('sha256').update(identity).digest('base64url');
}
