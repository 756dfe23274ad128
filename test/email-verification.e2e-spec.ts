import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, login, me, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { MailTestApp, startMailTestApp } from './support/mail-test-app';
import { SmtpSink, tokenFromMail } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

const VERIFY_SUBJECT = 'Confirm your email address';
const PUBLIC_URL = 'https://app.example.test/';

describe('Email verification', () => {
  let mail: MailTestApp;
  let sink: SmtpSink;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    mail = await startMailTestApp({ PUBLIC_URL });
    ({ sink, server, prisma } = mail);
  });

  afterAll(() => mail.close());

  const verify = (token: string, target = server) => request(target).post('/api/v1/auth/verify-email').send({ token });
  const resend = (accessToken: string) =>
    request(server).post('/api/v1/auth/resend-verification').set(bearer(accessToken));

  it('mails a verification link on registration, in text and HTML', async () => {
    const email = uniqueEmail('verify');
    await register(server, email);
    const [mail] = await sink.waitFor(email, VERIFY_SUBJECT);
    const token = tokenFromMail(mail);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(mail.text).toContain(`https://app.example.test/verify-email?token=${token}`);
    expect(mail.text).toContain('1 day');
    expect(mail.html).toContain(`href="https://app.example.test/verify-email?token=${token}"`);
  });

  it('verifies once: emailVerified turns true, the token is spent, the audit trail has no token', async () => {
    const email = uniqueEmail('verify');
    const pair = await register(server, email);
    expect((await me(server, pair.accessToken)).body.emailVerified).toBe(false);
    const token = tokenFromMail((await sink.waitFor(email, VERIFY_SUBJECT))[0]);

    expect((await verify(token)).status).toBe(204);
    expect((await me(server, pair.accessToken)).body.emailVerified).toBe(true);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_VERIFICATION_TOKEN');

    const events = await prisma.auditEvent.findMany({ where: { subjectId: pair.user.id, type: 'EMAIL_VERIFIED' } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('refuses unknown and expired tokens with 400 INVALID_VERIFICATION_TOKEN', async () => {
    expect((await verify('no-such-token')).body.code).toBe('INVALID_VERIFICATION_TOKEN');

    const email = uniqueEmail('verify');
    const pair = await register(server, email);
    const token = tokenFromMail((await sink.waitFor(email, VERIFY_SUBJECT))[0]);
    await prisma.actionToken.updateMany({
      where: { userId: pair.user.id, purpose: 'EMAIL_VERIFICATION' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await verify(token);
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe('INVALID_VERIFICATION_TOKEN');
  });

  it('resends a new link that replaces the old one; once verified, resending sends nothing', async () => {
    const email = uniqueEmail('verify');
    const pair = await register(server, email);
    await sink.waitFor(email, VERIFY_SUBJECT);

    const resent = await resend(pair.accessToken);
    expect(resent.status).toBe(202);
    const [first, second] = await sink.waitFor(email, VERIFY_SUBJECT, 2);
    expect((await verify(tokenFromMail(first))).body.code).toBe('INVALID_VERIFICATION_TOKEN');
    expect((await verify(tokenFromMail(second))).status).toBe(204);

    expect((await resend(pair.accessToken)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.to(email)).toHaveLength(2);
  });

  it('needs a bearer token to resend', async () => {
    const response = await request(server).post('/api/v1/auth/resend-verification');
    expect(response.status).toBe(401);
  });

  it('with REQUIRE_VERIFIED_EMAIL refuses the login of an unverified account with 403, then accepts it', async () => {
    const strict = await startTestApp({ env: { SMTP_URL: sink.url, REQUIRE_VERIFIED_EMAIL: 'true' } });
    const strictServer = strict.getHttpServer();
    try {
      const email = uniqueEmail('strict');
      await register(strictServer, email);
      const refused = await request(strictServer).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD });
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
      // The wrong password learns nothing about verification.
      const wrong = await request(strictServer)
        .post('/api/v1/auth/login')
        .send({ email, password: 'not the password at all' });
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');

      const token = tokenFromMail((await sink.waitFor(email, VERIFY_SUBJECT))[0]);
      expect((await verify(token, strictServer)).status).toBe(204);
      expect((await login(strictServer, email)).user.email).toBe(email);
    } finally {
      await strict.close();
    }
  });
});
