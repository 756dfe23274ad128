import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { UsersRepository } from '../src/users/users.repository';
import { bearer, me, refresh, register, registerAdmin, TokenPair, uniqueEmail } from './support/accounts';
import { createIsolatedDatabase, IsolatedDatabase } from './support/isolated-database';
import { startTestApp } from './support/test-app';

describe('Users', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;
  let admin: TokenPair;

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
    admin = await registerAdmin(server, prisma);
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (path: string, token?: string) =>
    request(server)
      .get(`/api/v1${path}`)
      .set(token ? bearer(token) : {});
  const patch = (path: string, body: object, token?: string) =>
    request(server)
      .patch(`/api/v1${path}`)
      .set(token ? bearer(token) : {})
      .send(body);
  const remove = (path: string, token?: string) =>
    request(server)
      .delete(`/api/v1${path}`)
      .set(token ? bearer(token) : {});

  it('reads a user by id raw exactly as the Prisma model reads it, every column set', async () => {
    const created = await prisma.user.create({
      data: {
        email: uniqueEmail('raw'),
        passwordHash: 'hash',
        name: 'Raw Read',
        role: 'ADMIN',
        status: 'DISABLED',
        emailVerifiedAt: new Date('2026-01-02T03:04:05.678Z'),
        securityVersion: 7,
      },
    });
    const viaModel = await prisma.user.findUnique({ where: { id: created.id } });
    expect(await app.get(UsersRepository).findById(created.id)).toStrictEqual(viaModel);
    expect(await app.get(UsersRepository).findById(randomUUID())).toBeNull();
  });

  describe('GET /users', () => {
    it('pages through users in a stable order for an admin', async () => {
      const label = `pg${randomUUID().slice(0, 8)}`;
      for (let index = 0; index < 5; index++) await register(server, uniqueEmail(label));

      const first = await get(`/users?q=${label}&limit=2`, admin.accessToken);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 5, page: 1, limit: 2 });
      expect(first.body.items).toHaveLength(2);
      const pages = [first.body.items];
      for (const page of [2, 3])
        pages.push((await get(`/users?q=${label}&limit=2&page=${page}`, admin.accessToken)).body.items);
      const emails = pages.flat().map((user: { email: string }) => user.email);
      expect(emails).toHaveLength(5);
      expect(new Set(emails).size).toBe(5);
      expect(pages.flat()[0]).not.toHaveProperty('passwordHash');
    });

    it('searches email and name case-insensitively', async () => {
      const marker = randomUUID().slice(0, 8);
      const byName = await register(server);
      await patch(`/users/${byName.user.id}`, { name: `Grace ${marker.toUpperCase()}` }, byName.accessToken);
      const byEmail = await register(server, uniqueEmail(`MiXeD${marker}`));

      const response = await get(`/users?q=${marker}`, admin.accessToken);
      const items = response.body.items as Array<{ id: string }>;
      expect(items.map((user) => user.id).sort()).toEqual([byName.user.id, byEmail.user.id].sort());
    });

    it.each([
      ['page=0', 'page'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['page=1.5', 'page'],
      ['sort=email', 'sort'],
    ])('answers 400 for ?%s', async (query, field) => {
      const response = await get(`/users?${query}`, admin.accessToken);
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      const errors = response.body.errors as Array<{ field: string }>;
      expect(errors.map((error) => error.field)).toContain(field);
    });

    it('is for admins only: 403 for a user, 401 anonymous', async () => {
      const user = await register(server);
      expect((await get('/users', user.accessToken)).body.code).toBe('FORBIDDEN');
      expect((await get('/users')).status).toBe(401);
    });
  });

  describe('GET /users/:id', () => {
    it('shows a user to themselves and to an admin, not to another user', async () => {
      const owner = await register(server);
      const other = await register(server);
      expect((await get(`/users/${owner.user.id}`, owner.accessToken)).body.email).toBe(owner.user.email);
      expect((await get(`/users/${owner.user.id}`, admin.accessToken)).status).toBe(200);
      const denied = await get(`/users/${owner.user.id}`, other.accessToken);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('FORBIDDEN');
      expect((await get(`/users/${owner.user.id}`)).status).toBe(401);
    });

    it('answers 400 for an id that is not a UUID and 404 for an unknown one', async () => {
      const invalid = await get('/users/42', admin.accessToken);
      expect(invalid.status).toBe(400);
      expect(invalid.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
      const unknown = await get(`/users/${randomUUID()}`, admin.accessToken);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('NOT_FOUND');
    });
  });

  describe('PATCH /users/:id', () => {
    it('lets a user change their own name, and nothing else', async () => {
      const user = await register(server);
      const renamed = await patch(`/users/${user.user.id}`, { name: '  Ada  ' }, user.accessToken);
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Ada');

      for (const body of [{ role: 'ADMIN' }, { status: 'DISABLED' }]) {
        const response = await patch(`/users/${user.user.id}`, body, user.accessToken);
        expect(response.status).toBe(403);
        expect(response.body.code).toBe('FORBIDDEN');
      }
      const other = await register(server);
      expect((await patch(`/users/${other.user.id}`, { name: 'x' }, user.accessToken)).status).toBe(403);
      expect((await me(server, user.accessToken)).body.role).toBe('USER');
    });

    it('refuses unknown fields and bad values with 400', async () => {
      const user = await register(server);
      for (const body of [{ role: 'ROOT' }, { email: 'new@example.com' }, { name: '' }, { status: 1 }]) {
        const response = await patch(`/users/${user.user.id}`, body, admin.accessToken);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
    });

    it('disabling a user ends their sessions at once: access and refresh tokens fail', async () => {
      const user = await register(server);
      const disabled = await patch(`/users/${user.user.id}`, { status: 'DISABLED' }, admin.accessToken);
      expect(disabled.status).toBe(200);
      expect(disabled.body.status).toBe('DISABLED');

      expect((await me(server, user.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, user.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
      const login = await request(server)
        .post('/api/v1/auth/login')
        .send({ email: user.user.email, password: 'correct horse battery staple' });
      expect(login.body.code).toBe('ACCOUNT_DISABLED');
    });

    it('a role change ends the user’s sessions, and the next login carries the new role', async () => {
      const user = await register(server);
      const promoted = await patch(`/users/${user.user.id}`, { role: 'ADMIN' }, admin.accessToken);
      expect(promoted.body.role).toBe('ADMIN');
      expect((await me(server, user.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, user.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('a name change keeps the sessions', async () => {
      const user = await register(server);
      await patch(`/users/${user.user.id}`, { name: 'Renamed' }, admin.accessToken);
      expect((await me(server, user.accessToken)).status).toBe(200);
    });

    it('answers 404 for an unknown user and 400 for a malformed id', async () => {
      expect((await patch(`/users/${randomUUID()}`, { name: 'x' }, admin.accessToken)).status).toBe(404);
      expect((await patch('/users/not-a-uuid', { name: 'x' }, admin.accessToken)).status).toBe(400);
    });
  });

  describe('DELETE /users/:id', () => {
    it('deletes the user with their sessions: the access token is refused at once', async () => {
      const user = await register(server);
      const response = await remove(`/users/${user.user.id}`, admin.accessToken);
      expect(response.status).toBe(204);
      expect((await me(server, user.accessToken)).body.code).toBe('SESSION_REVOKED');
      expect((await refresh(server, user.refreshToken)).body.code).toBe('INVALID_REFRESH_TOKEN');
      expect(await prisma.session.count({ where: { userId: user.user.id } })).toBe(0);
      expect((await get(`/users/${user.user.id}`, admin.accessToken)).status).toBe(404);
    });

    it('is for admins only, 404 for an unknown id', async () => {
      const user = await register(server);
      const other = await register(server);
      expect((await remove(`/users/${other.user.id}`, user.accessToken)).status).toBe(403);
      expect((await remove(`/users/${other.user.id}`)).status).toBe(401);
      expect((await remove(`/users/${randomUUID()}`, admin.accessToken)).status).toBe(404);
    });
  });

  describe('the last active admin', () => {
    // A database of its own: "no other active admin" must not depend on what parallel test files do.
    let database: IsolatedDatabase;
    let isolated: NestFastifyApplication;
    let isolatedServer: Server;
    let onlyAdmin: TokenPair;

    beforeAll(async () => {
      database = await createIsolatedDatabase('last_admin');
      isolated = await startTestApp({ env: { DATABASE_URL: database.url } });
      isolatedServer = isolated.getHttpServer();
      onlyAdmin = await registerAdmin(isolatedServer, isolated.get(PrismaService));
    });

    afterAll(async () => {
      await isolated?.close();
      await database?.drop();
    });

    it('cannot be demoted, disabled or deleted (409 LAST_ADMIN)', async () => {
      const id = onlyAdmin.user.id;
      const send = (method: 'patch' | 'delete', body?: object) =>
        request(isolatedServer)[method](`/api/v1/users/${id}`).set(bearer(onlyAdmin.accessToken)).send(body);
      for (const response of [
        await send('patch', { role: 'USER' }),
        await send('patch', { status: 'DISABLED' }),
        await send('delete'),
      ]) {
        expect(response.status).toBe(409);
        expect(response.body.code).toBe('LAST_ADMIN');
      }
      const stored = await isolated.get(PrismaService).user.findUniqueOrThrow({ where: { id } });
      expect(stored).toMatchObject({ role: 'ADMIN', status: 'ACTIVE' });
      expect((await me(isolatedServer, onlyAdmin.accessToken)).status).toBe(200);
    });

    it('of two admins demoting each other at once, one succeeds and the other gets 409', async () => {
      const second = await registerAdmin(isolatedServer, isolated.get(PrismaService));
      const demote = (id: string, token: string) =>
        request(isolatedServer).patch(`/api/v1/users/${id}`).set(bearer(token)).send({ role: 'USER' });
      const responses = await Promise.all([
        demote(second.user.id, onlyAdmin.accessToken),
        demote(onlyAdmin.user.id, second.accessToken),
      ]);
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409]);
      expect(await isolated.get(PrismaService).user.count({ where: { role: 'ADMIN', status: 'ACTIVE' } })).toBe(1);
    });
  });
});
