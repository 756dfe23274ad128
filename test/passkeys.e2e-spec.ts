import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeJwt } from 'jose';
import type { Server } from 'node:http';
import request from 'supertest';
import type { AuditEventType } from '../src/generated/prisma/enums';
import { SoftwareAuthenticator } from '../src/passkeys/software-authenticator.fake';
import { PrismaService } from '../src/prisma/prisma.service';
import {
  bearer,
  me,
  register,
  registerAdmin,
  sessionIdOf,
  STRONG_PASSWORD,
  TokenPair,
  uniqueEmail,
} from './support/accounts';
import { startTestApp } from './support/test-app';

const API = '/api/v1';
const ORIGIN = 'https://app.example.com';
const MAX_PASSKEYS = 20;

interface PasskeyBody {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  backedUp: boolean;
  transports: string[];
}

interface AssertionOptions {
  challengeId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

const statusesOf = (answers: { status: number }[]) => answers.map((answer) => answer.status).sort();

describe('Passkeys (WebAuthn) over HTTP', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ env: { PUBLIC_URL: ORIGIN, WEBAUTHN_RP_ID: 'app.example.com' } });
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app.close();
  });

  const authenticator = (options: { synced?: boolean; countsSignatures?: boolean } = {}) =>
    new SoftwareAuthenticator({ origin: ORIGIN, ...options });

  const registrationOptions = async (pair: TokenPair): Promise<PublicKeyCredentialCreationOptionsJSON> => {
    const answer = await request(server)
      .post(`${API}/auth/passkeys/registration/options`)
      .set(bearer(pair.accessToken));
    expect(answer.status).toBe(200);
    return answer.body as PublicKeyCredentialCreationOptionsJSON;
  };

  const postRegistration = (pair: TokenPair, body: Record<string, unknown>) =>
    request(server).post(`${API}/auth/passkeys/registration`).set(bearer(pair.accessToken)).send(body);

  /** Registers a passkey of `device` on the account of `pair`, through the HTTP ceremony. */
  const registerPasskey = async (pair: TokenPair, device = authenticator(), name?: string): Promise<PasskeyBody> => {
    const response = device.create(await registrationOptions(pair));
    const answer = await postRegistration(pair, { response, ...(name ? { name } : {}) });
    expect(answer.status).toBe(201);
    return answer.body as PasskeyBody;
  };

  const assertionOptions = async (email?: string): Promise<AssertionOptions> => {
    const answer = await request(server)
      .post(`${API}/auth/passkeys/authentication/options`)
      .send(email === undefined ? {} : { email });
    expect(answer.status).toBe(200);
    return answer.body as AssertionOptions;
  };

  /** Fresh options (for `email`, or for any discoverable passkey) answered by `device`. */
  const assertionOf = async (
    device: SoftwareAuthenticator,
    email?: string,
    overrides?: Parameters<SoftwareAuthenticator['get']>[1],
  ) => {
    const { challengeId, options } = await assertionOptions(email);
    return { challengeId, response: device.get(options, overrides) };
  };

  const passkeyLogin = (body: object) => request(server).post(`${API}/auth/passkeys/authentication`).send(body);

  const passwordLogin = (email: string) =>
    request(server).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD });

  /** A registered account with one passkey, and the password session (amr ["pwd"]) that registered it. */
  async function accountWithPasskey(device = authenticator()) {
    const email = uniqueEmail('passkey');
    const pair = await register(server, email);
    const passkey = await registerPasskey(pair, device);
    return { email, pair, passkey, device };
  }

  const auditOf = (subjectId: string, type: AuditEventType) =>
    prisma.auditEvent.findMany({ where: { subjectId, type }, orderBy: { occurredAt: 'asc' } });

  describe('registration and login without a password', () => {
    it('registers, lists and renames a passkey, then logs in with it alone as hwk + user', async () => {
      const email = uniqueEmail('passkey');
      const pair = await register(server, email);
      const device = authenticator();
      const passkey = await registerPasskey(pair, device, 'Laptop');
      expect(passkey).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Laptop',
        createdAt: expect.any(String),
        lastUsedAt: null,
        backedUp: false,
        transports: ['internal'],
      });

      const listed = await request(server).get(`${API}/auth/passkeys`).set(bearer(pair.accessToken));
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([passkey]);

      const renamed = await request(server)
        .patch(`${API}/auth/passkeys/${passkey.id}`)
        .set(bearer(pair.accessToken))
        .send({ name: 'Work laptop' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ ...passkey, name: 'Work laptop' });
      const stranger = await register(server, uniqueEmail('stranger'));
      const notTheirs = await request(server)
        .patch(`${API}/auth/passkeys/${passkey.id}`)
        .set(bearer(stranger.accessToken))
        .send({ name: 'Mine now' });
      expect(notTheirs.status).toBe(404);

      // No email: the browser offers any discoverable passkey of the site.
      const { challengeId, options } = await assertionOptions();
      expect(options.allowCredentials).toBeUndefined();
      const login = await passkeyLogin({ challengeId, response: device.get(options) });
      expect(login.status).toBe(200);
      expect(login.body.user).toMatchObject({ id: pair.user.id, email });
      expect(decodeJwt(login.body.accessToken as string)).toMatchObject({ sub: pair.user.id, amr: ['hwk', 'user'] });
      const tokens = login.body as TokenPair;

      const sessions = await request(server).get(`${API}/auth/sessions`).set(bearer(tokens.accessToken));
      expect(sessions.status).toBe(200);
      expect(sessions.body).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: sessionIdOf(tokens), current: true, amr: ['hwk', 'user'] }),
          expect.objectContaining({ id: sessionIdOf(pair), current: false, amr: ['pwd'] }),
        ]),
      );
      expect((await request(server).get(`${API}/auth/mfa`).set(bearer(tokens.accessToken))).body).toEqual({
        totp: null,
        recoveryCodesLeft: 0,
        passkeys: 1,
      });
      const [used] = (await request(server).get(`${API}/auth/passkeys`).set(bearer(tokens.accessToken))).body;
      expect(used.lastUsedAt).not.toBeNull();

      const [succeeded] = await auditOf(pair.user.id, 'LOGIN_SUCCEEDED');
      expect(succeeded).toMatchObject({
        sessionId: sessionIdOf(tokens),
        details: { method: 'passkey', passkeyId: passkey.id },
      });
      for (const type of ['PASSKEY_REGISTERED', 'PASSKEY_RENAMED', 'PASSKEY_USED'] as const) {
        expect(await auditOf(pair.user.id, type)).toEqual([
          expect.objectContaining({ details: expect.objectContaining({ passkeyId: passkey.id }) }),
        ]);
      }
    });

    it('logs in with a synced passkey as swk + user', async () => {
      const { email, passkey, device } = await accountWithPasskey(authenticator({ synced: true }));
      expect(passkey.backedUp).toBe(true);
      const login = await passkeyLogin(await assertionOf(device, email));
      expect(login.status).toBe(200);
      expect(decodeJwt(login.body.accessToken as string).amr).toEqual(['swk', 'user']);
    });
  });

  describe('as a second factor', () => {
    it('makes a password login answer MFA_REQUIRED with webauthn, completed by an assertion after a refused one', async () => {
      const { email, device } = await accountWithPasskey();
      const stranger = await accountWithPasskey();
      const required = await passwordLogin(email);
      expect(required.status).toBe(403);
      expect(required.body).toMatchObject({ code: 'MFA_REQUIRED', methods: ['webauthn'] });
      const { mfaToken } = required.body as { mfaToken: string };
      const verify = (passkey: unknown) => request(server).post(`${API}/auth/mfa/verify`).send({ mfaToken, passkey });

      // Refusals roll the mfaToken's use back: it stays good for another try.
      const phished = await verify(await assertionOf(device, email, { origin: 'https://app.example.com.evil.net' }));
      expect(phished.status).toBe(401);
      expect(phished.body.code).toBe('INVALID_PASSKEY');
      const strangers = await verify(await assertionOf(stranger.device));
      expect(strangers.status).toBe(401);
      expect(strangers.body).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('another') });

      const verified = await verify(await assertionOf(device, email));
      expect(verified.status).toBe(200);
      expect(decodeJwt(verified.body.accessToken as string).amr).toEqual(['pwd', 'hwk', 'mfa']);
      const again = await verify(await assertionOf(device, email));
      expect(again.body.code).toBe('INVALID_MFA_TOKEN');
    });

    it('steps a password session up with a passkey: same session, a second factor, and removal allowed', async () => {
      const { email, pair, passkey, device } = await accountWithPasskey();
      const stepUp = (passkeyAssertion: unknown) =>
        request(server)
          .post(`${API}/auth/mfa/step-up`)
          .set(bearer(pair.accessToken))
          .send({ passkey: passkeyAssertion });

      const assertion = await assertionOf(device, email);
      const stepped = await stepUp(assertion);
      expect(stepped.status).toBe(200);
      const claims = decodeJwt(stepped.body.accessToken as string);
      expect(claims).toMatchObject({ sid: sessionIdOf(pair), amr: ['pwd', 'hwk', 'mfa'] });
      expect((await stepUp(assertion)).body.code).toBe('INVALID_PASSKEY');

      const removal = await request(server)
        .delete(`${API}/auth/passkeys/${passkey.id}`)
        .set(bearer(stepped.body.accessToken as string));
      expect(removal.status).toBe(204);
    });
  });

  describe('under load', () => {
    it('completes 40 concurrent logins and step-ups whose second factor is a passkey, none starved of a connection', async () => {
      // The assertion is verified before the transaction opens: verifying it inside held a pooled
      // connection while asking the same pool for more, and a burst answered 500 and 503.
      const accounts = await Promise.all(Array.from({ length: 40 }, () => accountWithPasskey()));
      const verifications = await Promise.all(
        accounts.map(async ({ email, device }) => {
          const { mfaToken } = (await passwordLogin(email)).body as { mfaToken: string };
          return { mfaToken, passkey: await assertionOf(device, email) };
        }),
      );
      const verified = await Promise.all(
        verifications.map((body) => request(server).post(`${API}/auth/mfa/verify`).send(body)),
      );
      expect(statusesOf(verified)).toEqual(Array.from({ length: 40 }, () => 200));

      const stepUps = await Promise.all(accounts.map(({ email, device }) => assertionOf(device, email)));
      const stepped = await Promise.all(
        accounts.map(({ pair }, index) =>
          request(server)
            .post(`${API}/auth/mfa/step-up`)
            .set(bearer(pair.accessToken))
            .send({ passkey: stepUps[index] }),
        ),
      );
      expect(statusesOf(stepped)).toEqual(Array.from({ length: 40 }, () => 200));
    }, 60_000);
  });

  describe('removal', () => {
    it('needs a recent second factor (a fresh passkey login is one), and a removed passkey is refused', async () => {
      const { email, pair, passkey, device } = await accountWithPasskey();
      const other = authenticator();
      await registerPasskey(pair, other);
      const remove = (id: string, accessToken: string) =>
        request(server).delete(`${API}/auth/passkeys/${id}`).set(bearer(accessToken));

      // The session that registered the passkeys logged in with the password alone.
      const refused = await remove(passkey.id, pair.accessToken);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('MFA_STEP_UP_REQUIRED');

      // A passkey login is a second factor, but not a recent one once MFA_STEP_UP_MAX_AGE (15 min) passed.
      const aged = (await passkeyLogin(await assertionOf(other, email))).body as TokenPair;
      await prisma.session.update({
        where: { id: sessionIdOf(aged) },
        data: { authTime: new Date(Date.now() - 20 * 60_000) },
      });
      const refreshed = await request(server).post(`${API}/auth/refresh`).send({ refreshToken: aged.refreshToken });
      expect(decodeJwt(refreshed.body.accessToken as string).amr).toEqual(['hwk', 'user']);
      const tooOld = await remove(passkey.id, refreshed.body.accessToken as string);
      expect(tooOld.status).toBe(403);
      expect(tooOld.body.code).toBe('MFA_STEP_UP_REQUIRED');

      const withOther = (await passkeyLogin(await assertionOf(other, email))).body as TokenPair;
      expect((await remove(passkey.id, withOther.accessToken)).status).toBe(204);
      expect((await remove(passkey.id, withOther.accessToken)).status).toBe(404);
      expect(await auditOf(pair.user.id, 'PASSKEY_REMOVED')).toEqual([
        expect.objectContaining({ details: { passkeyId: passkey.id } }),
      ]);

      const stale = await passkeyLogin(await assertionOf(device));
      expect(stale.status).toBe(401);
      expect(stale.body).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('not registered') });
    });
  });

  describe('races', () => {
    it('of one assertion posted 8 times at once, exactly one logs in (10 rounds)', async () => {
      // A device-bound authenticator that keeps no counter (0 stays 0, accepted every time): the
      // challenge's single use is then all that stops the copies.
      const { email, pair, device } = await accountWithPasskey(authenticator({ countsSignatures: false }));
      const rounds = 10;
      for (let round = 1; round <= rounds; round++) {
        const assertion = await assertionOf(device, email);
        const answers = await Promise.all(Array.from({ length: 8 }, () => passkeyLogin(assertion)));
        expect(statusesOf(answers)).toEqual([200, 401, 401, 401, 401, 401, 401, 401]);
        for (const answer of answers.filter(({ status }) => status === 401)) {
          expect(answer.body.code).toBe('INVALID_PASSKEY');
        }
      }
      expect(await prisma.auditEvent.count({ where: { subjectId: pair.user.id, type: 'LOGIN_SUCCEEDED' } })).toBe(
        rounds,
      );
    });

    it('of two assertions with one counter value on two challenges, one logs in and the other is a suspected clone (10 rounds)', async () => {
      const { email, pair, passkey, device } = await accountWithPasskey();
      const rounds = 10;
      for (let round = 1; round <= rounds; round++) {
        const signCount = round * 10;
        const [first, second] = await Promise.all([assertionOptions(email), assertionOptions(email)]);
        const answers = await Promise.all(
          [first, second].map(({ challengeId, options }) =>
            passkeyLogin({ challengeId, response: device.get(options, { signCount }) }),
          ),
        );
        expect(statusesOf(answers)).toEqual([200, 401]);
        expect(answers.find(({ status }) => status === 401)?.body.code).toBe('INVALID_PASSKEY');
      }
      const suspected = await auditOf(pair.user.id, 'PASSKEY_CLONE_SUSPECTED');
      expect(suspected).toHaveLength(rounds);
      expect(suspected[0].details).toMatchObject({ passkeyId: passkey.id, reportedCounter: 10 });
      const stored = await prisma.passkey.findUniqueOrThrow({ where: { id: passkey.id } });
      expect(stored.signCount).toBe(BigInt(rounds * 10));
    });

    it(`of 24 registrations at once on an account without passkeys, exactly ${MAX_PASSKEYS} are stored (3 rounds)`, async () => {
      // Without the per-account lock, 20 rounds of 20 stored 22 to 24.
      for (let round = 1; round <= 3; round++) {
        const pair = await register(server, uniqueEmail('passkey-limit'));
        const responses = await Promise.all(
          Array.from({ length: 24 }, async () => authenticator().create(await registrationOptions(pair))),
        );
        const answers = await Promise.all(responses.map((response) => postRegistration(pair, { response })));
        expect(statusesOf(answers)).toEqual([...Array<number>(MAX_PASSKEYS).fill(201), 409, 409, 409, 409]);
        for (const answer of answers.filter(({ status }) => status === 409)) {
          expect(answer.body.code).toBe('PASSKEY_LIMIT_REACHED');
        }
        expect(await prisma.passkey.count({ where: { userId: pair.user.id } })).toBe(MAX_PASSKEYS);
      }
    });

    it('of one set of registration options answered by 6 authenticators at once, exactly one is registered (10 rounds)', async () => {
      // Six different credentials: the unique credential id cannot stop them, only the challenge's single use.
      for (let round = 1; round <= 10; round++) {
        const pair = await register(server, uniqueEmail('passkey-options'));
        const options = await registrationOptions(pair);
        const answers = await Promise.all(
          Array.from({ length: 6 }, () => postRegistration(pair, { response: authenticator().create(options) })),
        );
        expect(statusesOf(answers)).toEqual([201, 400, 400, 400, 400, 400]);
        for (const answer of answers.filter(({ status }) => status === 400)) {
          expect(answer.body.code).toBe('INVALID_PASSKEY');
        }
      }
    });

    it('of a passkey login racing the account’s disabling, none leaves a working session (20 rounds)', async () => {
      // The disable is sent 0 to 9 ms after the login, so it commits on either side of the login's read of
      // the account; without the grant re-asserted by the session insert, 13 rounds of 20 left a session.
      const admin = await registerAdmin(server, prisma);
      const survivors: number[] = [];
      for (let round = 0; round < 20; round++) {
        const { email, pair, device } = await accountWithPasskey();
        const assertion = await assertionOf(device, email);
        const [loggedIn, disabled] = await Promise.all([
          passkeyLogin(assertion),
          (async () => {
            await new Promise((resolve) => setTimeout(resolve, round % 10));
            return request(server)
              .patch(`${API}/users/${pair.user.id}`)
              .set(bearer(admin.accessToken))
              .send({ status: 'DISABLED' });
          })(),
        ]);
        expect(disabled.status).toBe(200);
        if (loggedIn.status === 200) {
          const tokens = loggedIn.body as TokenPair;
          const refreshed = await request(server)
            .post(`${API}/auth/refresh`)
            .send({ refreshToken: tokens.refreshToken });
          if ((await me(server, tokens.accessToken)).status === 200 || refreshed.status === 200) survivors.push(round);
        } else {
          expect(loggedIn.body.code).toBe('ACCOUNT_DISABLED');
        }
      }
      expect(survivors).toEqual([]);
    });
  });

  describe('enumeration', () => {
    it('gives an unknown email and an account without passkeys options of the same shape, stable per email', async () => {
      const unknownEmail = uniqueEmail('nobody');
      const withoutPasskeys = await register(server, uniqueEmail('no-passkeys'));
      const unknown = await assertionOptions(unknownEmail);
      const unknownAgain = await assertionOptions(unknownEmail.toUpperCase());
      const account = await assertionOptions(withoutPasskeys.user.email);

      expect(Object.keys(account).sort()).toEqual(Object.keys(unknown).sort());
      expect(Object.keys(account.options).sort()).toEqual(Object.keys(unknown.options).sort());
      for (const { options } of [unknown, account]) {
        expect(options.allowCredentials).toEqual([
          { id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), type: 'public-key', transports: ['hybrid', 'internal'] },
        ]);
      }
      // The same decoy every time (a new one per request would tell it from a real passkey).
      expect(unknownAgain.options.allowCredentials).toEqual(unknown.options.allowCredentials);
      expect(unknownAgain.options.challenge).not.toBe(unknown.options.challenge);
      expect(account.options.allowCredentials).not.toEqual(unknown.options.allowCredentials);
      expect((await assertionOptions(withoutPasskeys.user.email)).options.allowCredentials).toEqual(
        account.options.allowCredentials,
      );
    });
  });

  describe('refusals', () => {
    it('refuses a disabled account’s valid assertion with 403 ACCOUNT_DISABLED, recording no use', async () => {
      const { email, pair, passkey, device } = await accountWithPasskey();
      await prisma.user.update({ where: { id: pair.user.id }, data: { status: 'DISABLED' } });
      const answer = await passkeyLogin(await assertionOf(device, email));
      expect(answer.status).toBe(403);
      expect(answer.body.code).toBe('ACCOUNT_DISABLED');
      expect((await prisma.passkey.findUniqueOrThrow({ where: { id: passkey.id } })).lastUsedAt).toBeNull();
      expect(await auditOf(pair.user.id, 'LOGIN_FAILED')).toEqual([
        expect.objectContaining({ details: { reason: 'ACCOUNT_DISABLED', method: 'passkey' } }),
      ]);
    });

    it('refuses an assertion made on another origin with 401', async () => {
      const { email, pair, device } = await accountWithPasskey();
      const answer = await passkeyLogin(await assertionOf(device, email, { origin: 'https://app.example.net' }));
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ code: 'INVALID_PASSKEY', detail: expect.stringContaining('origin') });
      expect(await auditOf(pair.user.id, 'PASSKEY_REJECTED')).toEqual([
        expect.objectContaining({ details: expect.objectContaining({ reason: 'VERIFICATION_FAILED' }) }),
      ]);
    });

    it('refuses a device-bound passkey whose counter went backwards or stood still, auditing a suspected clone', async () => {
      const { email, pair, passkey, device } = await accountWithPasskey();
      expect((await passkeyLogin(await assertionOf(device, email, { signCount: 5 }))).status).toBe(200);
      for (const signCount of [3, 5]) {
        const answer = await passkeyLogin(await assertionOf(device, email, { signCount }));
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('INVALID_PASSKEY');
      }
      expect((await auditOf(pair.user.id, 'PASSKEY_CLONE_SUSPECTED')).map((event) => event.details)).toEqual([
        { passkeyId: passkey.id, storedCounter: 5, reportedCounter: 3 },
        { passkeyId: passkey.id, storedCounter: 5, reportedCounter: 5 },
      ]);
      expect((await passkeyLogin(await assertionOf(device, email, { signCount: 6 }))).status).toBe(200);
    });

    it('accepts a synced passkey whose counter went backwards: its copies count apart', async () => {
      const { email, device } = await accountWithPasskey(authenticator({ synced: true }));
      expect((await passkeyLogin(await assertionOf(device, email, { signCount: 5 }))).status).toBe(200);
      expect((await passkeyLogin(await assertionOf(device, email, { signCount: 3 }))).status).toBe(200);
    });

    it('refuses a registration made with another account’s options, which stay good for their owner', async () => {
      const owner = await register(server, uniqueEmail('owner'));
      const other = await register(server, uniqueEmail('other'));
      const response = authenticator().create(await registrationOptions(owner));
      const answer = await postRegistration(other, { response });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_PASSKEY');
      expect(await prisma.passkey.count({ where: { userId: other.user.id } })).toBe(0);
      expect((await postRegistration(owner, { response })).status).toBe(201);
    });

    it('refuses malformed bodies with 400 VALIDATION_FAILED, without using the challenge up', async () => {
      const { email, pair, device } = await accountWithPasskey();
      const { challengeId, response } = await assertionOf(device, email);
      const registration = authenticator().create(await registrationOptions(pair));
      const malformed: [string, object][] = [
        ['/auth/passkeys/authentication', { challengeId }],
        ['/auth/passkeys/authentication', { challengeId, response: { ...response, id: 'not+base64url=' } }],
        ['/auth/passkeys/authentication', { challengeId, response, rememberMe: true }],
        [
          '/auth/passkeys/authentication',
          { challengeId, response: { ...response, response: { ...response.response, extra: 'x' } } },
        ],
        ['/auth/passkeys/authentication', { challengeId: 'not-a-uuid', response }],
        ['/auth/passkeys/authentication/options', { email: 'not an email' }],
        ['/auth/mfa/verify', { mfaToken: 'x'.repeat(43), passkey: { challengeId: 'not-a-uuid', response } }],
        ['/auth/passkeys/registration', {}],
        ['/auth/passkeys/registration', { response: { ...registration, rawId: 'not base64url' } }],
        ['/auth/passkeys/registration', { response: registration, name: ' padded ' }],
        ['/auth/passkeys/registration', { response: registration, owner: pair.user.id }],
      ];
      for (const [path, body] of malformed) {
        const answer = await request(server).post(`${API}${path}`).set(bearer(pair.accessToken)).send(body);
        expect({ path, body, status: answer.status, code: answer.body.code }).toEqual({
          path,
          body,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect((await passkeyLogin({ challengeId, response })).status).toBe(200);
      expect((await postRegistration(pair, { response: registration })).status).toBe(201);
    });
  });

  describe('administrator reset', () => {
    it('removes every passkey of the user: sessions end, the password alone logs in, the passkey is refused', async () => {
      const { email, pair, device } = await accountWithPasskey();
      await registerPasskey(pair);
      const passkeySession = (await passkeyLogin(await assertionOf(device, email))).body as TokenPair;
      const admin = await registerAdmin(server, prisma);

      const reset = await request(server).delete(`${API}/users/${pair.user.id}/mfa`).set(bearer(admin.accessToken));
      expect(reset.status).toBe(204);
      expect(await prisma.passkey.count({ where: { userId: pair.user.id } })).toBe(0);
      expect((await me(server, passkeySession.accessToken)).status).toBe(401);
      expect(await auditOf(pair.user.id, 'MFA_RESET')).toEqual([
        expect.objectContaining({
          actorId: admin.user.id,
          details: expect.objectContaining({ hadFactor: true, passkeysRemoved: 2 }),
        }),
      ]);

      const afterReset = await passwordLogin(email);
      expect(afterReset.status).toBe(200);
      const status = await request(server)
        .get(`${API}/auth/mfa`)
        .set(bearer(afterReset.body.accessToken as string));
      expect(status.body.passkeys).toBe(0);
      const refused = await passkeyLogin(await assertionOf(device));
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('INVALID_PASSKEY');
    });
  });
});
