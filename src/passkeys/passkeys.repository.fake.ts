import { randomUUID } from 'node:crypto';
import type { Passkey } from '../generated/prisma/client';
import type { WebauthnCeremony } from '../generated/prisma/enums';
import type { Transaction } from '../prisma/transaction';
import type {
  AccountCredentials,
  IssuedChallenge,
  NewPasskey,
  NewWebauthnChallenge,
  PasskeyUse,
} from './passkeys.repository';

interface StoredChallenge extends NewWebauthnChallenge {
  readonly id: string;
}

/** PasskeysRepository in memory, for unit specs: the same conditions, without SQL. */
export class InMemoryPasskeysRepository {
  readonly passkeys = new Map<string, Passkey>();
  readonly challenges = new Map<string, StoredChallenge>();

  constructor(private readonly emails: (email: string) => string | undefined = () => undefined) {}

  insert(_transaction: Transaction, passkey: NewPasskey): Promise<Passkey | undefined> {
    if ([...this.passkeys.values()].some((stored) => stored.credentialId === passkey.credentialId)) {
      return Promise.resolve(undefined);
    }
    const stored: Passkey = {
      ...passkey,
      id: randomUUID(),
      publicKey: Uint8Array.from(passkey.publicKey),
      signCount: BigInt(passkey.signCount),
      transports: [...passkey.transports],
      lastUsedAt: null,
    };
    this.passkeys.set(stored.id, stored);
    return Promise.resolve(stored);
  }

  listForUser(userId: string): Promise<Passkey[]> {
    return Promise.resolve([...this.passkeys.values()].filter((passkey) => passkey.userId === userId));
  }

  async countForUser(userId: string): Promise<number> {
    return (await this.listForUser(userId)).length;
  }

  async listForEmail(email: string): Promise<AccountCredentials | undefined> {
    const userId = this.emails(email);
    if (!userId) return undefined;
    return { userId, passkeys: await this.listForUser(userId) };
  }

  findByCredentialId(credentialId: string): Promise<Passkey | null> {
    return Promise.resolve(
      [...this.passkeys.values()].find((passkey) => passkey.credentialId === credentialId) ?? null,
    );
  }

  rename(_transaction: Transaction, userId: string, id: string, name: string): Promise<Passkey | undefined> {
    const passkey = this.passkeys.get(id);
    if (passkey?.userId !== userId) return Promise.resolve(undefined);
    passkey.name = name;
    return Promise.resolve({ ...passkey });
  }

  delete(_transaction: Transaction, userId: string, id: string): Promise<Pick<Passkey, 'id' | 'name'> | undefined> {
    const passkey = this.passkeys.get(id);
    if (passkey?.userId !== userId) return Promise.resolve(undefined);
    this.passkeys.delete(id);
    return Promise.resolve({ id, name: passkey.name });
  }

  async deleteAllForUser(_transaction: Transaction, userId: string): Promise<number> {
    const owned = await this.listForUser(userId);
    for (const passkey of owned) this.passkeys.delete(passkey.id);
    return owned.length;
  }

  recordUse(_transaction: Transaction, use: PasskeyUse): Promise<boolean> {
    const passkey = this.passkeys.get(use.id);
    const stored = passkey ? Number(passkey.signCount) : 0;
    if (!passkey || !(passkey.backupEligible || stored < use.signCount || (stored === 0 && use.signCount === 0))) {
      return Promise.resolve(false);
    }
    Object.assign(passkey, {
      signCount: BigInt(Math.max(stored, use.signCount)),
      backedUp: use.backedUp,
      lastUsedAt: use.at,
    });
    return Promise.resolve(true);
  }

  insertChallenge(challenge: NewWebauthnChallenge): Promise<string> {
    const id = randomUUID();
    this.challenges.set(id, { ...challenge, id });
    return Promise.resolve(id);
  }

  consumeChallenge(
    ceremony: WebauthnCeremony,
    by: { readonly id: string } | { readonly challenge: string; readonly userId: string },
    now: Date,
  ): Promise<IssuedChallenge | undefined> {
    const found = [...this.challenges.values()].find(
      (stored) =>
        stored.ceremony === ceremony &&
        stored.expiresAt > now &&
        ('id' in by ? stored.id === by.id : stored.challenge === by.challenge && stored.userId === by.userId),
    );
    if (!found) return Promise.resolve(undefined);
    this.challenges.delete(found.id);
    return Promise.resolve({ challenge: found.challenge, userId: found.userId });
  }
}
