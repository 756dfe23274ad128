import { Injectable } from '@nestjs/common';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeClientDataJSON, isoBase64URL } from '@simplewebauthn/server/helpers';
import { createHmac } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../common/access-control/current-user.decorator';
import type { ClientInfo } from '../common/client-address/client-info';
import { DomainError } from '../common/errors/domain.error';
import { AppConfig } from '../config/app-config';
import type { WebauthnConfig } from '../config/webauthn-config';
import type { Passkey, User } from '../generated/prisma/client';
import { passkeyChangedMessage } from '../mail/mail-templates';
import { Mailer } from '../mail/mailer';
import type { Transaction } from '../prisma/transaction';
import { Transactions } from '../prisma/transactions';
import { UsersService } from '../users/users.service';
import { PasskeyUse, PasskeysRepository } from './passkeys.repository';

/** The contract's lifetime of a challenge, and the time the browser is given for the ceremony. */
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Enough for every device a person owns; bounds the options a login hands out. */
export const MAX_PASSKEYS_PER_USER = 20;
// EdDSA, ES256, RS256: what authenticators in use sign with (the library's default set).
const SUPPORTED_ALGORITHMS = [-8, -7, -257];

/** An assertion as a browser answers `navigator.credentials.get()` with the options of `challengeId`. */
export interface PasskeyAssertion {
  readonly challengeId: string;
  readonly response: AuthenticationResponseJSON;
}

/** A verified assertion, not yet recorded: `record` it in the transaction that acts on it. */
export interface VerifiedAssertion {
  readonly passkey: Passkey;
  readonly use: PasskeyUse;
  /** RFC 8176: `swk` for a synced passkey (its key can leave the device), `hwk` for a device-bound one. */
  readonly method: 'hwk' | 'swk';
}

export interface AssertionOptions {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialRequestOptionsJSON;
}

/**
 * The advisory lock under which a user's ways in (passkeys, identities) are added or removed: the
 * per-account limit and the last-credential rule count them, and a count is only true while it is held.
 */
export const credentialsLockOf = (userId: string) => `credentials:${userId}`;

/** The WebAuthn user handle of an account: its id's 16 bytes, so nothing personal is on the authenticator. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(Buffer.from(userId.replaceAll('-', ''), 'hex'));
}

const invalidPasskey = (detail: string, status?: 400) =>
  new DomainError('INVALID_PASSKEY', detail, status ? { status } : {});

/**
 * Passkeys (WebAuthn, through @simplewebauthn/server): the registration and assertion ceremonies,
 * with challenges kept in the database (shared by every instance, each used once), and a user's
 * passkeys. Starting sessions is the caller's.
 */
@Injectable()
export class PasskeysService {
  private readonly relyingParty: WebauthnConfig;
  private readonly decoyKey: Buffer;

  constructor(
    private readonly passkeys: PasskeysRepository,
    private readonly transactions: Transactions,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    config: AppConfig,
  ) {
    this.relyingParty = config.webauthn;
    this.decoyKey = createHmac('sha256', config.mfa.encryptionKey.key).update('passkey decoy credentials').digest();
  }

  list(userId: string): Promise<Passkey[]> {
    return this.passkeys.listForUser(userId);
  }

  count(userId: string): Promise<number> {
    return this.passkeys.countForUser(userId);
  }

  /**
   * Creation options for a new passkey of the caller: a discoverable credential preferred (so it can
   * log in without an email), user verification required, the caller's passkeys excluded.
   */
  async registrationOptions(userId: string): Promise<PublicKeyCredentialCreationOptionsJSON> {
    const user = await this.existingUser(userId);
    const existing = await this.passkeys.listForUser(userId);
    const options = await generateRegistrationOptions({
      rpName: this.relyingParty.rpName,
      rpID: this.relyingParty.rpId,
      userName: user.email,
      userDisplayName: user.name ?? user.email,
      userID: userHandleOf(user.id),
      timeout: CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    await this.passkeys.insertChallenge({
      ceremony: 'REGISTRATION',
      challenge: options.challenge,
      userId,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return options;
  }

  /**
   * Verifies the browser's answer to the caller's registration options and stores the passkey, in one
   * transaction with its audit event; the owner is mailed once it committed. The challenge is used up
   * first, whatever the outcome.
   */
  async register(
    caller: AuthenticatedUser,
    response: RegistrationResponseJSON,
    name: string | undefined,
    client: ClientInfo,
  ): Promise<Passkey> {
    const user = await this.existingUser(caller.id);
    const now = new Date();
    const challenge = this.challengeOf(response.response.clientDataJSON, 400);
    const issued = await this.passkeys.consumeChallenge('REGISTRATION', { challenge, userId: caller.id }, now);
    if (!issued) throw invalidPasskey('The registration options are unknown, used or expired: ask for new ones', 400);
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: issued.challenge,
      expectedOrigin: [...this.relyingParty.origins],
      expectedRPID: this.relyingParty.rpId,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    }).catch((error: Error) => {
      throw invalidPasskey(`The passkey could not be verified: ${error.message}`, 400);
    });
    if (!verified.verified) throw invalidPasskey('The passkey could not be verified', 400);
    const { credential, credentialDeviceType, credentialBackedUp, aaguid } = verified.registrationInfo;
    const stored = await this.transactions.run(async (transaction) => {
      await this.transactions.lock(transaction, credentialsLockOf(user.id));
      if ((await this.passkeys.countForUser(user.id, transaction)) >= MAX_PASSKEYS_PER_USER) {
        throw new DomainError('PASSKEY_LIMIT_REACHED', `An account holds at most ${MAX_PASSKEYS_PER_USER} passkeys`);
      }
      const inserted = await this.passkeys.insert(transaction, {
        userId: user.id,
        credentialId: credential.id,
        publicKey: Uint8Array.from(credential.publicKey),
        signCount: credential.counter,
        transports: credential.transports ?? response.response.transports ?? [],
        backupEligible: credentialDeviceType === 'multiDevice',
        backedUp: credentialBackedUp,
        aaguid,
        name: name ?? defaultNameOf(response, now),
        createdAt: now,
      });
      if (!inserted) throw invalidPasskey('This passkey is registered already', 400);
      await this.audit.record(transaction, {
        type: 'PASSKEY_REGISTERED',
        actorId: user.id,
        subjectId: user.id,
        sessionId: caller.sessionId,
        origin: client,
        details: { passkeyId: inserted.id, synced: inserted.backupEligible, aaguid },
      });
      transaction.afterCommit(() =>
        this.mailer.dispatch(passkeyChangedMessage({ to: user.email, change: 'added', name: inserted.name })),
      );
      return inserted;
    });
    return stored;
  }

  /**
   * Request options and the id of their challenge. With an email, the account's passkeys are allowed
   * (an account without any, or no account, gets decoys derived from the email, the same on every
   * request, so the answer tells nothing about the account); without one, any discoverable passkey.
   */
  async authenticationOptions(email?: string): Promise<AssertionOptions> {
    const found = email === undefined ? undefined : await this.passkeys.listForEmail(email);
    const allowCredentials =
      email === undefined
        ? undefined
        : found?.passkeys.length
          ? found.passkeys.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports }))
          : [{ id: this.decoyCredentialId(email), transports: ['hybrid', 'internal'] }];
    const options = await generateAuthenticationOptions({
      rpID: this.relyingParty.rpId,
      allowCredentials,
      timeout: CHALLENGE_TTL_MS,
      userVerification: 'required',
    });
    const challengeId = await this.passkeys.insertChallenge({
      ceremony: 'AUTHENTICATION',
      challenge: options.challenge,
      userId: found?.userId ?? null,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    });
    return { challengeId, options };
  }

  /**
   * Verifies an assertion: the challenge is used up first (so an assertion works at most once), then
   * the passkey must exist, belong to `expectedUserId` when given (a second factor) and to the account
   * the options were for, and its signature, origin, RP ID and user verification must hold. A counter
   * that did not move forward on a device-bound passkey is refused and audited as a possible clone.
   * Every refusal is audited; the use itself is written by `record`, in the caller's transaction.
   */
  async verifyAssertion(
    assertion: PasskeyAssertion,
    client: ClientInfo,
    expectedUserId?: string,
  ): Promise<VerifiedAssertion> {
    const now = new Date();
    const { response } = assertion;
    const issued = await this.passkeys.consumeChallenge('AUTHENTICATION', { id: assertion.challengeId }, now);
    const passkey = issued ? await this.passkeys.findByCredentialId(response.id) : null;
    const refuse = async (reason: string, detail: string): Promise<never> => {
      await this.audit.recordAlone({
        type: 'PASSKEY_REJECTED',
        subjectId: passkey?.userId ?? expectedUserId,
        origin: client,
        details: { reason, ...(passkey ? { passkeyId: passkey.id } : {}) },
      });
      throw invalidPasskey(detail);
    };
    if (!issued) return refuse('CHALLENGE_UNUSABLE', 'The challenge is unknown, used or expired: ask for new options');
    if (!passkey) return refuse('UNKNOWN_CREDENTIAL', 'This passkey is not registered (it may have been removed)');
    const owner = expectedUserId ?? issued.userId;
    if ((owner && passkey.userId !== owner) || (issued.userId && issued.userId !== passkey.userId)) {
      return refuse('OTHER_ACCOUNT', 'This passkey belongs to another account');
    }
    const { userHandle } = response.response;
    if (userHandle !== undefined && userHandle !== isoBase64URL.fromBuffer(userHandleOf(passkey.userId))) {
      return refuse('USER_HANDLE_MISMATCH', 'The assertion names another account than its passkey');
    }
    let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: issued.challenge,
        expectedOrigin: [...this.relyingParty.origins],
        expectedRPID: this.relyingParty.rpId,
        // The counter is judged below, where a synced passkey's is told from a device-bound one's.
        credential: { id: passkey.credentialId, publicKey: Uint8Array.from(passkey.publicKey), counter: 0 },
        requireUserVerification: true,
      });
    } catch (error) {
      return refuse('VERIFICATION_FAILED', `The assertion could not be verified: ${(error as Error).message}`);
    }
    if (!verified.verified) return refuse('VERIFICATION_FAILED', 'The assertion could not be verified');
    const { newCounter, credentialBackedUp } = verified.authenticationInfo;
    const use = { id: passkey.id, signCount: newCounter, backedUp: credentialBackedUp, at: now };
    if (!counterMovesOn(passkey, newCounter)) await this.refuseClone(passkey, newCounter, client);
    return { passkey, use, method: passkey.backupEligible ? 'swk' : 'hwk' };
  }

  /**
   * Writes a verified assertion's use in the caller's transaction, only if the counter still moves
   * forward and the passkey still exists: of two assertions racing with one counter value, one wins.
   */
  async record(transaction: Transaction, verified: VerifiedAssertion, client: ClientInfo): Promise<void> {
    if (await this.passkeys.recordUse(transaction, verified.use)) return;
    const current = await this.passkeys.findByCredentialId(verified.passkey.credentialId);
    if (!current) throw invalidPasskey('This passkey was removed meanwhile');
    await this.refuseClone(current, verified.use.signCount, client);
  }

  async rename(caller: AuthenticatedUser, id: string, name: string, client: ClientInfo): Promise<Passkey> {
    return this.transactions.run(async (transaction) => {
      const renamed = await this.passkeys.rename(transaction, caller.id, id, name);
      if (!renamed) throw new DomainError('NOT_FOUND', 'No passkey with this id');
      await this.audit.record(transaction, {
        type: 'PASSKEY_RENAMED',
        actorId: caller.id,
        subjectId: caller.id,
        sessionId: caller.sessionId,
        origin: client,
        details: { passkeyId: id },
      });
      return renamed;
    });
  }

  /**
   * Removes one of the caller's passkeys in the caller's transaction (which decides, under
   * credentialsLockOf, that another way into the account is left); it never signs in again. The
   * owner is mailed once it committed.
   */
  async removeIn(transaction: Transaction, caller: AuthenticatedUser, id: string, client: ClientInfo): Promise<void> {
    const user = await this.existingUser(caller.id);
    const removed = await this.passkeys.delete(transaction, caller.id, id);
    if (!removed) throw new DomainError('NOT_FOUND', 'No passkey with this id');
    await this.audit.record(transaction, {
      type: 'PASSKEY_REMOVED',
      actorId: caller.id,
      subjectId: caller.id,
      sessionId: caller.sessionId,
      origin: client,
      details: { passkeyId: id },
    });
    transaction.afterCommit(() =>
      this.mailer.dispatch(passkeyChangedMessage({ to: user.email, change: 'removed', name: removed.name })),
    );
  }

  /** How many passkeys the user has, read in the caller's transaction. */
  countIn(transaction: Transaction, userId: string): Promise<number> {
    return this.passkeys.countForUser(userId, transaction);
  }

  /** Every passkey of the user, in the caller's transaction (an administrator's reset); how many there were. */
  removeAllOf(transaction: Transaction, userId: string): Promise<number> {
    return this.passkeys.deleteAllForUser(transaction, userId);
  }

  private async refuseClone(passkey: Passkey, reported: number, client: ClientInfo): Promise<never> {
    await this.audit.recordAlone({
      type: 'PASSKEY_CLONE_SUSPECTED',
      subjectId: passkey.userId,
      origin: client,
      details: { passkeyId: passkey.id, storedCounter: Number(passkey.signCount), reportedCounter: reported },
    });
    throw invalidPasskey('The passkey’s signature counter went backwards: it may have been cloned, so it is refused');
  }

  /** The challenge a ceremony's clientDataJSON signs over; refused as malformed when it cannot be read. */
  private challengeOf(clientDataJSON: string, status?: 400): string {
    try {
      const { challenge } = decodeClientDataJSON(clientDataJSON);
      if (typeof challenge === 'string' && challenge !== '') return challenge;
    } catch {
      // Reported below, as any unreadable clientDataJSON.
    }
    throw invalidPasskey('response.clientDataJSON is not a readable client data JSON', status);
  }

  private decoyCredentialId(email: string): string {
    return isoBase64URL.fromBuffer(
      Uint8Array.from(createHmac('sha256', this.decoyKey).update(email.toLowerCase()).digest()),
    );
  }

  private async existingUser(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('INVALID_TOKEN', 'The account of this access token no longer exists');
    return user;
  }
}

/** Whether a device-bound passkey's counter moved forward (0 staying 0 is one that keeps none). */
function counterMovesOn(passkey: Passkey, reported: number): boolean {
  const stored = Number(passkey.signCount);
  return passkey.backupEligible || reported > stored || (stored === 0 && reported === 0);
}

/** "Passkey of <date>" unless the caller names it: the authenticator says nothing a person would recognise. */
function defaultNameOf(response: RegistrationResponseJSON, at: Date): string {
  const kind = response.authenticatorAttachment === 'cross-platform' ? 'Security key' : 'Passkey';
  return `${kind} added ${at.toISOString().slice(0, 10)}`;
}
