import { Injectable } from '@nestjs/common';
import * as QRCode from 'qrcode';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../common/access-control/current-user.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import { AppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { secondFactorChangedMessage } from '../mail/mail-templates';
import { Mailer } from '../mail/mailer';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { hashRefreshToken as hashToken, newRefreshToken as newToken } from '../sessions/refresh-token';
import { PasskeyAssertion, PasskeysService, VerifiedAssertion } from '../passkeys/passkeys.service';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { ChallengeHolder, MfaRepository } from './mfa.repository';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes';
import { SecretBox } from './secret-box';
import { base32Of, newTotpSecret, stepOfCode, totpUri } from './totp';

/** A second factor as presented: a code from the authenticator, a recovery code, or a passkey's assertion. */
export type SecondFactorProof =
  { readonly code: string } | { readonly recoveryCode: string } | { readonly passkey: PasskeyAssertion };

export type MfaMethod = 'totp' | 'recovery_code' | 'webauthn';

/** A factor ready for its transaction: codes as given, a passkey's assertion already verified. */
export type PreparedSecondFactor =
  { readonly code: string } | { readonly recoveryCode: string } | { readonly verifiedPasskey: VerifiedAssertion };

/** A second factor accepted: the RFC 8176 methods it adds to the first factor's, and the passkey that gave it. */
export interface UsedSecondFactor {
  readonly amr: string[];
  readonly method: MfaMethod;
  readonly passkeyId?: string;
}

export interface MfaStatus {
  readonly totp: { readonly enabled: boolean; readonly createdAt: Date } | null;
  readonly recoveryCodesLeft: number;
  readonly passkeys: number;
}

export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUrl: string;
  readonly qrCodeDataUrl: string;
}

async function qrCodeSvgDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

// The contract's lifetime of an mfaToken: long enough to open the authenticator, short for a thief.
const CHALLENGE_TTL_MS = 5 * 60 * 1000;

/**
 * Second factors: enrolling an authenticator (TOTP) with recovery codes, checking a factor, the
 * challenges of logins waiting for one, and removing them. Starting sessions is the caller's.
 */
@Injectable()
export class MfaService {
  private readonly box: SecretBox;

  constructor(
    private readonly factors: MfaRepository,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passkeys: PasskeysService,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.mfa);
  }

  async status(userId: string): Promise<MfaStatus> {
    const [totp, recoveryCodesLeft, passkeys] = await Promise.all([
      this.factors.findTotp(userId),
      this.factors.countUnusedRecoveryCodes(userId),
      this.passkeys.count(userId),
    ]);
    return {
      totp: totp ? { enabled: totp.confirmedAt !== null, createdAt: totp.createdAt } : null,
      recoveryCodesLeft,
      passkeys,
    };
  }

  /**
   * The second factors a login of this user must be completed with; empty when none is enabled. An
   * authenticator app or a passkey is one; recovery codes stand in for them, never alone.
   */
  async methodsFor(userId: string): Promise<MfaMethod[]> {
    const [totp, recoveryCodesLeft, passkeys] = await Promise.all([
      this.factors.findTotp(userId),
      this.factors.countUnusedRecoveryCodes(userId),
      this.passkeys.count(userId),
    ]);
    const enabled = totp?.confirmedAt ?? null;
    if (enabled === null && passkeys === 0) return [];
    return [
      ...(enabled ? (['totp'] as const) : []),
      ...(enabled || recoveryCodesLeft > 0 ? (['recovery_code'] as const) : []),
      ...(passkeys > 0 ? (['webauthn'] as const) : []),
    ];
  }

  /** A pending authenticator for the caller, replacing a pending one; MFA_ALREADY_ENABLED when one is confirmed. */
  async startTotpEnrolment(userId: string): Promise<TotpEnrolment> {
    const user = await this.existingUser(userId);
    const secret = newTotpSecret();
    if (!(await this.factors.putPendingTotp(userId, this.box.seal(secret, userId), new Date()))) {
      throw new DomainError('MFA_ALREADY_ENABLED', 'An authenticator is already enabled; remove it first');
    }
    const otpauthUrl = totpUri(secret, this.config.mfa.issuer, user.email);
    return {
      secret: base32Of(secret),
      otpauthUrl,
      qrCodeDataUrl: await qrCodeSvgDataUrl(otpauthUrl),
    };
  }

  /**
   * Enables the pending authenticator with its first code, in one transaction with its recovery codes,
   * the end of the caller's other sessions and of logins in flight, and the audit event; the owner is
   * mailed once it committed. The recovery codes are returned once and stored only as hashes.
   */
  async confirmTotp(caller: AuthenticatedUser, code: string, client: ClientInfo): Promise<string[]> {
    const user = await this.existingUser(caller.id);
    const pending = await this.factors.findTotp(caller.id);
    if (pending?.confirmedAt) throw new DomainError('MFA_ALREADY_ENABLED', 'An authenticator is already enabled');
    const secret = pending ? this.openSecret(caller.id, pending.secretSealed) : undefined;
    const checkedSecret = pending?.secretSealed;
    const now = new Date();
    const step = secret ? stepOfCode(secret, code, now) : undefined;
    const wrongCode = () =>
      new DomainError('INVALID_MFA_CODE', 'The code is not valid for the pending authenticator', { status: 400 });
    if (step === undefined || !checkedSecret) throw wrongCode();
    const recoveryCodes = newRecoveryCodes();
    await this.transactions.run(async (transaction) => {
      const accepted = await this.factors.acceptStep(transaction, {
        userId: caller.id,
        checkedSecret,
        step,
        confirming: true,
        at: now,
      });
      if (!accepted) throw wrongCode();
      await this.factors.replaceRecoveryCodes(transaction, caller.id, recoveryCodes.map(hashRecoveryCode));
      await this.changedFactors(transaction, user, caller, client, 'MFA_ENABLED');
    });
    return recoveryCodes;
  }

  /**
   * What can be checked of a factor before the transaction that acts on it: a passkey's assertion is
   * verified now (its challenge used up, whatever happens next), so the transaction holds its
   * connection only for the writes. Codes are checked in `useSecondFactor`.
   */
  async prepareSecondFactor(
    userId: string,
    proof: SecondFactorProof,
    client: ClientInfo,
  ): Promise<PreparedSecondFactor> {
    if (!('passkey' in proof)) return proof;
    return { verifiedPasskey: await this.passkeys.verifyAssertion(proof.passkey, client, userId) };
  }

  /**
   * Uses a prepared second factor up in the caller's transaction: a TOTP code only for a time step
   * later than the last accepted one, a recovery code only once, a passkey's counter only moving on.
   * The RFC 8176 methods it proves (without the first factor's), or undefined when a code is wrong,
   * replayed or used; a passkey refused here throws INVALID_PASSKEY.
   */
  async useSecondFactor(
    transaction: Transaction,
    userId: string,
    proof: PreparedSecondFactor,
    client: ClientInfo,
  ): Promise<UsedSecondFactor | undefined> {
    const now = new Date();
    if ('verifiedPasskey' in proof) {
      const verified = proof.verifiedPasskey;
      await this.passkeys.record(transaction, verified, client);
      return { amr: [verified.method, 'mfa'], method: 'webauthn', passkeyId: verified.passkey.id };
    }
    if ('recoveryCode' in proof) {
      const used = await this.factors.useRecoveryCode(transaction, userId, hashRecoveryCode(proof.recoveryCode), now);
      return used ? { amr: ['mfa'], method: 'recovery_code' } : undefined;
    }
    const totp = await this.factors.findTotp(userId);
    if (!totp?.confirmedAt) return undefined;
    const opened = this.box.open(totp.secretSealed, userId);
    if (!opened) throw new Error(`The TOTP secret of user ${userId} does not open with any configured MFA key`);
    const step = stepOfCode(opened.plaintext, proof.code, now);
    if (step === undefined) return undefined;
    const checked = { userId, checkedSecret: totp.secretSealed, step, confirming: false, at: now };
    if (!(await this.factors.acceptStep(transaction, checked))) return undefined;
    // Sealed under a previous key: moves to the current one now that it has been read.
    if (!opened.underCurrentKey) {
      await this.factors.resealTotp(transaction, userId, totp.secretSealed, this.box.seal(opened.plaintext, userId));
    }
    return { amr: ['otp', 'mfa'], method: 'totp' };
  }

  /** New recovery codes, in place of every earlier one. */
  async regenerateRecoveryCodes(caller: AuthenticatedUser, client: ClientInfo): Promise<string[]> {
    await this.requireEnabled(caller.id);
    const recoveryCodes = newRecoveryCodes();
    await this.transactions.run(async (transaction) => {
      await this.factors.replaceRecoveryCodes(transaction, caller.id, recoveryCodes.map(hashRecoveryCode));
      await this.audit.record(transaction, {
        type: 'RECOVERY_CODES_REGENERATED',
        actorId: caller.id,
        subjectId: caller.id,
        sessionId: caller.sessionId,
        origin: client,
      });
    });
    return recoveryCodes;
  }

  /**
   * Removes the caller's authenticator, and the recovery codes unless a passkey is left for them to
   * stand in for; their other sessions end, and they are mailed.
   */
  async disable(caller: AuthenticatedUser, client: ClientInfo): Promise<void> {
    const user = await this.existingUser(caller.id);
    const keepRecoveryCodes = (await this.passkeys.count(caller.id)) > 0;
    await this.transactions.run(async (transaction) => {
      if (!(await this.factors.deleteFactors(transaction, caller.id, { keepRecoveryCodes }))) {
        throw new DomainError('MFA_NOT_ENABLED', 'No authenticator app is enabled');
      }
      await this.changedFactors(transaction, user, caller, client, 'MFA_DISABLED');
    });
  }

  /**
   * For a user who lost their authenticator or passkeys: removes every second factor (passkeys too)
   * and ends every one of their sessions, audited with the admin (or the CLI) as the actor; the user
   * is mailed once it committed.
   */
  async reset(
    actor: { readonly id: string | null; readonly origin?: ClientInfo; readonly via?: 'cli' },
    userId: string,
  ): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('NOT_FOUND', 'No user with this id');
    await this.transactions.run(async (transaction) => {
      const hadTotp = await this.factors.deleteFactors(transaction, userId, { keepRecoveryCodes: false });
      const passkeysRemoved = await this.passkeys.removeAllOf(transaction, userId);
      const hadFactor = hadTotp || passkeysRemoved > 0;
      await this.users.changedAuthentication(transaction, userId);
      await this.sessions.revokeAllForUserAndRecord(transaction, userId, 'MFA_DISABLED', {
        type: 'MFA_RESET',
        actorId: actor.id,
        email: user.email,
        origin: actor.origin,
        details: { hadFactor, passkeysRemoved, ...(actor.via ? { by: actor.via } : {}) },
      });
      if (hadFactor) {
        transaction.afterCommit(() =>
          this.mailer.dispatch(secondFactorChangedMessage({ to: user.email, change: 'reset' })),
        );
      }
    });
  }

  /**
   * The mfaToken of a login whose first factor was right (`pwd` a password, `fed` a provider's
   * sign-in), good for five minutes and one completed login.
   */
  async issueChallenge(
    user: Pick<User, 'id' | 'securityVersion'>,
    firstFactor: readonly string[] = ['pwd'],
  ): Promise<string> {
    const token = newToken();
    await this.factors.insertChallenge({
      userId: user.id,
      tokenHash: token.hash,
      securityVersion: user.securityVersion,
      firstFactor,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return token.token;
  }

  /** Whose login an mfaToken continues, while it is usable, without using it. */
  peekChallenge(mfaToken: string): Promise<ChallengeHolder | undefined> {
    return this.factors.findUsableChallenge(hashToken(mfaToken), new Date());
  }

  /** Uses the challenge up in the caller's transaction; undefined when it was used or expired meanwhile. */
  consumeChallenge(transaction: Transaction, mfaToken: string): Promise<ChallengeHolder | undefined> {
    return this.factors.consumeChallenge(transaction, hashToken(mfaToken), new Date());
  }

  private async changedFactors(
    transaction: Transaction,
    user: User,
    caller: AuthenticatedUser,
    client: ClientInfo,
    type: 'MFA_ENABLED' | 'MFA_DISABLED',
  ): Promise<void> {
    await this.users.changedAuthentication(transaction, user.id);
    await this.sessions.revokeAllForUserAndRecord(
      transaction,
      user.id,
      type,
      { type, actorId: user.id, email: user.email, sessionId: caller.sessionId, origin: client },
      caller.sessionId,
    );
    const change = type === 'MFA_ENABLED' ? 'enabled' : 'disabled';
    transaction.afterCommit(() => this.mailer.dispatch(secondFactorChangedMessage({ to: user.email, change })));
  }

  private async requireEnabled(userId: string): Promise<void> {
    if ((await this.methodsFor(userId)).length === 0) {
      throw new DomainError('MFA_NOT_ENABLED', 'No second factor is enabled');
    }
  }

  private openSecret(userId: string, sealed: Uint8Array): Buffer {
    const opened = this.box.open(sealed, userId);
    if (!opened) throw new Error(`The TOTP secret of user ${userId} does not open with any configured MFA key`);
    return opened.plaintext;
  }

  private async existingUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    return user;
  }
}
