import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { claimsOf, login, me, refresh, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

describe('Auth', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('POST /auth/register', () => {
    it('creates the account and answers 201 with a token pair and the user, no secrets', async () => {
      const email = uniqueEmail('Register');
      const response = await request(server)
        .post('/api/v1/auth/register')
        .send({ email: `  ${email.toUpperCase()} `, password: STRONG_PASSWORD, name: 'Ada' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(response.body.refreshToken).toMatch(/^[\w-]{43}$/);
      expect(response.body.user).toEqual({
        id: expect.any(String),
        email: email.toLowerCase(),
        name: 'Ada',
        role: 'USER',
        status: 'ACTIVE',
        emailVerified: false,
        createdAt: expect.any(String),
      });
      expect(response.text).not.toMatch(/passwordHash|\$2b\$/);
    });

    it('answers 409 EMAIL_TAKEN for an existing email in any case', async () => {
      const email = uniqueEmail();
      await register(server, email);
      const response = await request(server)
        .post('/api/v1/auth/register')
        .send({ email: email.toUpperCase(), password: STRONG_PASSWORD });
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('EMAIL_TAKEN');
    });

    it.each([
      [{ email: 'not-an-email', password: STRONG_PASSWORD }, 'email'],
      [{ email: uniqueEmail(), password: 'short' }, 'password'],
      [{ email: uniqueEmail(), password: 'password123' }, 'password'],
      [{ email: uniqueEmail(), password: STRONG_PASSWORD, role: 'ADMIN' }, 'role'],
      // name is optional, not nullable (as Auth0's signup): null, blank or over 100 characters is refused.
      [{ email: uniqueEmail(), password: STRONG_PASSWORD, name: null }, 'name'],
      [{ email: uniqueEmail(), password: STRONG_PASSWORD, name: '   ' }, 'name'],
      [{ email: uniqueEmail(), password: STRONG_PASSWORD, name: 'x'.repeat(101) }, 'name'],
    ])('answers 400 VALIDATION_FAILED for %p', async (body, field) => {
      const response = await request(server).post('/api/v1/auth/register').send(body);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field);
      expect(fields).toContain(field);
    });
  });

  describe('POST /auth/login', () => {
    it('answers 200 with a token pair for the right password', async () => {
      const email = uniqueEmail();
      await register(server, email);
      const pair = await login(server, email.toUpperCase());
      expect(pair.user.email).toBe(email);
      expect((await me(server, pair.accessToken)).status).toBe(200);
    });

    it('answers an unknown email and a wrong password with the same 401 body', async () => {
      const email = uniqueEmail();
      await register(server, email);
      const wrongPassword = await request(server)
        .post('/api/v1/auth/login')
        .send({ email, password: 'not the password at all' });
      const unknownEmail = await request(server)
        .post('/api/v1/auth/login')
        .send({ email: uniqueEmail(), password: 'not the password at all' });
      for (const response of [wrongPassword, unknownEmail]) {
        expect(response.status).toBe(401);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      const { requestId: _a, ...wrongBody } = wrongPassword.body;
      const { requestId: _b, ...unknownBody } = unknownEmail.body;
      expect(wrongBody).toEqual(unknownBody);
      expect(wrongBody.code).toBe('INVALID_CREDENTIALS');
    });

    it('answers 403 ACCOUNT_DISABLED only to someone who knows the password of a disabled account', async () => {
      const email = uniqueEmail();
      const pair = await register(server, email);
      await app.get(PrismaService).user.update({ where: { id: pair.user.id }, data: { status: 'DISABLED' } });

      const right = await request(server).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD });
      expect(right.status).toBe(403);
      expect(right.body.code).toBe('ACCOUNT_DISABLED');
      const wrong = await request(server)
        .post('/api/v1/auth/login')
        .send({ email, password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect((await refresh(server, pair.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('answers 400 for a missing password, not 401', async () => {
      const response = await request(server).post('/api/v1/auth/login').send({ email: uniqueEmail() });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: the new pair works and the old refresh token is now reuse', async () => {
      const first = await register(server);
      const rotated = await refresh(server, first.refreshToken);
      expect(rotated.status).toBe(200);
      expect(rotated.body.refreshToken).not.toBe(first.refreshToken);
      expect((await me(server, rotated.body.accessToken)).status).toBe(200);

      const replay = await refresh(server, first.refreshToken);
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    });

    it('on reuse revokes the whole session: successor token and access token fail, other sessions live', async () => {
      const email = uniqueEmail();
      const first = await register(server, email);
      const other = await login(server, email);
      const successor = (await refresh(server, first.refreshToken)).body;

      expect((await refresh(server, first.refreshToken)).body.code).toBe('REFRESH_TOKEN_REUSED');

      const successorRefresh = await refresh(server, successor.refreshToken);
      expect(successorRefresh.status).toBe(401);
      expect(successorRefresh.body.code).toBe('INVALID_REFRESH_TOKEN');
      const revokedAccess = await me(server, successor.accessToken);
      expect(revokedAccess.status).toBe(401);
      expect(revokedAccess.body.code).toBe('SESSION_REVOKED');

      expect((await me(server, other.accessToken)).status).toBe(200);
      expect((await refresh(server, other.refreshToken)).status).toBe(200);
    });

    it('of 50 concurrent refreshes with one token exactly one succeeds, the rest are reuse, and the session ends', async () => {
      const pair = await register(server);
      const responses = await Promise.all(Array.from({ length: 50 }, () => refresh(server, pair.refreshToken)));
      const succeeded = responses.filter((response) => response.status === 200);
      expect(succeeded).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 200)) {
        expect(response.status).toBe(401);
        expect(response.body.code).toBe('REFRESH_TOKEN_REUSED');
      }
      expect((await refresh(server, succeeded[0].body.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('ends a session left idle past REFRESH_TTL', async () => {
      const pair = await register(server);
      const prisma = app.get(PrismaService);
      const sessionId = claimsOf(pair.accessToken).sid as string;
      await prisma.session.update({ where: { id: sessionId }, data: { idleExpiresAt: new Date(Date.now() - 1000) } });
      const response = await refresh(server, pair.refreshToken);
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('never extends a session past its absolute limit, and refuses it after', async () => {
      const pair = await register(server);
      const prisma = app.get(PrismaService);
      const sessionId = claimsOf(pair.accessToken).sid as string;
      const absoluteExpiresAt = new Date(Date.now() + 60_000);
      await prisma.session.update({ where: { id: sessionId }, data: { absoluteExpiresAt } });

      const rotated = await refresh(server, pair.refreshToken);
      expect(rotated.status).toBe(200);
      const session = await prisma.session.findUniqueOrThrow({ where: { id: sessionId } });
      expect(session.idleExpiresAt.getTime()).toBe(absoluteExpiresAt.getTime());

      await prisma.session.update({
        where: { id: sessionId },
        data: { absoluteExpiresAt: new Date(Date.now() - 1000) },
      });
      expect((await refresh(server, rotated.body.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('answers 401 INVALID_REFRESH_TOKEN for an unknown token', async () => {
      const response = await refresh(server, 'x'.repeat(43));
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('INVALID_REFRESH_TOKEN');
    });
  });

  describe('logout', () => {
    it('POST /auth/logout ends the session at once, is idempotent, and answers 204', async () => {
      const pair = await register(server);
      const first = await request(server).post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken });
      expect(first.status).toBe(204);
      expect((await me(server, pair.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, pair.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
      expect((await request(server).post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken })).status).toBe(
        204,
      );
      expect((await request(server).post('/api/v1/auth/logout').send({ refreshToken: 'unknown' })).status).toBe(204);
    });

    it('POST /auth/logout-all ends every session of the caller and no one else’s', async () => {
      const email = uniqueEmail();
      const first = await register(server, email);
      const second = await login(server, email);
      const stranger = await register(server);
      const response = await request(server)
        .post('/api/v1/auth/logout-all')
        .set('authorization', `Bearer ${first.accessToken}`);
      expect(response.status).toBe(204);
      expect((await me(server, first.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await me(server, second.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, second.refreshToken)).status).toBe(401);
      expect((await me(server, stranger.accessToken)).status).toBe(200);
    });

    it('POST /auth/logout-all needs a bearer token', async () => {
      const response = await request(server).post('/api/v1/auth/logout-all');
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('UNAUTHORIZED');
    });
  });

  describe('GET /auth/me', () => {
    it('returns the caller', async () => {
      const pair = await register(server);
      const response = await me(server, pair.accessToken);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(pair.user);
    });
  });
});
