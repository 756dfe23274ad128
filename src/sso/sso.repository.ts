import { Injectable } from '@nestjs/common';
import type { SsoCode, SsoState } from '../generated/prisma/client';
import { clientOf } from '../prisma/open-transaction';
import { PrismaService } from '../prisma/prisma.service';
import type { Transaction } from '../prisma/transaction';

export type NewSsoState = Omit<SsoState, 'id' | 'createdAt'>;
export type NewSsoCode = Omit<SsoCode, 'id' | 'createdAt'>;

/**
 * The tables of single sign-on in flight: sso_states (redirects to a provider awaiting their callback)
 * and sso_codes (verified callbacks awaiting the app's exchange). Each row is used once: the statement
 * that uses it deletes it.
 */
@Injectable()
export class SsoRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One statement, atomic on its own. */
  async insertState(state: NewSsoState): Promise<void> {
    await this.prisma.ssoState.create({ data: state });
  }

  /** Deletes the state still valid at `now` and returns it; of two callbacks with one state, one gets it. */
  async consumeState(stateHash: Uint8Array<ArrayBuffer>, now: Date): Promise<SsoState | undefined> {
    const [consumed] = await this.prisma.$queryRaw<SsoState[]>`
      DELETE FROM sso_states WHERE state_hash = ${stateHash} AND expires_at > ${now}
      RETURNING id, state_hash AS "stateHash", provider, nonce, code_verifier AS "codeVerifier",
                redirect_uri AS "redirectUri", link_user_id AS "linkUserId", expires_at AS "expiresAt",
                created_at AS "createdAt"`;
    return consumed;
  }

  /** One statement, atomic on its own. */
  async insertCode(code: NewSsoCode): Promise<void> {
    await this.prisma.ssoCode.create({ data: code });
  }

  /** Deletes the code still valid at `now` in the exchange's transaction; of two exchanges, one gets it. */
  async consumeCode(
    transaction: Transaction,
    codeHash: Uint8Array<ArrayBuffer>,
    now: Date,
  ): Promise<SsoCode | undefined> {
    const [consumed] = await clientOf(transaction).$queryRaw<SsoCode[]>`
      DELETE FROM sso_codes WHERE code_hash = ${codeHash} AND expires_at > ${now}
      RETURNING id, code_hash AS "codeHash", provider, subject, email, email_verified AS "emailVerified", name,
                second_factor AS "secondFactor", link_user_id AS "linkUserId", expires_at AS "expiresAt",
                created_at AS "createdAt"`;
    return consumed;
  }

  /** Deletes up to `limit` states and codes that expired before `now`; SKIP LOCKED never waits on a flow. */
  async deleteExpired(transaction: Transaction, now: Date, limit: number): Promise<number> {
    const client = clientOf(transaction);
    const states = await client.$executeRaw`
      DELETE FROM sso_states WHERE id IN (
        SELECT id FROM sso_states WHERE expires_at < ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    const codes = await client.$executeRaw`
      DELETE FROM sso_codes WHERE id IN (
        SELECT id FROM sso_codes WHERE expires_at < ${now} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
    return Math.max(states, codes);
  }
}
