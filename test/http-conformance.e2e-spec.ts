import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressInfo, connect } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { bearer, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;

/** Sends raw bytes and resolves with everything the server wrote before closing the connection. */
function rawExchange(server: Server, bytes: string): Promise<string> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

function parseRaw(raw: string): { status: number; contentType: string; body: Record<string, unknown> } {
  const [head, body] = raw.split('\r\n\r\n');
  const status = Number(head.split(' ')[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: JSON.parse(body) as Record<string, unknown> };
}

/** HTTP by the RFCs and ../shared/API.md "Headers, media types, claims", at every layer. */
describe('HTTP conformance', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('request bodies are JSON only', () => {
    it.each([
      ['application/x-www-form-urlencoded', 'email=form%40example.com&password=correct+horse+battery+staple'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.c\r\n--x--'],
      ['text/plain', '{"email":"text@example.com","password":"correct horse battery staple"}'],
      ['application/xml', '<a/>'],
    ])('%s to register: 415 UNSUPPORTED_MEDIA_TYPE', async (contentType, body) => {
      const response = await request(server).post('/api/v1/auth/register').set('content-type', contentType).send(body);
      expect({ status: response.status, code: response.body.code }).toEqual({
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      });
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    });

    it('a form body to a bearer route is refused too', async () => {
      const { accessToken } = await register(server);
      const response = await request(server)
        .post('/api/v1/notes')
        .set(bearer(accessToken))
        .type('form')
        .send('title=t&body=b');
      expect(response.status).toBe(415);
    });

    it('application/json with a charset is accepted', async () => {
      const response = await request(server)
        .post('/api/v1/auth/register')
        .set('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ email: uniqueEmail(), password: STRONG_PASSWORD }));
      expect(response.status).toBe(201);
    });
  });

  describe('answers from the router and the HTTP parser are problem details', () => {
    it('a path segment over the parameter limit: 414 URI_TOO_LONG', async () => {
      const { accessToken } = await register(server);
      const response = await request(server)
        .get(`/api/v1/users/${'a'.repeat(101)}`)
        .set(bearer(accessToken));
      expect(response.status).toBe(414);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body).toMatchObject({ status: 414, code: 'URI_TOO_LONG', requestId: expect.any(String) });
    });

    it('headers over the limit: 431 HEADERS_TOO_LARGE', async () => {
      const raw = await rawExchange(
        server,
        `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      const answer = parseRaw(raw);
      expect(answer.status).toBe(431);
      expect(answer.contentType).toMatch(PROBLEM_JSON);
      expect(answer.body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    });

    it('bytes that are not HTTP: 400 MALFORMED_REQUEST', async () => {
      const answer = parseRaw(await rawExchange(server, 'HELLO\r\n\r\n'));
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(PROBLEM_JSON);
      expect(answer.body).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' });
    });
  });

  describe('token responses are never cached (RFC 6749 5.1)', () => {
    it('register, login and refresh send Cache-Control: no-store and Pragma: no-cache', async () => {
      const email = uniqueEmail();
      const registered = await request(server).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD });
      const loggedIn = await request(server).post('/api/v1/auth/login').send({ email, password: STRONG_PASSWORD });
      const refreshed = await request(server)
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: (loggedIn.body as { refreshToken: string }).refreshToken });
      for (const response of [registered, loggedIn, refreshed]) {
        expect(response.status).toBeLessThan(300);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['pragma']).toBe('no-cache');
      }
    });
  });

  describe('401 on a bearer route challenges (RFC 6750 section 3)', () => {
    it('without a token: a bare Bearer challenge', async () => {
      const response = await request(server).get('/api/v1/auth/me');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('with a bad token: error="invalid_token" and a description', async () => {
      const response = await request(server).get('/api/v1/auth/me').set(bearer('not.a.token'));
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="[\x20-\x21\x23-\x5b\x5d-\x7e]+"$/,
      );
    });

    it('with a revoked session: invalid_token as well', async () => {
      const pair = await register(server);
      await request(server).post('/api/v1/auth/logout-all').set(bearer(pair.accessToken)).expect(204);
      const response = await request(server).get('/api/v1/auth/me').set(bearer(pair.accessToken));
      expect(response.body.code).toBe('SESSION_REVOKED');
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it('a wrong password at login is not a bearer challenge', async () => {
      const response = await request(server)
        .post('/api/v1/auth/login')
        .send({ email: uniqueEmail(), password: 'wrong password here' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe('slow senders are cut off (HTTP_REQUEST_TIMEOUT)', () => {
    let slow: NestFastifyApplication;

    beforeAll(async () => {
      slow = await startTestApp({ env: { HTTP_REQUEST_TIMEOUT: '1s' } });
      await slow.listen({ port: 0, host: '127.0.0.1' });
    });

    afterAll(async () => {
      await slow.close();
    });

    it('20 connections that send headers and then a byte every 200 ms are all answered 408 and closed within 4 s', async () => {
      const { port } = slow.getHttpServer().address() as AddressInfo;
      const startedAt = Date.now();
      const outcomes = await Promise.all(
        Array.from(
          { length: 20 },
          () =>
            new Promise<{ raw: string; afterMs: number }>((resolve, reject) => {
              let received = '';
              const socket = connect(port, '127.0.0.1', () => {
                socket.write(
                  'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
                );
              });
              const drip = setInterval(() => socket.writable && socket.write(' '), 200);
              // Bounded either way: without a timeout the connection would stay open for as long as bytes come.
              const giveUp = setTimeout(() => socket.destroy(), 8000);
              socket.on('data', (chunk) => (received += chunk.toString('latin1')));
              socket.on('close', () => {
                clearInterval(drip);
                clearTimeout(giveUp);
                resolve({ raw: received, afterMs: Date.now() - startedAt });
              });
              socket.on('error', reject);
            }),
        ),
      );
      for (const { raw, afterMs } of outcomes) {
        expect(afterMs).toBeLessThan(4000);
        const answer = parseRaw(raw);
        expect(answer.status).toBe(408);
        expect(answer.contentType).toMatch(PROBLEM_JSON);
        expect(answer.body).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
      }
    });
  });
});
