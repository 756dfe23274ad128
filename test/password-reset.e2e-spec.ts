import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { login, me, refresh, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { MailTestApp, startMailTestApp } from './support/mail-test-app';
import { SmtpSink, tokenFromMail } from './support/smtp-sink';
import { startTestApp } from './support/test-app';

const RESET_SUBJECT = 'Reset your password';
const NEW_PASSWORD = 'a brand new passphrase for me';
const PUBLIC_URL = 'https://app.example.test';

describe('Password reset', () => {
  let mail: MailTestApp;
  let sink: SmtpSink;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    mail = await startMailTestApp({ PUBLIC_URL, MAIL_FROM: 'Auth Tests <auth@example.test>' });
    ({ sink, server, prisma } = mail);
  });

  afterAll(() => mail.close());

  const forgot = (email: string) => request(server).post('/api/v1/auth/forgot-password').send({ email });
  const reset = (token: string, newPassword = NEW_PASSWORD) =>
    request(server).post('/api/v1/auth/reset-password').send({ token, newPassword });

  /** Asks for a reset and returns the token of the mail that arrives (the n-th reset mail to that address). */
  async function resetTokenFor(email: string, nth = 1): Promise<string> {
    expect((await forgot(email)).status).toBe(202);
    const mails = await sink.waitFor(email, RESET_SUBJECT, nth);
    return tokenFromMail(mails[nth - 1]);
  }

  it('answers 202 with the same body for known and unknown emails, and mails only the known one', async () => {
    const known = uniqueEmail('reset');
    await register(server, known);
    const unknown = uniqueEmail('nobody');

    const unknownResponse = await forgot(unknown);
    const knownResponse = await forgot(known.toUpperCase());
    expect(knownResponse.status).toBe(202);
    expect(unknownResponse.status).toBe(202);
    expect(knownResponse.body).toEqual(unknownResponse.body);
    expect(knownResponse.body.message).toEqual(expect.any(String));

    const [mail] = await sink.waitFor(known, RESET_SUBJECT);
    expect(mail.to).toBe(known);
    expect(mail.from).toBe('Auth Tests <auth@example.test>');
    const token = tokenFromMail(mail);
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(mail.text).toContain(`${PUBLIC_URL}/reset-password?token=${token}`);
    expect(mail.text).toContain('30 minutes');
    expect(mail.html).toContain(`href="${PUBLIC_URL}/reset-password?token=${token}"`);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.to(unknown)).toEqual([]);
  });

  it('resets once: new password works, old fails, every session ends, the token is spent', async () => {
    const email = uniqueEmail('reset');
    const first = await register(server, email);
    const second = await login(server, email);
    const token = await resetTokenFor(email);

    expect((await reset(token)).status).toBe(204);
    const again = await reset(token, 'yet another good passphrase');
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('INVALID_RESET_TOKEN');

    expect((await request(server).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD })).status).toBe(
      401,
    );
    const fresh = await login(server, email, NEW_PASSWORD);
    expect((await me(server, fresh.accessToken)).status).toBe(200);
    for (const pair of [first, second]) {
      expect((await me(server, pair.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, pair.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    }
    // Following the mailed link proved the address.
    expect((await me(server, fresh.accessToken)).body.emailVerified).toBe(true);

    const events = await prisma.auditEvent.findMany({ where: { subjectId: first.user.id, type: 'PASSWORD_RESET' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: first.user.id, email, details: { sessionsEnded: 2 } });
    expect(JSON.stringify(events)).not.toContain(token);
    const stored = await prisma.actionToken.findMany({ where: { userId: first.user.id } });
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('refuses an unknown, expired or superseded token with 400 INVALID_RESET_TOKEN', async () => {
    const unknown = await reset('not-a-real-token');
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('INVALID_RESET_TOKEN');

    const email = uniqueEmail('reset');
    const user = await register(server, email);
    const expiring = await resetTokenFor(email);
    await prisma.actionToken.updateMany({
      where: { userId: user.user.id, purpose: 'PASSWORD_RESET' },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await reset(expiring)).body.code).toBe('INVALID_RESET_TOKEN');

    const older = await resetTokenFor(email, 2);
    const newer = await resetTokenFor(email, 3);
    expect((await reset(older)).body.code).toBe('INVALID_RESET_TOKEN');
    expect((await reset(newer)).status).toBe(204);
  });

  it('lets exactly one of concurrent resets with one token succeed', async () => {
    const email = uniqueEmail('reset');
    await register(server, email);
    const token = await resetTokenFor(email);

    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, index) => reset(token, `concurrent passphrase number ${index}`)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([204, 400, 400, 400, 400]);
    const winner = responses.findIndex((response) => response.status === 204);
    expect((await login(server, email, `concurrent passphrase number ${winner}`)).user.email).toBe(email);
  });

  it('refuses a weak new password with 400 VALIDATION_FAILED and keeps the token usable', async () => {
    const email = uniqueEmail('reset');
    await register(server, email);
    const token = await resetTokenFor(email);

    const weak = await reset(token, 'password123');
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
    expect((await reset(token)).status).toBe(204);
  });

  it('answers 202 even when the mail relay is down', async () => {
    const email = uniqueEmail('reset');
    await register(server, email);
    const broken = await startTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    try {
      const response = await request(broken.getHttpServer()).post('/api/v1/auth/forgot-password').send({ email });
      expect(response.status).toBe(202);
    } finally {
      await broken.close();
    }
  });

  it('mails nothing to a disabled account', async () => {
    const email = uniqueEmail('disabled');
    const pair = await register(server, email);
    await prisma.user.update({ where: { id: pair.user.id }, data: { status: 'DISABLED' } });
    expect((await forgot(email)).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.to(email).filter((mail) => mail.subject === RESET_SUBJECT)).toEqual([]);
  });

  it('documents the reset and verification routes: public or bearer, and their codes', async () => {
    const { body: document } = await request(server).get('/docs/openapi.json');
    type Operation = {
      operationId: string;
      security?: unknown;
      responses: Record<
        string,
        { content?: Record<string, { schema: { allOf: Array<{ properties: { code: { enum: string[] } } }> } }> }
      >;
    };
    const operation = (path: string): Operation => document.paths[`/api/v1/auth/${path}`].post as Operation;
    const codes = (op: Operation, status: number) =>
      op.responses[status].content!['application/problem+json'].schema.allOf[1].properties.code.enum;

    const forgotOp = operation('forgot-password');
    expect(forgotOp.operationId).toBe('forgotPassword');
    expect(forgotOp.security).toEqual([]);
    expect(forgotOp.responses['202']).toBeDefined();
    const resetOp = operation('reset-password');
    expect(resetOp.security).toEqual([]);
    expect(codes(resetOp, 400)).toEqual(expect.arrayContaining(['INVALID_RESET_TOKEN', 'VALIDATION_FAILED']));
    const verifyOp = operation('verify-email');
    expect(verifyOp.security).toEqual([]);
    expect(codes(verifyOp, 400)).toEqual(expect.arrayContaining(['INVALID_VERIFICATION_TOKEN']));
    const resendOp = operation('resend-verification');
    expect(resendOp.security).toEqual([{ bearer: [] }]);
    expect(resendOp.responses['202']).toBeDefined();
    expect(codes(operation('login'), 403)).toEqual(['ACCOUNT_DISABLED', 'EMAIL_NOT_VERIFIED', 'MFA_REQUIRED']);
  });
});
