import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { bearer, register, registerAdmin } from './support/accounts';
import { startTestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;

/** Inputs that once answered 500; each must be a 4xx problem-details answer that names the field. */
describe('Bad input is a 4xx, never a 500', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let user: { accessToken: string; user: { id: string } };
  let admin: { accessToken: string };

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    user = await register(server);
    admin = await registerAdmin(server, app.get(PrismaService));
  });

  afterAll(async () => {
    await app.close();
  });

  const postRaw = (path: string, body: string, token?: string) => {
    const sent = request(server).post(`/api/v1${path}`).set('content-type', 'application/json');
    return (token ? sent.set(bearer(token)) : sent).send(body);
  };

  function expectRefused(response: request.Response, status = 400, code = 'VALIDATION_FAILED') {
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  }

  describe('JSON nested 3000 levels deep', () => {
    const arrays = '['.repeat(3000) + ']'.repeat(3000);
    const objects = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);

    it.each([
      ['/auth/register', arrays],
      ['/auth/register', `{"email":"a@example.com","password":"long enough password","name":${arrays}}`],
      ['/auth/login', objects],
      ['/auth/refresh', `{"refreshToken":${objects}}`],
      ['/auth/forgot-password', arrays],
    ])('%s: 400', async (path, body) => {
      expectRefused(await postRaw(path, body));
    });

    it('a bearer route too', async () => {
      expectRefused(await postRaw('/notes', `{"title":"t","body":${arrays}}`, user.accessToken));
    });
  });

  describe('refreshToken: null is malformed, any string that is not a live token is 401', () => {
    it.each(['/auth/refresh', '/auth/logout'])('%s {refreshToken: null}: 400', async (path) => {
      const response = await postRaw(path, '{"refreshToken":null}');
      expectRefused(response);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'refreshToken' })]);
    });

    it.each([['x'.repeat(2000)], [''], ['not a token at all'], ['\u00e9\u00e9']])(
      'refresh with %#: 401 INVALID_REFRESH_TOKEN',
      async (refreshToken) => {
        const response = await request(server).post('/api/v1/auth/refresh').send({ refreshToken });
        expectRefused(response, 401, 'INVALID_REFRESH_TOKEN');
      },
    );
  });

  describe('a NUL character in any string', () => {
    it('register name', async () => {
      const response = await postRaw(
        '/auth/register',
        '{"email":"nul-name@example.com","password":"long enough password","name":"a\\u0000b"}',
      );
      expectRefused(response);
      expect(response.body.errors).toEqual([{ field: 'name', message: 'must not contain NUL characters' }]);
    });

    it('PATCH /users/:id name', async () => {
      const response = await request(server)
        .patch(`/api/v1/users/${user.user.id}`)
        .set(bearer(user.accessToken))
        .send({ name: 'a\u0000b' });
      expectRefused(response);
    });

    it.each([
      { title: 'a\u0000', body: 'b' },
      { title: 'a', body: '\u0000' },
    ])('notes %o', async (note) => {
      expectRefused(await request(server).post('/api/v1/notes').set(bearer(user.accessToken)).send(note));
    });

    it('GET /users?q=%00', async () => {
      const response = await request(server).get('/api/v1/users?q=%00').set(bearer(admin.accessToken));
      expectRefused(response);
      expect(response.body.errors).toEqual([{ field: 'q', message: 'must not contain NUL characters' }]);
    });

    it('a field name with a NUL', async () => {
      expectRefused(await postRaw('/auth/login', '{"email":"a@example.com","password":"p","\\u0000":1}'));
    });
  });

  describe('a lone surrogate in an email', () => {
    it.each([
      ['/auth/login', '{"email":"\\ud800@example.com","password":"long enough password"}'],
      ['/auth/register', '{"email":"\\ud800@example.com","password":"long enough password"}'],
      ['/auth/forgot-password', '{"email":"\\udc00x@example.com"}'],
    ])('%s: 400', async (path, body) => {
      const response = await postRaw(path, body);
      expectRefused(response);
      expect(response.body.errors).toContainEqual({
        field: 'email',
        message: 'must be well-formed Unicode (no lone surrogates)',
      });
    });

    it('a surrogate pair (an emoji) is still judged by the email rules, not refused as malformed Unicode', async () => {
      const response = await postRaw('/auth/forgot-password', '{"email":"\\ud83d\\ude00@example.com"}');
      expect(response.status).not.toBe(500);
      expect(response.body.errors ?? []).not.toContainEqual(
        expect.objectContaining({ message: 'must be well-formed Unicode (no lone surrogates)' }),
      );
    });
  });

  describe('email hygiene: what is stored is what a mail server delivers to, and nothing hidden', () => {
    it.each([
      ['a zero-width space', 'ad\u200bmin-{id}@example.com'],
      ['a control character', 'ad\u0007min-{id}@example.com'],
      ['CR/LF in a quoted local part', '"a\r\nBcc: x-{id}"@example.com'],
      ['a Cyrillic look-alike', 'p\u0430ypal-{id}@example.com'],
    ])('register with %s: 400', async (_label, template) => {
      const email = template.replace('{id}', String(Date.now()));
      const response = await request(server)
        .post('/api/v1/auth/register')
        .send({ email, password: 'long enough password' });
      expectRefused(response);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    });

    it('an address typed decomposed or composed is one account (NFC)', async () => {
      const local = `jose${Date.now()}`;
      const decomposed = `${local}e\u0301@example.com`;
      const registered = await request(server)
        .post('/api/v1/auth/register')
        .send({ email: decomposed, password: 'long enough password' });
      expect(registered.status).toBe(201);
      expect(registered.body.user.email).toBe(`${local}\u00e9@example.com`);
      const again = await request(server)
        .post('/api/v1/auth/register')
        .send({ email: `${local}\u00e9@EXAMPLE.com`, password: 'long enough password' });
      expect(again.body.code).toBe('EMAIL_TAKEN');
    });
  });
});
