import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import { MfaChallengesPurgeService } from '../src/mfa/mfa-challenges-purge.service';
import { PrismaService } from '../src/prisma/prisma.service';
import { claimsOf, login, me, refresh, register, STRONG_PASSWORD, TokenPair, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const API = '/api/v1';
const LOCKOUT_THRESHOLD = 4;

/** An authenticator app: the codes of the enrolment's secret, computed by the otpauth library. */
function authenticatorFor(base32: string) {
  const totp = new TOTP({ secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: 6, period: 30 });
  return { codeAt: (offsetSteps = 0) => totp.generate({ timestamp: Date.now() + offsetSteps * 30_000 }) };
}

/** Waits, when needed, until the current 30 s step has at least 5 s left, so a code stays in its step. */
async function awayFromStepEdge(): Promise<void> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 25_000) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStep + 100));
}

describe('Second factors (TOTP)', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ env: { LOCKOUT_THRESHOLD: String(LOCKOUT_THRESHOLD) } });
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app.close();
  });

  const bearer = (pair: TokenPair) => ({ authorization: `Bearer ${pair.accessToken}` });
  const loginRaw = (email: string) =>
    request(server).post(`${API}/auth/login`).send({ email, password: STRONG_PASSWORD });
  const verify = (body: Record<string, string | undefined>) =>
    request(server).post(`${API}/auth/mfa/verify`).send(body);
  const mfaTokenOf = async (email: string): Promise<string> => {
    const answer = await loginRaw(email);
    expect(answer.status).toBe(403);
    return answer.body.mfaToken as string;
  };

  /** A registered user with an enabled authenticator: its secret and recovery codes. */
  async function enrolled() {
    const email = uniqueEmail('mfa');
    const pair = await register(server, email);
    const started = await request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
    expect(started.status).toBe(201);
    const authenticator = authenticatorFor(started.body.secret as string);
    await awayFromStepEdge();
    const confirmed = await request(server)
      .post(`${API}/auth/mfa/totp/confirm`)
      .set(bearer(pair))
      .send({ code: authenticator.codeAt() });
    expect(confirmed.status).toBe(200);
    return { email, pair, authenticator, recoveryCodes: confirmed.body.recoveryCodes as string[] };
  }

  it('enrols an authenticator: a pending secret with its otpauth:// URI and an SVG QR code, enabled by a right code', async () => {
    const email = uniqueEmail('mfa');
    const pair = await register(server, email);
    const other = await login(server, email);
    expect((await request(server).get(`${API}/auth/mfa`).set(bearer(pair))).body).toEqual({
      totp: null,
      recoveryCodesLeft: 0,
      passkeys: 0,
    });

    const started = await request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
    expect(started.status).toBe(201);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.body.otpauthUrl as string);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(started.body.secret);
    expect(uri.searchParams.get('issuer')).toBe('Auth Service');
    expect(decodeURIComponent(uri.pathname)).toContain(email);
    const svg = Buffer.from((started.body.qrCodeDataUrl as string).replace('data:image/svg+xml;base64,', ''), 'base64');
    expect(svg.toString('utf8')).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((await request(server).get(`${API}/auth/mfa`).set(bearer(pair))).body.totp.enabled).toBe(false);

    const authenticator = authenticatorFor(started.body.secret as string);
    await awayFromStepEdge();
    const wrong = String((Number(authenticator.codeAt()) + 1) % 1_000_000).padStart(6, '0');
    const refused = await request(server).post(`${API}/auth/mfa/totp/confirm`).set(bearer(pair)).send({ code: wrong });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('INVALID_MFA_CODE');

    const confirmed = await request(server)
      .post(`${API}/auth/mfa/totp/confirm`)
      .set(bearer(pair))
      .send({ code: authenticator.codeAt() });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
    const status = await request(server).get(`${API}/auth/mfa`).set(bearer(pair));
    expect(status.body).toMatchObject({ totp: { enabled: true }, recoveryCodesLeft: 10 });
    // The session that enabled it stays; every other one ends.
    expect((await me(server, pair.accessToken)).status).toBe(200);
    expect((await refresh(server, other.refreshToken)).status).toBe(401);
    expect((await request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair))).body.code).toBe(
      'MFA_ALREADY_ENABLED',
    );

    const stored = await prisma.totpFactor.findUniqueOrThrow({ where: { userId: pair.user.id } });
    expect(Buffer.from(stored.secretSealed).toString('latin1')).not.toContain(started.body.secret);
    const codes = await prisma.recoveryCode.findMany({ where: { userId: pair.user.id } });
    for (const code of confirmed.body.recoveryCodes as string[]) {
      expect(codes.some((row) => Buffer.from(row.codeHash).toString('latin1').includes(code))).toBe(false);
    }
    const events = await prisma.auditEvent.findMany({ where: { subjectId: pair.user.id, type: 'MFA_ENABLED' } });
    expect(events).toHaveLength(1);
  });

  it('never confirms a secret other than the one the code was checked against (30 rounds of a racing new enrolment)', async () => {
    const outcomes = [];
    for (let round = 1; round <= 30; round++) {
      const pair = await register(server, uniqueEmail('mfa-race'));
      const first = await request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
      await awayFromStepEdge();
      const code = authenticatorFor(first.body.secret as string).codeAt();
      const [confirmed, ...restarts] = await Promise.all([
        request(server).post(`${API}/auth/mfa/totp/confirm`).set(bearer(pair)).send({ code }),
        // Staggered by the round (0 to 29 ms), so that on a loaded machine too both orders happen.
        ...[1, 2, 3].map(async () => {
          await new Promise((resolve) => setTimeout(resolve, round - 1));
          return request(server).post(`${API}/auth/mfa/totp`).set(bearer(pair));
        }),
      ]);
      outcomes.push({ confirmed: confirmed.status, restarted: restarts.map((answer) => answer.status) });
      if (confirmed.status === 200) {
        // What was enabled is the secret the user saw and the code came from: no new enrolment replaced it.
        expect(restarts.map((answer) => answer.status)).toEqual([409, 409, 409]);
        const stored = await prisma.totpFactor.findUniqueOrThrow({ where: { userId: pair.user.id } });
        expect(stored.confirmedAt).not.toBeNull();
      }
    }
    // Both orders happened at least once, or the race was not run.
    expect(outcomes.some((outcome) => outcome.confirmed === 200)).toBe(true);
  }, 120_000);

  it('answers a right password with MFA_REQUIRED, never a token pair, and completes the login with a code', async () => {
    const { email, authenticator } = await enrolled();
    const answer = await loginRaw(email);
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ code: 'MFA_REQUIRED', methods: ['totp', 'recovery_code'] });
    expect(answer.body.mfaToken).toMatch(/^[\w-]{43}$/);
    expect(answer.body.accessToken).toBeUndefined();
    expect(answer.body.refreshToken).toBeUndefined();

    await awayFromStepEdge();
    const wrong = await verify({
      mfaToken: answer.body.mfaToken,
      code: '000000' === authenticator.codeAt() ? '111111' : '000000',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_MFA_CODE');

    // Confirming used the current step: the next code is a step later.
    await new Promise((resolve) => setTimeout(resolve, 30_000 - (Date.now() % 30_000) + 200));
    const verified = await verify({ mfaToken: answer.body.mfaToken, code: authenticator.codeAt() });
    expect(verified.status).toBe(200);
    expect(verified.headers['cache-control']).toBe('no-store');
    const claims = claimsOf(verified.body.accessToken as string);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(10);
    // The refreshed token keeps how the session was authenticated.
    const refreshed = await refresh(server, verified.body.refreshToken as string);
    expect(claimsOf(refreshed.body.accessToken as string)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      auth_time: claims.auth_time,
    });

    const userId = verified.body.user.id as string;
    const audited = await prisma.auditEvent.findMany({
      where: { subjectId: userId, type: { in: ['MFA_FAILED', 'MFA_VERIFIED', 'LOGIN_SUCCEEDED'] } },
    });
    expect(audited.map((event) => event.type).sort()).toEqual(['LOGIN_SUCCEEDED', 'MFA_FAILED', 'MFA_VERIFIED']);
    // The mfaToken completed its login: it never works again, and it is no bearer token.
    expect((await verify({ mfaToken: answer.body.mfaToken, code: authenticator.codeAt() })).body.code).toBe(
      'INVALID_MFA_TOKEN',
    );
    expect((await me(server, answer.body.mfaToken as string)).status).toBe(401);
  }, 90_000);

  it('refuses a code accepted once, even on another login', async () => {
    const { email, authenticator } = await enrolled();
    // The confirming code's step is used; the next step's code is accepted once.
    const code = authenticator.codeAt(1);
    expect((await verify({ mfaToken: await mfaTokenOf(email), code })).status).toBe(200);
    const replay = await verify({ mfaToken: await mfaTokenOf(email), code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('INVALID_MFA_CODE');
  });

  it('of concurrent logins with one code, exactly one gets a session (20 rounds)', async () => {
    const { email, authenticator } = await enrolled();
    for (let round = 1; round <= 20; round++) {
      // Each round a later step (within the drift, which moves with the clock: at most one ahead).
      await prisma.totpFactor.updateMany({ where: { user: { email } }, data: { lastUsedStep: null } });
      const code = authenticator.codeAt(1);
      const tokens = await Promise.all([mfaTokenOf(email), mfaTokenOf(email), mfaTokenOf(email)]);
      const answers = await Promise.all(tokens.map((mfaToken) => verify({ mfaToken, code })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401, 401]);
    }
  }, 120_000);

  it('accepts one step of drift either way and refuses two', async () => {
    const behind = await enrolled();
    // The confirming code used the current step, so only later steps are accepted for this user.
    expect(
      (await verify({ mfaToken: await mfaTokenOf(behind.email), code: behind.authenticator.codeAt(1) })).status,
    ).toBe(200);
    const ahead = await enrolled();
    expect(
      (await verify({ mfaToken: await mfaTokenOf(ahead.email), code: ahead.authenticator.codeAt(2) })).body.code,
    ).toBe('INVALID_MFA_CODE');
    const late = await enrolled();
    await prisma.totpFactor.updateMany({ where: { user: { email: late.email } }, data: { lastUsedStep: null } });
    await awayFromStepEdge();
    expect(
      (await verify({ mfaToken: await mfaTokenOf(late.email), code: late.authenticator.codeAt(-2) })).body.code,
    ).toBe('INVALID_MFA_CODE');
    expect((await verify({ mfaToken: await mfaTokenOf(late.email), code: late.authenticator.codeAt(-1) })).status).toBe(
      200,
    );
  });

  it('takes each recovery code once, and counts what is left', async () => {
    const { email, pair, recoveryCodes } = await enrolled();
    const used = await verify({ mfaToken: await mfaTokenOf(email), recoveryCode: recoveryCodes[3].toLowerCase() });
    expect(used.status).toBe(200);
    expect(claimsOf(used.body.accessToken as string).amr).toEqual(['pwd', 'mfa']);
    const again = await verify({ mfaToken: await mfaTokenOf(email), recoveryCode: recoveryCodes[3] });
    expect(again.body.code).toBe('INVALID_MFA_CODE');
    const status = await request(server)
      .get(`${API}/auth/mfa`)
      .set(bearer(used.body as TokenPair));
    expect(status.body.recoveryCodesLeft).toBe(9);
    expect(await prisma.auditEvent.count({ where: { subjectId: pair.user.id, type: 'RECOVERY_CODE_USED' } })).toBe(1);
  });

  it('locks the second factor after LOCKOUT_THRESHOLD wrong codes, even for a right one', async () => {
    const { email, authenticator } = await enrolled();
    const mfaToken = await mfaTokenOf(email);
    for (let attempt = 1; attempt <= LOCKOUT_THRESHOLD; attempt++) {
      const wrong = await verify({ mfaToken, recoveryCode: 'AAAA-AAAA-AAAA' });
      expect(wrong.body.code).toBe('INVALID_MFA_CODE');
    }
    const locked = await verify({ mfaToken, code: authenticator.codeAt(1) });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses an expired or unknown mfaToken, and malformed bodies with 400', async () => {
    const { email, authenticator } = await enrolled();
    const mfaToken = await mfaTokenOf(email);
    await prisma.mfaChallenge.updateMany({ where: { user: { email } }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await verify({ mfaToken, code: authenticator.codeAt(1) })).body.code).toBe('INVALID_MFA_TOKEN');
    // Expired challenges are purged (each instance runs this every ten minutes).
    expect(await app.get(MfaChallengesPurgeService).purgeExpired()).toBeGreaterThan(0);
    expect(await prisma.mfaChallenge.count({ where: { user: { email } } })).toBe(0);
    expect((await verify({ mfaToken: 'x'.repeat(43), code: '123456' })).body.code).toBe('INVALID_MFA_TOKEN');
    for (const body of [
      { mfaToken },
      { mfaToken, code: '12345' },
      { mfaToken, code: '123456', recoveryCode: 'AAAA' },
      { code: '123456' },
    ]) {
      const answer = await verify(body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('asks for a fresh second factor before removing it, then signs in with the password alone', async () => {
    const { email, pair, authenticator } = await enrolled();
    // The enrolling session authenticated with a password only.
    const stepUp = await request(server).delete(`${API}/auth/mfa/totp`).set(bearer(pair));
    expect(stepUp.status).toBe(403);
    expect(stepUp.body.code).toBe('MFA_STEP_UP_REQUIRED');
    const withFactor = (await verify({ mfaToken: await mfaTokenOf(email), code: authenticator.codeAt(1) }))
      .body as TokenPair;
    expect(
      (await request(server).post(`${API}/auth/mfa/recovery-codes`).set(bearer(withFactor))).body.recoveryCodes,
    ).toHaveLength(10);
    expect((await request(server).delete(`${API}/auth/mfa/totp`).set(bearer(withFactor))).status).toBe(204);
    expect((await loginRaw(email)).status).toBe(200);
    expect((await request(server).get(`${API}/auth/mfa`).set(bearer(withFactor))).body).toMatchObject({
      totp: null,
      recoveryCodesLeft: 0,
    });
  });
});
