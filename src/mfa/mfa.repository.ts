import { Injectable } from '@nestjs/common';
import type { MfaChallenge, TotpFactor } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

export interface NewMfaChallenge {
  readonly userId: string;
  readonly tokenHash: Uint8Array<ArrayBuffer>;
  readonly securityVersion: number;
  readonly firstFactor: readonly string[];
  readonly expiresAt: Date;
}

export type ChallengeHolder = Pick<MfaChallenge, 'userId' | 'securityVersion' | 'firstFactor'>;

/**
 * The second-factor tables: totp_factors (one authenticator per user, pending until confirmed),
 * recovery_codes, and mfa_challenges (logins waiting for their second factor).
 */
@Injectable()
export class MfaRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Stores a pending authenticator, replacing a pending one, unless a confirmed one exists: one
   * statement, atomic on its own. False when the user already has a confirmed authenticator.
   */
  async putPendingTotp(userId: string, secretSealed: Uint8Array<ArrayBuffer>, at: Date): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<{ user_id: string }[]>`
      INSERT INTO totp_factors (user_id, secret_sealed, created_at)
      VALUES (${userId}::uuid, ${secretSealed}, ${at})
      ON CONFLICT (user_id) DO UPDATE
        SET secret_sealed = EXCLUDED.secret_sealed, created_at = EXCLUDED.created_at, last_used_step = NULL
        WHERE totp_factors.confirmed_at IS NULL
      RETURNING user_id`;
    return rows.length === 1;
  }

  findTotp(userId: string): Promise<TotpFactor | null> {
    return this.prisma.totpFactor.findUnique({ where: { userId } });
  }

  /**
   * Records `step` as the last accepted one only if it is later than any accepted before, and only
   * on the authenticator whose secret the code was checked against (`checkedSecret`): confirmed, or
   * with `confirming` pending, which it confirms. Of two uses of one code exactly one gets true, and a
   * secret replaced meanwhile (a new enrolment started in another tab) is never confirmed by a code
   * of the old one.
   */
  async acceptStep(
    transaction: Transaction,
    step: {
      readonly userId: string;
      readonly checkedSecret: Uint8Array;
      readonly step: number;
      readonly confirming: boolean;
      readonly at: Date;
    },
  ): Promise<boolean> {
    const { count } = await clientOf(transaction).totpFactor.updateMany({
      where: {
        userId: step.userId,
        secretSealed: Uint8Array.from(step.checkedSecret),
        confirmedAt: step.confirming ? null : { not: null },
        OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step.step) } }],
      },
      data: { lastUsedStep: BigInt(step.step), ...(step.confirming ? { confirmedAt: step.at } : {}) },
    });
    return count === 1;
  }

  /** Seals the secret again (under the current key) only if it is still the one read. */
  async resealTotp(
    transaction: Transaction,
    userId: string,
    read: Uint8Array,
    resealed: Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    await clientOf(transaction).totpFactor.updateMany({
      where: { userId, secretSealed: Uint8Array.from(read) },
      data: { secretSealed: resealed },
    });
  }

  /** Every earlier code of the user stops working. */
  async replaceRecoveryCodes(
    transaction: Transaction,
    userId: string,
    hashes: readonly Uint8Array<ArrayBuffer>[],
  ): Promise<void> {
    const client = clientOf(transaction);
    await client.recoveryCode.deleteMany({ where: { userId } });
    await client.recoveryCode.createMany({ data: hashes.map((codeHash) => ({ userId, codeHash })) });
  }

  /** Marks an unused code used; of two uses of one code, exactly one gets true. */
  async useRecoveryCode(
    transaction: Transaction,
    userId: string,
    codeHash: Uint8Array<ArrayBuffer>,
    at: Date,
  ): Promise<boolean> {
    const { count } = await clientOf(transaction).recoveryCode.updateMany({
      where: { userId, codeHash, usedAt: null },
      data: { usedAt: at },
    });
    return count === 1;
  }

  countUnusedRecoveryCodes(userId: string): Promise<number> {
    return this.prisma.recoveryCode.count({ where: { userId, usedAt: null } });
  }

  /** Removes the authenticator (and the recovery codes unless kept); whether there was a confirmed authenticator. */
  async deleteFactors(
    transaction: Transaction,
    userId: string,
    { keepRecoveryCodes }: { readonly keepRecoveryCodes: boolean },
  ): Promise<boolean> {
    const client = clientOf(transaction);
    const deleted = await client.totpFactor.deleteMany({ where: { userId, confirmedAt: { not: null } } });
    await client.totpFactor.deleteMany({ where: { userId } });
    if (!keepRecoveryCodes) await client.recoveryCode.deleteMany({ where: { userId } });
    return deleted.count === 1;
  }

  /** One statement, atomic on its own: the challenge of a login whose password was right. */
  async insertChallenge(challenge: NewMfaChallenge): Promise<void> {
    await this.prisma.mfaChallenge.create({ data: { ...challenge, firstFactor: [...challenge.firstFactor] } });
  }

  /** The holder of a challenge still usable at `now`, without using it. */
  async findUsableChallenge(tokenHash: Uint8Array<ArrayBuffer>, now: Date): Promise<ChallengeHolder | undefined> {
    const found = await this.prisma.mfaChallenge.findFirst({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
      select: { userId: true, securityVersion: true, firstFactor: true },
    });
    return found ?? undefined;
  }

  /** Marks a usable challenge used; its holder, or undefined. Of two uses, exactly one gets the holder. */
  async consumeChallenge(
    transaction: Transaction,
    tokenHash: Uint8Array<ArrayBuffer>,
    now: Date,
  ): Promise<ChallengeHolder | undefined> {
    const [consumed] = await clientOf(transaction).mfaChallenge.updateManyAndReturn({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
      select: { userId: true, securityVersion: true, firstFactor: true },
    });
    return consumed;
  }

  /** Deletes up to `limit` challenges that expired before `now`; SKIP LOCKED never waits on a login. */
  deleteExpiredChallenges(transaction: Transaction, now: Date, limit: number): Promise<number> {
    return clientOf(transaction).$executeRaw`
      DELETE FROM mfa_challenges WHERE id IN (
        SELECT id FROM mfa_challenges WHERE expires_at < ${now}
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
