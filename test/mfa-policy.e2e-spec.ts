import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import {
  claimsOf,
  login,
  me,
  refresh,
  register,
  registerAdmin,
  STRONG_PASSWORD,
  TokenPair,
  uniqueEmail,
} from './support/accounts';
import { startTestApp } from './support/test-app';

const API = '/api/v1';
const CLI_JS = join(__dirname, '..', 'dist', 'cli', 'main.js');
const SECRET = 'mfa-policy-e2e-shared-access-token-secret-0123456789';
const bearer = (pair: { accessToken: string }) => ({ authorization: `Bearer ${pair.accessToken}` });

/** Enrols an authenticator on the session of `pair`: its codes, computed by the otpauth library. */
async function enrol(server: Server, pair: TokenPair) {
  const started = await request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
  const totp = new TOTP({
    secret: Secret.fromBase32(started.body.secret as string),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  const codeAt = (offsetSteps = 0) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 });
  if (Date.now() % 30_000 > 25_000) await new Promise((resolve) => setTimeout(resolve, 5_200));
  const confirmed = await request(server)
    .post(`${API}/auth/mfa/totp/confirm`)
    .set(bearer(pair))
    .send({ code: codeAt() });
  expect(confirmed.status).toBe(200);
  return { codeAt, recoveryCodes: confirmed.body.recoveryCodes as string[] };
}

describe('Second factors: step-up, required roles, resets', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ env: { MFA_REQUIRED_ROLES: 'ADMIN', JWT_ACCESS_SECRET: SECRET } });
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app.close();
  });

  it('steps the current session up: its next pair carries the factor, and the pair held before is superseded', async () => {
    const email = uniqueEmail('step-up');
    const pair = await register(server, email);
    const { codeAt } = await enrol(server, pair);
    expect((await request(server).post(`${API}/auth/mfa/recovery-codes`).set(bearer(pair))).body.code).toBe(
      'MFA_STEP_UP_REQUIRED',
    );
    const wrong = await request(server)
      .post(`${API}/auth/mfa/step-up`)
      .set(bearer(pair))
      .send({ code: '000000' === codeAt(1) ? '111111' : '000000' });
    expect(wrong.body.code).toBe('INVALID_MFA_CODE');

    const stepped = await request(server)
      .post(`${API}/auth/mfa/step-up`)
      .set(bearer(pair))
      .send({ code: codeAt(1) });
    expect(stepped.status).toBe(200);
    expect(claimsOf(stepped.body.accessToken as string)).toMatchObject({
      sid: claimsOf(pair.accessToken).sid,
      amr: ['pwd', 'otp', 'mfa'],
    });
    expect(
      (
        await request(server)
          .post(`${API}/auth/mfa/recovery-codes`)
          .set(bearer(stepped.body as TokenPair))
      ).status,
    ).toBe(200);
    // The refresh token from before the step-up was superseded: presenting it is reuse.
    expect((await refresh(server, pair.refreshToken)).body.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('asks an account with a second factor for a recent one before changing its password', async () => {
    const email = uniqueEmail('mfa-password');
    const pair = await register(server, email);
    const { codeAt } = await enrol(server, pair);
    const change = (tokens: TokenPair) =>
      request(server)
        .post(`${API}/auth/change-password`)
        .set(bearer(tokens))
        .send({ currentPassword: STRONG_PASSWORD, newPassword: 'a brand new passphrase here' });
    const refused = await change(pair);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('MFA_STEP_UP_REQUIRED');
    const stepped = await request(server)
      .post(`${API}/auth/mfa/step-up`)
      .set(bearer(pair))
      .send({ code: codeAt(1) });
    expect((await change(stepped.body as TokenPair)).status).toBe(204);
  });

  it('holds an ADMIN without a second factor to enrolment, then lets the session in once it steps up', async () => {
    const admin = await registerAdmin(server, prisma);
    const blocked = await request(server).get(`${API}/users`).set(bearer(admin));
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('MFA_ENROLLMENT_REQUIRED');
    expect((await me(server, admin.accessToken)).status).toBe(200);
    expect((await request(server).get(`${API}/auth/mfa`).set(bearer(admin))).status).toBe(200);

    const { codeAt } = await enrol(server, admin);
    // Enrolled, but this session still has no second factor.
    expect((await request(server).get(`${API}/users`).set(bearer(admin))).body.code).toBe('MFA_ENROLLMENT_REQUIRED');
    const stepped = await request(server)
      .post(`${API}/auth/mfa/step-up`)
      .set(bearer(admin))
      .send({ code: codeAt(1) });
    expect(
      (
        await request(server)
          .get(`${API}/users`)
          .set(bearer(stepped.body as TokenPair))
      ).status,
    ).toBe(200);
    // A USER is not held.
    const user = await register(server);
    expect((await request(server).get(`${API}/users/${user.user.id}`).set(bearer(user))).status).toBe(200);
  });

  it('lets an admin reset a user who lost their authenticator: factors gone, sessions ended, audited', async () => {
    const email = uniqueEmail('lost-device');
    const pair = await register(server, email);
    await enrol(server, pair);
    expect((await request(server).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD })).body.code).toBe(
      'MFA_REQUIRED',
    );

    const admin = await registerAdmin(server, prisma);
    const { codeAt } = await enrol(server, admin);
    const adminWithFactor = (
      await request(server)
        .post(`${API}/auth/mfa/step-up`)
        .set(bearer(admin))
        .send({ code: codeAt(1) })
    ).body as TokenPair;
    const reset = await request(server).delete(`${API}/users/${pair.user.id}/mfa`).set(bearer(adminWithFactor));
    expect(reset.status).toBe(204);
    expect((await request(server).delete(`${API}/users/${pair.user.id}/mfa`).set(bearer(pair))).status).toBe(401);
    expect((await login(server, email)).accessToken).toBeDefined();
    const events = await prisma.auditEvent.findMany({ where: { type: 'MFA_RESET', subjectId: pair.user.id } });
    expect(events).toEqual([expect.objectContaining({ actorId: admin.user.id })]);
    const unknown = await request(server)
      .delete(`${API}/users/00000000-0000-4000-8000-000000000000/mfa`)
      .set(bearer(adminWithFactor));
    expect(unknown.status).toBe(404);
  });

  it('resets a user from the operator CLI', async () => {
    const email = uniqueEmail('cli-mfa');
    const pair = await register(server, email);
    await enrol(server, pair);
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_JS, 'reset-mfa', '--user', email], {
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result).toEqual({ code: 0, stdout: `Removed the second factors of ${email} and ended their sessions\n` });
    expect((await login(server, email)).accessToken).toBeDefined();
    expect(
      await prisma.auditEvent.count({ where: { type: 'MFA_RESET', subjectId: pair.user.id, actorId: null } }),
    ).toBe(1);
  }, 60_000);
});

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn('MFA lockout across instances skipped: REDIS_URL is not set (.ci/run sets it)');

(REDIS_URL ? describe : describe.skip)('The second-factor lockout across two instances on one Redis', () => {
  let instances: NestFastifyApplication[];

  beforeAll(async () => {
    // One key prefix for both, as two instances of one deployment (each test app otherwise gets its own).
    const env = {
      REDIS_URL: REDIS_URL!,
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
      LOCKOUT_THRESHOLD: '4',
      JWT_ACCESS_SECRET: SECRET,
    };
    instances = await Promise.all([startTestApp({ env }), startTestApp({ env })]);
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.close()));
  });

  it('counts wrong codes sent to either instance toward one limit', async () => {
    const [first, second] = instances.map((instance) => instance.getHttpServer());
    const email = uniqueEmail('mfa-two');
    const pair = await register(first, email);
    const { codeAt } = await enrol(first, pair);
    const mfaToken = (await request(first).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD })).body
      .mfaToken as string;
    for (const server of [first, second, first, second]) {
      const wrong = await request(server)
        .post(`${API}/auth/mfa/verify`)
        .send({ mfaToken, recoveryCode: 'AAAA-AAAA-AAAA' });
      expect(wrong.body.code).toBe('INVALID_MFA_CODE');
    }
    for (const server of [first, second]) {
      const locked = await request(server)
        .post(`${API}/auth/mfa/verify`)
        .send({ mfaToken, code: codeAt(1) });
      expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    }
  });
});
