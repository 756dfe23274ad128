/**
 * Hashes and verifies passwords with bcrypt behind an HMAC pre-hash.
 *
 * Why the pre-hash: bcrypt reads at most 72 bytes and stops at a NUL byte, so two long passwords
 * sharing their first 72 bytes (or a password with an embedded NUL) would verify against each other.
 * HMAC-SHA-256 in base64 is always 44 printable ASCII bytes, so every password keeps all its entropy.
 * The pepper keys that HMAC and is kept out of the database, so a leaked table alone cannot be cracked.
 * The pepper must never change: every stored hash depends on it, and changing it locks out every user.
 */
import { OnApplicationBootstrap } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { createHmac, randomBytes } from 'node:crypto';

export interface PasswordHashingOptions {
  /** bcrypt cost factor (log2 of the rounds), 4 to 31. */
  readonly cost: number;
  /** Key of the HMAC pre-hash; see the note at the top of this file before changing it. */
  readonly pepper: Buffer;
}

const BCRYPT_HASH = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/** Provided by PasswordsModule from the configuration (BCRYPT_COST, PASSWORD_PEPPER). */
export class PasswordHasher implements OnApplicationBootstrap {
  private readonly cost: number;
  private readonly pepper: Buffer;
  private dummyHash?: Promise<string>;

  constructor(options: PasswordHashingOptions) {
    if (!Number.isInteger(options.cost) || options.cost < 4 || options.cost > 31) {
      throw new RangeError(`bcrypt cost must be an integer from 4 to 31 (got ${options.cost})`);
    }
    if (options.pepper.length === 0) throw new RangeError('The password pepper must not be empty');
    this.cost = options.cost;
    this.pepper = options.pepper;
  }

  /** Made at boot, in the background: otherwise the first unknown-email login would pay for it and stand out. */
  onApplicationBootstrap(): void {
    void this.getDummyHash().catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(this.preHash(password), this.cost);
  }

  /**
   * False for a wrong password, for a stored hash that is not a bcrypt hash, and for an account without
   * a password (null: made by single sign-on), which costs the same as a wrong one; never throws.
   */
  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null) return this.verifyAgainstDummy(password);
    try {
      return await bcrypt.compare(this.preHash(password), hash);
    } catch {
      return false;
    }
  }

  /** Costs as much as a failed `verify`, so a login for an unknown account cannot be told apart by its timing. */
  async verifyAgainstDummy(password: string): Promise<false> {
    await bcrypt.compare(this.preHash(password), await this.getDummyHash());
    return false;
  }

  /** True when the hash was made at another cost (or is not a bcrypt hash): rehash after the next successful login. */
  needsRehash(hash: string): boolean {
    const match = BCRYPT_HASH.exec(hash);
    return match === null || Number(match[1]) !== this.cost;
  }

  private preHash(password: string): string {
    return createHmac('sha256', this.pepper).update(password.normalize('NFKC'), 'utf8').digest('base64');
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(randomBytes(32).toString('base64'), this.cost).catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    return this.dummyHash;
  }
}
