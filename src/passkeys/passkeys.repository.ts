import { Injectable } from '@nestjs/common';
import type { Passkey } from '../generated/prisma/client';
import type { WebauthnCeremony } from '../generated/prisma/enums';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

export interface NewPasskey {
  readonly userId: string;
  readonly credentialId: string;
  readonly publicKey: Uint8Array<ArrayBuffer>;
  readonly signCount: number;
  readonly transports: readonly string[];
  readonly backupEligible: boolean;
  readonly backedUp: boolean;
  readonly aaguid: string;
  readonly name: string;
  readonly createdAt: Date;
}

export interface NewWebauthnChallenge {
  readonly ceremony: WebauthnCeremony;
  readonly challenge: string;
  readonly userId: string | null;
  readonly expiresAt: Date;
}

export interface AccountCredentials {
  readonly userId: string;
  readonly passkeys: readonly { readonly credentialId: string; readonly transports: string[] }[];
}

export interface IssuedChallenge {
  readonly challenge: string;
  readonly userId: string | null;
}

/** What an accepted assertion writes: the counter it reported and the backup state it showed. */
export interface PasskeyUse {
  readonly id: string;
  readonly signCount: number;
  readonly backedUp: boolean;
  readonly at: Date;
}

/**
 * The WebAuthn tables: passkeys (a user's credentials) and webauthn_challenges (the challenges handed
 * to browsers, each usable once).
 */
@Injectable()
export class PasskeysRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A new credential; undefined when its credential id is registered already (to anyone) or the user is gone. */
  async insert(transaction: Transaction, passkey: NewPasskey): Promise<Passkey | undefined> {
    const [inserted] = await clientOf(transaction).$queryRaw<{ id: string }[]>`
      INSERT INTO passkeys (id, user_id, credential_id, public_key, sign_count, transports, backup_eligible,
                            backed_up, aaguid, name, created_at)
      SELECT gen_random_uuid(), u.id, ${passkey.credentialId}, ${passkey.publicKey}, ${passkey.signCount},
             ${[...passkey.transports]}::text[], ${passkey.backupEligible}, ${passkey.backedUp},
             ${passkey.aaguid}::uuid, ${passkey.name}, ${passkey.createdAt}
      FROM users u WHERE u.id = ${passkey.userId}::uuid
      ON CONFLICT (credential_id) DO NOTHING
      RETURNING id`;
    if (!inserted) return undefined;
    return (await clientOf(transaction).passkey.findUnique({ where: { id: inserted.id } })) ?? undefined;
  }

  listForUser(userId: string): Promise<Passkey[]> {
    return this.prisma.passkey.findMany({ where: { userId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  countForUser(userId: string, transaction?: Transaction): Promise<number> {
    return (transaction ? clientOf(transaction) : this.prisma).passkey.count({ where: { userId } });
  }

  /** The account of an email and what an assertion of its passkeys needs; undefined for no account. */
  async listForEmail(email: string): Promise<AccountCredentials | undefined> {
    const rows = await this.prisma.$queryRaw<
      { userId: string; credentialId: string | null; transports: string[] | null }[]
    >`
      SELECT u.id AS "userId", p.credential_id AS "credentialId", p.transports
      FROM users u LEFT JOIN passkeys p ON p.user_id = u.id
      WHERE u.email = ${email}
      ORDER BY p.created_at, p.id`;
    if (rows.length === 0) return undefined;
    return {
      userId: rows[0].userId,
      passkeys: rows.flatMap(({ credentialId, transports }) =>
        credentialId === null ? [] : [{ credentialId, transports: transports ?? [] }],
      ),
    };
  }

  findByCredentialId(credentialId: string): Promise<Passkey | null> {
    return this.prisma.passkey.findUnique({ where: { credentialId } });
  }

  async rename(transaction: Transaction, userId: string, id: string, name: string): Promise<Passkey | undefined> {
    const [renamed] = await clientOf(transaction).passkey.updateManyAndReturn({
      where: { id, userId },
      data: { name },
    });
    return renamed;
  }

  /** Deletes one of the user's passkeys; undefined when it is not theirs or already gone. */
  async delete(
    transaction: Transaction,
    userId: string,
    id: string,
  ): Promise<Pick<Passkey, 'id' | 'name'> | undefined> {
    const [deleted] = await clientOf(transaction).$queryRaw<Pick<Passkey, 'id' | 'name'>[]>`
      DELETE FROM passkeys WHERE id = ${id}::uuid AND user_id = ${userId}::uuid RETURNING id, name`;
    return deleted;
  }

  /** Every passkey of the user (an admin's reset of their second factors); how many there were. */
  async deleteAllForUser(transaction: Transaction, userId: string): Promise<number> {
    const { count } = await clientOf(transaction).passkey.deleteMany({ where: { userId } });
    return count;
  }

  /**
   * Records an accepted assertion only if the passkey still exists and its counter moves forward: of
   * two assertions reporting the same counter (a cloned authenticator, or one assertion twice) exactly
   * one is recorded. A counter of 0 that stays 0 is the authenticator keeping none, and is recorded;
   * so is any counter of a synced passkey (backup eligible), whose copies count apart.
   */
  async recordUse(transaction: Transaction, use: PasskeyUse): Promise<boolean> {
    const count = await clientOf(transaction).$executeRaw`
      UPDATE passkeys
      SET sign_count = GREATEST(sign_count, ${use.signCount}), backed_up = ${use.backedUp}, last_used_at = ${use.at}
      WHERE id = ${use.id}::uuid
        AND (backup_eligible OR sign_count < ${use.signCount} OR (sign_count = 0 AND ${use.signCount} = 0))`;
    return count === 1;
  }

  /** One statement, atomic on its own; the challenge's id. */
  async insertChallenge(challenge: NewWebauthnChallenge): Promise<string> {
    const { id } = await this.prisma.webauthnChallenge.create({ data: challenge, select: { id: true } });
    return id;
  }

  /**
   * Deletes a challenge still valid at `now` and returns it: of two uses of one challenge exactly one
   * gets it, whatever happens to the ceremony after. `by` finds it by id (assertions) or by its value
   * and owner (registrations, whose options carry no id).
   */
  async consumeChallenge(
    ceremony: WebauthnCeremony,
    by: { readonly id: string } | { readonly challenge: string; readonly userId: string },
    now: Date,
  ): Promise<IssuedChallenge | undefined> {
    const [consumed] =
      'id' in by
        ? await this.prisma.$queryRaw<IssuedChallenge[]>`
            DELETE FROM webauthn_challenges
            WHERE id = ${by.id}::uuid AND ceremony = ${ceremony}::"WebauthnCeremony" AND expires_at > ${now}
            RETURNING challenge, user_id AS "userId"`
        : await this.prisma.$queryRaw<IssuedChallenge[]>`
            DELETE FROM webauthn_challenges
            WHERE challenge = ${by.challenge} AND user_id = ${by.userId}::uuid
              AND ceremony = ${ceremony}::"WebauthnCeremony" AND expires_at > ${now}
            RETURNING challenge, user_id AS "userId"`;
    return consumed;
  }

  /** Deletes up to `limit` challenges that expired before `now`; SKIP LOCKED never waits on a ceremony. */
  deleteExpiredChallenges(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return clientOf(transaction).$executeRaw`
      DELETE FROM webauthn_challenges WHERE id IN (
        SELECT id FROM webauthn_challenges WHERE expires_at < ${now}
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
