import { Metrics } from '../metrics/metrics';
import { InMemoryAuditRepository } from '../audit/audit.repository.fake';
import type { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedUser } from '../common/access-control/current-user.decorator';
import { DomainError } from '../common/errors/domain.error';
import { loadAppConfig } from '../config/app-config';
import type { User } from '../generated/prisma/client';
import { RecordingMailer } from '../mail/mailer.fake';
import { InMemoryTransactions } from '../prisma/in-memory-transactions';
import type { RevokedSessionsService } from '../sessions/revocation/revoked-sessions.service';
import { InMemorySessionsRepository } from '../sessions/sessions.repository.fake';
import type { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { InMemoryUsersRepository } from '../users/users.repository.fake';
import type { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { InMemoryPasskeysRepository } from './passkeys.repository.fake';
import type { PasskeysRepository } from './passkeys.repository';
import { MAX_PASSKEYS_PER_USER, PasskeysService, userHandleOf } from './passkeys.service';
import { SoftwareAuthenticator } from './software-authenticator.fake';

const ORIGIN = 'https://app.example.com';
const client = { ip: '203.0.113.7', userAgent: 'jest' };

/** The service over in-memory tables, with the real UsersService and AuditService it calls. */
function setUp() {
  const transactions = new InMemoryTransactions();
  const sessionsTable = new InMemorySessionsRepository();
  const usersTable = new InMemoryUsersRepository(sessionsTable);
  const auditTable = new InMemoryAuditRepository();
  const audit = new AuditService(auditTable as unknown as AuditRepository, new Metrics());
  const revokedSessions = { revokedIn: () => Promise.resolve() } as unknown as RevokedSessionsService;
  const sessions = new SessionsService(
    sessionsTable as unknown as SessionsRepository,
    transactions.asTransactions(),
    revokedSessions,
    audit,
  );
  const users = new UsersService(
    usersTable as unknown as UsersRepository,
    transactions.asTransactions(),
    sessions,
    audit,
  );
  const mailer = new RecordingMailer();
  const addAccount = () => Promise.resolve(usersTable.addUser({ passwordHash: 'not-used-here' }));
  const config = loadAppConfig({
    DATABASE_URL: 'postgresql://localhost/auth',
    PUBLIC_URL: 'https://example.com',
    WEBAUTHN_RP_ID: 'example.com',
    WEBAUTHN_ORIGINS: `${ORIGIN},https://example.com`,
    WEBAUTHN_RP_NAME: 'Example',
  });
  const table = new InMemoryPasskeysRepository(
    (email) => [...usersTable.users.values()].find((user) => user.email === email)?.id,
  );
  const service = new PasskeysService(
    table as unknown as PasskeysRepository,
    transactions.asTransactions(),
    users,
    audit,
    mailer,
    config,
  );
  const inTransaction = transactions.run.bind(transactions);
  const callerOf = (user: User): AuthenticatedUser => ({
    id: user.id,
    sessionId: '00000000-0000-4000-8000-000000000001',
    role: user.role,
    amr: ['pwd'],
    authTime: Math.floor(Date.now() / 1000),
  });
  /** A user with one passkey on `authenticator`, registered through the service. */
  const registered = async (authenticator = new SoftwareAuthenticator({ origin: ORIGIN }), user?: User) => {
    const owner = user ?? (await addAccount());
    const options = await service.registrationOptions(owner.id);
    const passkey = await service.register(callerOf(owner), authenticator.create(options), 'Laptop', client);
    return { user: owner, passkey, authenticator };
  };
  return { auditTable, mailer, addAccount, table, service, inTransaction, callerOf, registered };
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; status: number; detail: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, status: error.status, detail: error.message };
    throw error;
  }
  throw new Error('expected a refusal, but it resolved');
}

describe('PasskeysService', () => {
  describe('registration', () => {
    it('asks for a discoverable, user-verified credential for the relying party, excluding the caller’s passkeys', async () => {
      const { service, registered, table } = setUp();
      const { user, authenticator } = await registered();
      const options = await service.registrationOptions(user.id);

      expect(options.rp).toEqual({ id: 'example.com', name: 'Example' });
      expect(options.user).toMatchObject({
        id: Buffer.from(userHandleOf(user.id)).toString('base64url'),
        name: user.email,
      });
      expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'required' });
      expect(options.attestation).toBe('none');
      expect(options.excludeCredentials).toEqual([
        { id: authenticator.id, type: 'public-key', transports: ['internal'] },
      ]);
      expect([...table.challenges.values()]).toContainEqual(
        expect.objectContaining({ ceremony: 'REGISTRATION', challenge: options.challenge, userId: user.id }),
      );
    });

    it('stores what the authenticator reported, audits it and mails the owner', async () => {
      const { registered, auditTable, mailer } = setUp();
      const { user, passkey, authenticator } = await registered(
        new SoftwareAuthenticator({ origin: ORIGIN, synced: true }),
      );

      expect(passkey).toMatchObject({
        userId: user.id,
        credentialId: authenticator.id,
        name: 'Laptop',
        signCount: 0n,
        transports: ['internal'],
        backupEligible: true,
        backedUp: true,
        aaguid: 'adce0002-35bc-c60a-648b-0b25f1f05503',
        lastUsedAt: null,
      });
      expect(auditTable.rows).toContainEqual(
        expect.objectContaining({
          type: 'PASSKEY_REGISTERED',
          subjectId: user.id,
          details: expect.objectContaining({ passkeyId: passkey.id, synced: true }),
        }),
      );
      expect(mailer.sent).toContainEqual(
        expect.objectContaining({ to: user.email, subject: 'A passkey was added to your account' }),
      );
    });

    it('refuses another origin, an authenticator that did not verify the user, and options used already', async () => {
      const { service, addAccount, callerOf, table } = setUp();
      const user = await addAccount();
      const authenticator = new SoftwareAuthenticator({ origin: ORIGIN });

      const phished = authenticator.create(await service.registrationOptions(user.id), {
        origin: 'https://examp1e.com',
      });
      expect(await refusal(service.register(callerOf(user), phished, undefined, client))).toMatchObject({
        code: 'INVALID_PASSKEY',
        status: 400,
        detail: expect.stringContaining('origin'),
      });

      const unverified = new SoftwareAuthenticator({ origin: ORIGIN, verifiesUser: false });
      const withoutVerification = unverified.create(await service.registrationOptions(user.id));
      expect(await refusal(service.register(callerOf(user), withoutVerification, undefined, client))).toMatchObject({
        code: 'INVALID_PASSKEY',
        detail: expect.stringContaining('verif'),
      });

      const response = authenticator.create(await service.registrationOptions(user.id));
      await service.register(callerOf(user), response, undefined, client);
      expect(await refusal(service.register(callerOf(user), response, undefined, client))).toMatchObject({
        code: 'INVALID_PASSKEY',
        detail: expect.stringContaining('used or expired'),
      });
      expect(table.passkeys.size).toBe(1);
    });

    it('refuses options issued to another account', async () => {
      const { service, addAccount, callerOf } = setUp();
      const [owner, other] = [await addAccount(), await addAccount()];
      const response = new SoftwareAuthenticator({ origin: ORIGIN }).create(
        await service.registrationOptions(owner.id),
      );
      expect(await refusal(service.register(callerOf(other), response, undefined, client))).toMatchObject({
        code: 'INVALID_PASSKEY',
      });
      // The owner's challenge is still good: the other account's attempt did not use it.
      await expect(service.register(callerOf(owner), response, undefined, client)).resolves.toBeDefined();
    });

    it(`holds at most ${MAX_PASSKEYS_PER_USER} passkeys per account`, async () => {
      const { registered, service, callerOf } = setUp();
      const { user } = await registered();
      for (let index = 1; index < MAX_PASSKEYS_PER_USER; index += 1) await registered(undefined, user);
      const response = new SoftwareAuthenticator({ origin: ORIGIN }).create(await service.registrationOptions(user.id));
      expect(await refusal(service.register(callerOf(user), response, undefined, client))).toMatchObject({
        code: 'PASSKEY_LIMIT_REACHED',
        status: 409,
      });
    });
  });

  describe('authentication options', () => {
    it('allows the passkeys of the account an email names', async () => {
      const { service, registered } = setUp();
      const { user, authenticator } = await registered();
      const { options } = await service.authenticationOptions(user.email);
      expect(options).toMatchObject({ rpId: 'example.com', userVerification: 'required' });
      expect(options.allowCredentials).toEqual([
        { id: authenticator.id, type: 'public-key', transports: ['internal'] },
      ]);
    });

    it('answers an unknown email, or an account without passkeys, with the same decoy on every request', async () => {
      const { service, addAccount } = setUp();
      const withoutPasskeys = await addAccount();
      const first = await service.authenticationOptions('nobody@example.com');
      const again = await service.authenticationOptions('nobody@example.com');
      const account = await service.authenticationOptions(withoutPasskeys.email);

      expect(first.options.allowCredentials).toEqual(again.options.allowCredentials);
      expect(first.options.allowCredentials).not.toEqual(account.options.allowCredentials);
      for (const { options } of [first, account]) {
        expect(options.allowCredentials).toEqual([
          { id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), type: 'public-key', transports: ['hybrid', 'internal'] },
        ]);
        expect(Object.keys(options).sort()).toEqual(Object.keys(first.options).sort());
      }
    });

    it('leaves the choice to the browser (discoverable credentials) without an email', async () => {
      const { service } = setUp();
      const { challengeId, options } = await service.authenticationOptions();
      expect(challengeId).toMatch(/^[0-9a-f-]{36}$/);
      expect(options.allowCredentials).toBeUndefined();
    });
  });

  describe('assertions', () => {
    it('accepts a device-bound passkey as hwk and a synced one as swk, and records the use', async () => {
      const { service, registered, inTransaction, table } = setUp();
      for (const [synced, method] of [
        [false, 'hwk'],
        [true, 'swk'],
      ] as const) {
        const { user, passkey, authenticator } = await registered(
          new SoftwareAuthenticator({ origin: ORIGIN, synced }),
        );
        const { challengeId, options } = await service.authenticationOptions(user.email);
        const verified = await service.verifyAssertion({ challengeId, response: authenticator.get(options) }, client);
        expect(verified).toMatchObject({ method, passkey: { id: passkey.id } });
        await inTransaction((transaction) => service.record(transaction, verified, client));
        expect(table.passkeys.get(passkey.id)).toMatchObject({ signCount: 1n, lastUsedAt: verified.use.at });
      }
    });

    it('refuses a replayed assertion: its challenge was used up by the first', async () => {
      const { service, registered, auditTable } = setUp();
      const { authenticator } = await registered();
      const { challengeId, options } = await service.authenticationOptions();
      const response = authenticator.get(options);
      await service.verifyAssertion({ challengeId, response }, client);
      expect(await refusal(service.verifyAssertion({ challengeId, response }, client))).toMatchObject({
        code: 'INVALID_PASSKEY',
        status: 401,
        detail: expect.stringContaining('used or expired'),
      });
      expect(auditTable.rows).toContainEqual(
        expect.objectContaining({ type: 'PASSKEY_REJECTED', details: { reason: 'CHALLENGE_UNUSABLE' } }),
      );
    });

    it('refuses an assertion made on another origin, for another RP ID, or without user verification', async () => {
      const { service, registered } = setUp();
      const { authenticator, user } = await registered();
      const attempts = [{ origin: 'https://evil.example.net' }, { rpId: 'evil.example.net' }];
      for (const overrides of attempts) {
        const { challengeId, options } = await service.authenticationOptions(user.email);
        expect(
          await refusal(
            service.verifyAssertion({ challengeId, response: authenticator.get(options, overrides) }, client),
          ),
        ).toMatchObject({ code: 'INVALID_PASSKEY' });
      }
    });

    it('refuses a removed passkey, and one of another account than the second factor is for', async () => {
      const { service, registered, addAccount, callerOf, inTransaction } = setUp();
      const { user, passkey, authenticator } = await registered();
      const stranger = await addAccount();

      const forStranger = await service.authenticationOptions();
      expect(
        await refusal(
          service.verifyAssertion(
            { challengeId: forStranger.challengeId, response: authenticator.get(forStranger.options) },
            client,
            stranger.id,
          ),
        ),
      ).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('another account') });

      await inTransaction((transaction) => service.removeIn(transaction, callerOf(user), passkey.id, client));
      const after = await service.authenticationOptions();
      expect(
        await refusal(
          service.verifyAssertion(
            { challengeId: after.challengeId, response: authenticator.get(after.options) },
            client,
          ),
        ),
      ).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('not registered') });
    });

    it('refuses a device-bound passkey whose counter went backwards, auditing a possible clone', async () => {
      const { service, registered, inTransaction, auditTable } = setUp();
      const { authenticator, passkey } = await registered();
      const first = await service.authenticationOptions();
      const verified = await service.verifyAssertion(
        { challengeId: first.challengeId, response: authenticator.get(first.options, { signCount: 5 }) },
        client,
      );
      await inTransaction((transaction) => service.record(transaction, verified, client));

      const second = await service.authenticationOptions();
      const cloned = authenticator.get(second.options, { signCount: 5 });
      expect(
        await refusal(service.verifyAssertion({ challengeId: second.challengeId, response: cloned }, client)),
      ).toMatchObject({
        code: 'INVALID_PASSKEY',
        detail: expect.stringContaining('cloned'),
      });
      expect(auditTable.rows).toContainEqual(
        expect.objectContaining({
          type: 'PASSKEY_CLONE_SUSPECTED',
          details: { passkeyId: passkey.id, storedCounter: 5, reportedCounter: 5 },
        }),
      );
    });

    it('records only one of two verified assertions with the same counter (checked again where it writes)', async () => {
      const { service, registered, inTransaction, auditTable } = setUp();
      const { authenticator } = await registered();
      const [a, b] = [await service.authenticationOptions(), await service.authenticationOptions()];
      const first = await service.verifyAssertion(
        { challengeId: a.challengeId, response: authenticator.get(a.options, { signCount: 3 }) },
        client,
      );
      const second = await service.verifyAssertion(
        { challengeId: b.challengeId, response: authenticator.get(b.options, { signCount: 3 }) },
        client,
      );
      await inTransaction((transaction) => service.record(transaction, first, client));
      expect(await refusal(inTransaction((transaction) => service.record(transaction, second, client)))).toMatchObject({
        code: 'INVALID_PASSKEY',
      });
      expect(auditTable.rows.filter((row) => row.type === 'PASSKEY_CLONE_SUSPECTED')).toHaveLength(1);
    });

    it('accepts a synced passkey that reports no counter, every time', async () => {
      const { service, registered, inTransaction, table } = setUp();
      const { authenticator, passkey } = await registered(
        new SoftwareAuthenticator({ origin: ORIGIN, synced: true, countsSignatures: false }),
      );
      for (let round = 0; round < 3; round += 1) {
        const { challengeId, options } = await service.authenticationOptions();
        const verified = await service.verifyAssertion({ challengeId, response: authenticator.get(options) }, client);
        expect(verified.method).toBe('swk');
        await expect(
          inTransaction((transaction) => service.record(transaction, verified, client)),
        ).resolves.toBeUndefined();
      }
      expect(table.passkeys.get(passkey.id)).toMatchObject({ signCount: 0n, lastUsedAt: expect.any(Date) });
    });
  });

  describe('management', () => {
    it('renames and removes only the caller’s own passkeys, auditing each change', async () => {
      const { service, registered, addAccount, callerOf, auditTable, mailer, inTransaction } = setUp();
      const { user, passkey } = await registered();
      const other = await addAccount();

      expect(await refusal(service.rename(callerOf(other), passkey.id, 'Mine now', client))).toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(
        await refusal(
          inTransaction((transaction) => service.removeIn(transaction, callerOf(other), passkey.id, client)),
        ),
      ).toMatchObject({ code: 'NOT_FOUND' });
      expect(await service.rename(callerOf(user), passkey.id, 'Work laptop', client)).toMatchObject({
        name: 'Work laptop',
      });
      await inTransaction((transaction) => service.removeIn(transaction, callerOf(user), passkey.id, client));

      expect(await service.list(user.id)).toEqual([]);
      expect(auditTable.rows.map((row) => row.type)).toEqual([
        'PASSKEY_REGISTERED',
        'PASSKEY_RENAMED',
        'PASSKEY_REMOVED',
      ]);
      expect(mailer.sent.map((message) => message.subject)).toContain('A passkey was removed from your account');
    });
  });
});
