import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { ProbeModule } from './support/probe.module';
import { startTestApp } from './support/test-app';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('Errors are RFC 9457 problem details', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp({ imports: [ProbeModule], env: { BODY_LIMIT: '2kb' } });
  });

  afterAll(async () => {
    await app.close();
  });

  const post = (body: string, contentType = 'application/json') =>
    request(app.getHttpServer()).post('/api/v1/probe/echo').set('content-type', contentType).send(body);

  it('accepts a valid body and converts it to the declared types', async () => {
    const response = await post(JSON.stringify({ email: 'a@example.com', age: 30, address: { city: 'Oslo' } }));
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ email: 'a@example.com', age: 30, address: { city: 'Oslo' } });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await post('{"email": "a@example.com",');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      code: 'MALFORMED_REQUEST',
    });
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
  });

  it('answers an unknown field with 400 VALIDATION_FAILED naming the field', async () => {
    const response = await post(JSON.stringify({ email: 'a@example.com', age: 3, isAdmin: true }));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors).toEqual([{ field: 'isAdmin', message: 'is not an accepted field' }]);
  });

  it('answers wrong types with 400 and one entry per invalid field, nested ones by path', async () => {
    const response = await post(JSON.stringify({ email: 'not-an-email', age: '30', address: { city: 7 } }));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field);
    expect(new Set(fields)).toEqual(new Set(['email', 'age', 'address.city']));
  });

  it.each([['[]'], ['"text"'], ['null'], ['42']])(
    'answers the non-object JSON body %s with 400, not 500',
    async (body) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    },
  );

  it('answers a body over the limit with 413', async () => {
    const response = await post(JSON.stringify({ email: 'a@example.com', age: 1, padding: 'x'.repeat(4096) }));
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers a content type it does not read with 415', async () => {
    const response = await post('email=a@example.com', 'application/xml');
    expect(response.status).toBe(415);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route with 404', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/no-such-route');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 404, title: 'Not Found', code: 'NOT_FOUND' });
  });

  it('answers an unexpected error with a 500 that leaks nothing', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/probe/crash');
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL_ERROR',
      requestId: response.headers['x-request-id'],
    });
    expect(response.text).not.toMatch(/hunter2|SELECT|\.ts:|at /);
  });

  it('sends Retry-After with a rate-limit error', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/probe/rate-limited');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(response.body.code).toBe('RATE_LIMITED');
  });

  it('keeps a well-formed caller request id and replaces a malformed one', async () => {
    const kept = await request(app.getHttpServer()).get('/api/v1/health').set('x-request-id', 'trace-123');
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const replaced = await request(app.getHttpServer()).get('/api/v1/health').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
