import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { SessionsRepository } from '../src/sessions/sessions.repository';
import { bearer, login, me, refresh, register, sessionIdOf, STRONG_PASSWORD, TokenPair } from './support/accounts';
import { startTestApp } from './support/test-app';

interface SessionBody {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

describe('Sessions and password change', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  const listSessions = (pair: TokenPair) => request(server).get('/api/v1/auth/sessions').set(bearer(pair.accessToken));
  const revokeSession = (pair: TokenPair, id: string) =>
    request(server).delete(`/api/v1/auth/sessions/${id}`).set(bearer(pair.accessToken));
  const changePassword = (pair: TokenPair, body: object) =>
    request(server).post('/api/v1/auth/change-password').set(bearer(pair.accessToken)).send(body);

  it('reads a presented token with its session and user in one query, as the Prisma include reads them', async () => {
    const pair = await register(server);
    await refresh(server, pair.refreshToken);
    const prisma = app.get(PrismaService);
    const sessionId = sessionIdOf(pair.accessToken);
    await prisma.session.update({
      where: { id: sessionId },
      data: { revokedAt: new Date(), revokedReason: 'LOGOUT', amr: ['pwd', 'otp', 'mfa'], ip: '192.0.2.1' },
    });
    await prisma.refreshToken.updateMany({
      where: { sessionId, generation: 0 },
      data: { successorSealed: Buffer.from('sealed') },
    });
    const consumed = await prisma.refreshToken.findFirstOrThrow({ where: { sessionId, generation: 0 } });
    const viaInclude = await prisma.refreshToken.findUnique({
      where: { tokenHash: consumed.tokenHash },
      include: { session: { include: { user: true } } },
    });
    const repository = app.get(SessionsRepository);
    expect(await repository.findPresented(consumed.tokenHash)).toStrictEqual(viaInclude);
    expect(await repository.findPresented(new Uint8Array(32))).toBeNull();
  });

  describe('GET /auth/sessions', () => {
    it('lists the caller’s live sessions with the current one flagged, newest use first', async () => {
      const first = await register(server);
      const phone = await request(server)
        .post('/api/v1/auth/login')
        .set('user-agent', 'PhoneApp/2.1')
        .send({ email: first.user.email, password: STRONG_PASSWORD });
      const ended = await login(server, first.user.email);
      await request(server).post('/api/v1/auth/logout').send({ refreshToken: ended.refreshToken });

      const response = await listSessions(phone.body as TokenPair);
      expect(response.status).toBe(200);
      const sessions = response.body as SessionBody[];
      expect(sessions.map((session) => session.id)).toEqual([sessionIdOf(phone.body as TokenPair), sessionIdOf(first)]);
      expect(sessions[0]).toMatchObject({ current: true, userAgent: 'PhoneApp/2.1' });
      expect(sessions[0].ip).toMatch(/127\.0\.0\.1|::1/);
      expect(sessions[1].current).toBe(false);
      expect(Date.parse(sessions[0].expiresAt)).toBeGreaterThan(Date.now());
      expect(JSON.stringify(sessions)).not.toMatch(/token/i);
    });

    it('shows nobody else’s sessions, and needs a token', async () => {
      const mine = await register(server);
      await register(server);
      expect((await listSessions(mine)).body).toHaveLength(1);
      expect((await request(server).get('/api/v1/auth/sessions')).status).toBe(401);
    });
  });

  describe('DELETE /auth/sessions/:id', () => {
    it('ends one of the caller’s sessions: its tokens fail, the others live', async () => {
      const laptop = await register(server);
      const phone = await login(server, laptop.user.email);

      expect((await revokeSession(laptop, sessionIdOf(phone))).status).toBe(204);
      expect((await me(server, phone.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, phone.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
      expect((await me(server, laptop.accessToken)).status).toBe(200);
      expect((await revokeSession(laptop, sessionIdOf(phone))).status).toBe(404);

      const audit = await app.get(PrismaService).auditEvent.findFirst({
        where: { type: 'SESSION_REVOKED', sessionId: sessionIdOf(phone) },
      });
      expect(audit).toMatchObject({ actorId: laptop.user.id, subjectId: laptop.user.id });
    });

    it('answers 404 for another user’s session, which stays alive, and 400 for a malformed id', async () => {
      const mine = await register(server);
      const theirs = await register(server);
      const response = await revokeSession(mine, sessionIdOf(theirs));
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
      expect((await me(server, theirs.accessToken)).status).toBe(200);
      expect((await revokeSession(mine, randomUUID())).status).toBe(404);
      expect((await revokeSession(mine, 'nope')).status).toBe(400);
    });
  });

  describe('POST /auth/change-password', () => {
    const NEW_PASSWORD = 'a brand new passphrase 42';

    it('changes the password, keeps the current session and ends every other one', async () => {
      const current = await register(server);
      const other = await login(server, current.user.email);

      const response = await changePassword(current, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD });
      expect(response.status).toBe(204);

      expect((await me(server, current.accessToken)).status).toBe(200);
      expect((await refresh(server, current.refreshToken)).status).toBe(200);
      expect((await me(server, other.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, other.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');

      const oldLogin = await request(server)
        .post('/api/v1/auth/login')
        .send({ email: current.user.email, password: STRONG_PASSWORD });
      expect(oldLogin.body.code).toBe('INVALID_CREDENTIALS');
      expect((await login(server, current.user.email, NEW_PASSWORD)).accessToken).toBeDefined();

      const audit = await app.get(PrismaService).auditEvent.findFirstOrThrow({
        where: { type: 'PASSWORD_CHANGED', subjectId: current.user.id },
      });
      expect(audit.details).toEqual({ sessionsEnded: 1 });
      expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
    });

    it('refuses a wrong current password with 401 and changes nothing', async () => {
      const pair = await register(server);
      const response = await changePassword(pair, { currentPassword: 'not it at all', newPassword: NEW_PASSWORD });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_CREDENTIALS');
      expect((await me(server, pair.accessToken)).status).toBe(200);
      expect((await login(server, pair.user.email)).accessToken).toBeDefined();
    });

    it('applies the password policy to the new password', async () => {
      const pair = await register(server);
      for (const newPassword of ['short', 'password123', pair.user.email]) {
        const response = await changePassword(pair, { currentPassword: STRONG_PASSWORD, newPassword });
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
        const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field);
        expect(new Set(fields)).toEqual(new Set(['newPassword']));
      }
      expect((await changePassword(pair, { currentPassword: STRONG_PASSWORD })).status).toBe(400);
    });

    it('needs a bearer token', async () => {
      const response = await request(server)
        .post('/api/v1/auth/change-password')
        .send({ currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD });
      expect(response.status).toBe(401);
    });
  });
});
