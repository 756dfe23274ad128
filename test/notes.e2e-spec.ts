import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, register, registerAdmin, TokenPair } from './support/accounts';
import { startTestApp } from './support/test-app';

// The example module of the README's "Extending" section: each behaviour a team copies is shown here.
describe('Notes (example feature module)', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;
  let alice: TokenPair;
  let bob: TokenPair;
  let admin: TokenPair;

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
    [alice, bob, admin] = await Promise.all([register(server), register(server), registerAdmin(server, prisma)]);
  });

  afterAll(async () => {
    await app.close();
  });

  const call = (method: 'get' | 'post' | 'delete', path: string, token?: string) =>
    request(server)
      [method](`/api/v1/notes${path}`)
      .set(token ? bearer(token) : {});
  const write = (token: string, note: object = { title: 'Groceries', body: 'Milk, eggs' }) =>
    call('post', '', token).send(note);

  it.each([
    ['get', ''],
    ['post', ''],
    ['get', `/${randomUUID()}`],
    ['delete', `/${randomUUID()}`],
    ['get', '/all'],
  ] as const)('answers 401 to an anonymous %s /notes%s (protected by default)', async (method, path) => {
    const response = await call(method, path);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });

  it('serves the @Public() stats route without a token', async () => {
    await write(alice.accessToken).expect(201);
    const response = await call('get', '/stats');
    expect(response.status).toBe(200);
    expect(response.body.total).toBeGreaterThanOrEqual(1);
  });

  it('creates a note owned by the caller (@CurrentUser) and lists only the caller’s notes', async () => {
    const created = await write(alice.accessToken, { title: '  Trimmed  ', body: 'text' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ownerId: alice.user.id, title: 'Trimmed', body: 'text' });
    await write(bob.accessToken).expect(201);

    const mine = await call('get', '', alice.accessToken);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ page: 1, limit: 20 });
    expect(mine.body.items.length).toBeGreaterThanOrEqual(1);
    for (const note of mine.body.items as Array<{ ownerId: string }>) expect(note.ownerId).toBe(alice.user.id);
    expect(mine.body.items[0].id).toBe(created.body.id);

    expect((await call('get', `/${created.body.id}`, alice.accessToken)).body).toEqual(created.body);
  });

  it('pages GET /notes like /users: `?page=&limit=`, newest first, the total counting only the caller’s notes', async () => {
    const carol = await register(server);
    const titles = ['first', 'second', 'third'];
    for (const title of titles) await write(carol.accessToken, { title, body: '' }).expect(201);

    const pages = await Promise.all(
      [1, 2, 3, 4].map((page) => call('get', `?limit=1&page=${page}`, carol.accessToken)),
    );
    expect(pages.map((page) => page.status)).toEqual([200, 200, 200, 200]);
    for (const [index, page] of pages.entries())
      expect(page.body).toMatchObject({ page: index + 1, limit: 1, total: 3 });
    const items = pages.flatMap((page) => page.body.items as Array<{ title: string; createdAt: string }>);
    expect(pages.map((page) => (page.body.items as unknown[]).length)).toEqual([1, 1, 1, 0]);
    expect(items.map((note) => note.title).sort()).toEqual([...titles].sort());
    const times = items.map((note) => Date.parse(note.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('answers 404 for another user’s note, to read or to delete, and leaves it in place', async () => {
    const note = (await write(alice.accessToken).expect(201)).body as { id: string };
    for (const method of ['get', 'delete'] as const) {
      const response = await call(method, `/${note.id}`, bob.accessToken);
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
    expect((await call('get', `/${note.id}`, alice.accessToken)).status).toBe(200);
    // Admins get no back door through the owner-only routes either.
    expect((await call('get', `/${note.id}`, admin.accessToken)).status).toBe(404);
  });

  it('deletes the caller’s own note (204), then it is gone (404)', async () => {
    const note = (await write(alice.accessToken).expect(201)).body as { id: string };
    expect((await call('delete', `/${note.id}`, alice.accessToken)).status).toBe(204);
    expect((await call('get', `/${note.id}`, alice.accessToken)).status).toBe(404);
    expect((await call('delete', `/${note.id}`, alice.accessToken)).status).toBe(404);
  });

  it('keeps GET /notes/all to admins: 403 for a USER, pages for an ADMIN', async () => {
    const forbidden = await call('get', '/all', alice.accessToken);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');

    await write(bob.accessToken).expect(201);
    const page = await call('get', '/all?limit=1&page=2', admin.accessToken);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 2, limit: 1 });
    expect(page.body.total).toBeGreaterThanOrEqual(2);
    expect(page.body.items).toHaveLength(1);
  });

  it.each([
    [{ body: 'no title' }, 'title'],
    [{ title: '   ', body: 'blank title' }, 'title'],
    [{ title: 'x'.repeat(201), body: '' }, 'title'],
    [{ title: 'no body' }, 'body'],
    [{ title: 'number body', body: 42 }, 'body'],
    [{ title: 'extra', body: '', ownerId: randomUUID() }, 'ownerId'],
  ])('answers 400 VALIDATION_FAILED for %j', async (note, field) => {
    const response = await write(alice.accessToken, note);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect((response.body.errors as Array<{ field: string }>).map((error) => error.field)).toContain(field);
  });

  it.each(['', '/all'])('answers 400 to bad pages of GET /notes%s', async (path) => {
    for (const query of ['limit=101', 'page=0', 'limit=abc', 'page=1.5', 'page=1000001']) {
      const response = await call('get', `${path}?${query}`, admin.accessToken);
      expect({ query, status: response.status, code: response.body.code }).toEqual({
        query,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });

  it.each(['get', 'delete'] as const)('answers 400 to %s /notes/<not a uuid>', async (method) => {
    const response = await call(method, '/not-a-uuid', alice.accessToken);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it('documents the module in OpenAPI: tag, operation ids, security and the public route', async () => {
    const { body: document } = await request(server).get('/docs/openapi.json');
    const list = document.paths['/api/v1/notes'].get;
    expect(list.tags).toEqual(['notes']);
    expect(list.operationId).toBe('listMyNotes');
    expect(list.security).toEqual([{ bearer: [] }]);
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/NotePageDto',
    });
    const parameters = list.parameters as Array<{ name: string }>;
    expect(parameters.map((parameter) => parameter.name)).toEqual(['page', 'limit']);
    expect(document.paths['/api/v1/notes/stats'].get.security).toEqual([]);
    expect(document.paths['/api/v1/notes/all'].get.responses['403']).toBeDefined();
    expect(document.paths['/api/v1/notes/{id}'].get.responses['404']).toBeDefined();
  });
});
