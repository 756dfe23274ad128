import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PasswordHasher } from '../src/auth/passwords/password-hasher';
import { AppConfig } from '../src/config/app-config';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, login, me, refresh, register, registerAdmin, STRONG_PASSWORD } from './support/accounts';
import { MailTestApp, startMailTestApp } from './support/mail-test-app';
import { tokenFromMail } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

const NEW_PASSWORD = 'a brand new passphrase for me';
// Each race runs this many rounds with the second request sent 0..ROUNDS-1 ms after the first:
// without the fixes, every race below lost in several rounds of 20 on a 2-core machine.
const ROUNDS = 20;
// The instance started later must accept the same tokens: passport strategies are process-wide, so the
// last app started verifies for all of them.
const SHARED_SECRET = 'security-state-e2e-shared-hs256-secret-0123456789';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const later = async <T>(ms: number, send: () => PromiseLike<T>): Promise<T> => {
  await pause(ms);
  return send();
};

/**
 * A security decision is checked and acted on in one step: each test races the check against a
 * change that invalidates it, or restarts an instance after the rows the decision rested on are gone.
 */
describe('Security state', () => {
  let mail: MailTestApp;
  // BCRYPT_COST 8 (~15 ms a hash) on the racing instance: wide enough for a change to commit between
  // a check and the write that relies on it.
  let slow: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    mail = await startMailTestApp({
      PUBLIC_URL: 'https://app.example.test',
      BCRYPT_COST: '8',
      JWT_ACCESS_SECRET: SHARED_SECRET,
    });
    slow = mail.app;
    server = mail.server;
    prisma = slow.get(PrismaService);
  });

  afterAll(async () => {
    await mail.close();
  });

  const loginRequest = (email: string, password: string) =>
    request(server).post('/api/v1/auth/login').send({ email, password });
  const changePassword = (accessToken: string, currentPassword = STRONG_PASSWORD, newPassword = NEW_PASSWORD) =>
    request(server)
      .post('/api/v1/auth/change-password')
      .set(bearer(accessToken))
      .send({ currentPassword, newPassword });
  const resetPassword = (token: string, newPassword = NEW_PASSWORD) =>
    request(server).post('/api/v1/auth/reset-password').send({ token, newPassword });
  const setStatus = (adminToken: string, id: string, status: 'ACTIVE' | 'DISABLED') =>
    request(server).patch(`/api/v1/users/${id}`).set(bearer(adminToken)).send({ status });

  async function resetTokenFor(email: string): Promise<string> {
    expect((await request(server).post('/api/v1/auth/forgot-password').send({ email })).status).toBe(202);
    const [message] = await mail.sink.waitFor(email, 'Reset your password');
    return tokenFromMail(message);
  }

  /** A user whose stored hash has cost 4 (as after BCRYPT_COST is raised), so the next login rehashes it. */
  async function userWithCheapHash(): Promise<{ email: string; accessToken: string; id: string }> {
    const registered = await register(server);
    const cheap = new PasswordHasher({ cost: 4, pepper: slow.get(AppConfig).password.pepper });
    const passwordHash = await cheap.hash(STRONG_PASSWORD);
    await prisma.user.update({ where: { id: registered.user.id }, data: { passwordHash } });
    return { email: registered.user.email, accessToken: registered.accessToken, id: registered.user.id };
  }

  /** True when the pair's session is still usable: its refresh token is accepted. */
  async function sessionSurvives(pair: { refreshToken: string }): Promise<boolean> {
    return (await refresh(server, pair.refreshToken)).status === 200;
  }

  describe('a rehash at login replaces only the hash it verified', () => {
    it(`a login with the old password racing a password change never brings the old password back (${ROUNDS} rounds)`, async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const user = await userWithCheapHash();
        const [changed] = await Promise.all([
          changePassword(user.accessToken),
          later(round % 10, () => loginRequest(user.email, STRONG_PASSWORD)),
        ]);
        expect(changed.status).toBe(204);
        const newWorks = (await loginRequest(user.email, NEW_PASSWORD)).status;
        const oldWorks = (await loginRequest(user.email, STRONG_PASSWORD)).status;
        outcomes.push(`new ${newWorks}, old ${oldWorks}`);
      }
      expect(outcomes).toEqual(Array.from({ length: ROUNDS }, () => 'new 200, old 401'));
    });

    it('concurrent logins that each rehash all succeed, and the stored hash then has the configured cost', async () => {
      const user = await userWithCheapHash();
      const answers = await Promise.all(Array.from({ length: 5 }, () => loginRequest(user.email, STRONG_PASSWORD)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      const stored = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.passwordHash).toMatch(/^\$2[aby]\$08\$/);
    });
  });

  describe('a session is created only on the credentials and status it was granted on', () => {
    let admin: { accessToken: string };

    beforeAll(async () => {
      admin = await registerAdmin(server, prisma);
    });

    it(`a login racing a disable leaves no working session (${ROUNDS} rounds)`, async () => {
      const survivors: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const { user } = await register(server);
        const [loggedIn, disabled] = await Promise.all([
          loginRequest(user.email, STRONG_PASSWORD),
          later(round % 10, () => setStatus(admin.accessToken, user.id, 'DISABLED')),
        ]);
        expect(disabled.status).toBe(200);
        if (loggedIn.status === 200) {
          const pair = loggedIn.body as { accessToken: string; refreshToken: string };
          if ((await me(server, pair.accessToken)).status === 200 || (await sessionSurvives(pair)))
            survivors.push(round);
        } else {
          expect(loggedIn.body.code).toBe('ACCOUNT_DISABLED');
        }
      }
      expect(survivors).toEqual([]);
    });

    it(`a login with the old password racing a password change leaves no working session (${ROUNDS} rounds)`, async () => {
      const survivors: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const registered = await register(server);
        // The change verifies and hashes (~30 ms) before it commits: the login reads the account just before.
        const [changed, loggedIn] = await Promise.all([
          changePassword(registered.accessToken),
          later(10 + round, () => loginRequest(registered.user.email, STRONG_PASSWORD)),
        ]);
        expect(changed.status).toBe(204);
        if (loggedIn.status === 200 && (await sessionSurvives(loggedIn.body as { refreshToken: string }))) {
          survivors.push(round);
        }
      }
      expect(survivors).toEqual([]);
    });

    it(`a login with the old password racing a reset leaves no working session (${ROUNDS} rounds)`, async () => {
      const survivors: number[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        const { user } = await register(server);
        const token = await resetTokenFor(user.email);
        const [loggedIn, reset] = await Promise.all([
          loginRequest(user.email, STRONG_PASSWORD),
          later(round % 10, () => resetPassword(token)),
        ]);
        expect(reset.status).toBe(204);
        if (loggedIn.status === 200 && (await sessionSurvives(loggedIn.body as { refreshToken: string }))) {
          survivors.push(round);
        }
      }
      expect(survivors).toEqual([]);
    });
  });

  describe('reset links end with the state they were issued on', () => {
    let admin: { accessToken: string };

    beforeAll(async () => {
      admin = await registerAdmin(server, prisma);
    });

    it('a link requested before a password change no longer works after it', async () => {
      const registered = await register(server);
      const token = await resetTokenFor(registered.user.email);
      expect((await changePassword(registered.accessToken)).status).toBe(204);

      const answer = await resetPassword(token, 'a third passphrase entirely');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_RESET_TOKEN');
      expect((await loginRequest(registered.user.email, NEW_PASSWORD)).status).toBe(200);
    });

    it('a link issued while active neither sets the password nor verifies the email once an admin disabled the account', async () => {
      const { user } = await register(server);
      const token = await resetTokenFor(user.email);
      expect((await setStatus(admin.accessToken, user.id, 'DISABLED')).status).toBe(200);

      const answer = await resetPassword(token);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_RESET_TOKEN');
      const stored = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.emailVerifiedAt).toBeNull();

      // Enabling the account again does not bring the link back.
      expect((await setStatus(admin.accessToken, user.id, 'ACTIVE')).status).toBe(200);
      expect((await resetPassword(token)).body.code).toBe('INVALID_RESET_TOKEN');
      expect((await loginRequest(user.email, STRONG_PASSWORD)).status).toBe(200);
    });

    it('a disabled account is sent no link', async () => {
      const { user } = await register(server);
      expect((await setStatus(admin.accessToken, user.id, 'DISABLED')).status).toBe(200);
      expect((await request(server).post('/api/v1/auth/forgot-password').send({ email: user.email })).status).toBe(202);
      await pause(300);
      expect(mail.sink.to(user.email).filter((message) => message.subject === 'Reset your password')).toEqual([]);
    });

    it('a link used once is spent, and the reset ended the sessions that existed', async () => {
      const { user } = await register(server);
      const earlier = await login(server, user.email);
      const token = await resetTokenFor(user.email);
      expect((await resetPassword(token)).status).toBe(204);
      expect((await resetPassword(token, 'a third passphrase entirely')).body.code).toBe('INVALID_RESET_TOKEN');
      expect(await sessionSurvives(earlier)).toBe(false);
    });
  });

  describe('revocation outlives the rows it was about', () => {
    it("a deleted admin's access token is refused by an instance started after the deletion", async () => {
      const doomed = await registerAdmin(server, prisma);
      const remaining = await registerAdmin(server, prisma);
      const victim = await register(server);
      expect(
        (await request(server).delete(`/api/v1/users/${doomed.user.id}`).set(bearer(remaining.accessToken))).status,
      ).toBe(204);

      const fresh = await startTestApp({ env: { JWT_ACCESS_SECRET: SHARED_SECRET } });
      try {
        const freshServer = fresh.getHttpServer();
        const list = await request(freshServer).get('/api/v1/users').set(bearer(doomed.accessToken));
        expect(list.status).toBe(401);
        expect(list.body.code).toBe('SESSION_REVOKED');
        const promote = await request(freshServer)
          .patch(`/api/v1/users/${victim.user.id}`)
          .set(bearer(doomed.accessToken))
          .send({ role: 'ADMIN' });
        expect(promote.status).toBe(401);
        const note = await request(freshServer)
          .post('/api/v1/notes')
          .set(bearer(doomed.accessToken))
          .send({ title: 'still here?', body: 'no' });
        expect(note.status).toBe(401);
        expect((await prisma.user.findUniqueOrThrow({ where: { id: victim.user.id } })).role).toBe('USER');
      } finally {
        await fresh.close();
      }
    });
  });
});
