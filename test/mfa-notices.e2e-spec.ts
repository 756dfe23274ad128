import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { registerAdmin, register, STRONG_PASSWORD, TokenPair, uniqueEmail } from './support/accounts';
import { MailTestApp, startMailTestApp } from './support/mail-test-app';

const API = '/api/v1';
const bearer = (pair: { accessToken: string }) => ({ authorization: `Bearer ${pair.accessToken}` });

describe('Second factors: the owner is told, and the mfaToken opens nothing else', () => {
  let mail: MailTestApp;

  beforeAll(async () => {
    mail = await startMailTestApp();
  });

  afterAll(async () => {
    await mail.close();
  });

  async function enrol(pair: TokenPair) {
    const started = await request(mail.server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
    const totp = new TOTP({
      secret: Secret.fromBase32(started.body.secret as string),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const codeAt = (offsetSteps = 0) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
    if (Date.now() % 30_000 > 25_000) await new Promise((resolve) => setTimeout(resolve, 5_200));
    expect(
      (await request(mail.server).post(`${API}/auth/mfa/totp/confirm`).set(bearer(pair)).send({ code: codeAt() }))
        .status,
    ).toBe(200);
    return codeAt;
  }

  it('mails the owner when a factor is enabled, and when an admin removes it', async () => {
    const email = uniqueEmail('mfa-mail');
    const pair = await register(mail.server, email);
    await enrol(pair);
    const [enabled] = await mail.sink.waitFor(email, 'Two-step sign-in turned on');
    expect(enabled.text).toContain('An authenticator app was set up');

    const admin = await registerAdmin(mail.server, mail.prisma);
    const codeAt = await enrol(admin);
    const adminLogin = await request(mail.server)
      .post(`${API}/auth/login`)
      .send({ email: admin.user.email, password: STRONG_PASSWORD });
    const withFactor = await request(mail.server)
      .post(`${API}/auth/mfa/verify`)
      .send({ mfaToken: adminLogin.body.mfaToken as string, code: codeAt(1) });
    expect(
      (
        await request(mail.server)
          .delete(`${API}/users/${pair.user.id}/mfa`)
          .set(bearer(withFactor.body as TokenPair))
      ).status,
    ).toBe(204);
    const [removed] = await mail.sink.waitFor(email, 'Two-step sign-in turned off');
    expect(removed.text).toContain('An administrator removed the second factor');
  });

  it('refuses the mfaToken as a bearer token on every route that takes one', async () => {
    const email = uniqueEmail('mfa-bearer');
    await enrol(await register(mail.server, email));
    const login = await request(mail.server).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD });
    const mfaToken = login.body.mfaToken as string;
    const { body: document } = await request(mail.server).get('/docs/openapi.json');
    type Operations = Record<string, Record<string, { security?: unknown[] }>>;
    const answered: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as Operations)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security?.length) continue;
        const url = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const answer = await request(mail.server)[method as 'get'](url).set('authorization', `Bearer ${mfaToken}`);
        answered.push(`${method} ${path} ${answer.status} ${answer.body.code as string}`);
      }
    }
    expect(answered.length).toBeGreaterThan(15);
    expect(answered.filter((line) => !line.endsWith(' 401 INVALID_TOKEN'))).toEqual([]);
  });
});
