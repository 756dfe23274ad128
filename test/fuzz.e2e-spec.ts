import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fc from 'fast-check';
import { register } from './support/accounts';
import { startTestApp } from './support/test-app';

// Generated requests to every route of the OpenAPI document: whatever arrives, the answer is never a
// 5xx and every error is problem details. FUZZ_SEED replays a failing run; FUZZ_RUNS sets runs per route.
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 50);
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const KNOWN_FIELDS = [
  'email',
  'password',
  'refreshToken',
  'token',
  'name',
  'currentPassword',
  'newPassword',
  'role',
  'status',
  'page',
  'limit',
  'q',
];

interface Route {
  readonly method: (typeof HTTP_METHODS)[number];
  readonly path: string;
  readonly bearer: boolean;
}

const base64url = (text: string) => Buffer.from(text).toString('base64url');
const headerSafe = fc.stringMatching(/^[!-~][ -~]{0,120}$/);

const jwtShaped = fc
  .tuple(
    fc.record({
      alg: fc.constantFrom('none', 'HS256', 'RS256', 'EdDSA', 'ES256', ''),
      typ: fc.constantFrom('at+jwt', 'JWT', undefined),
      kid: fc.option(fc.string(), { nil: undefined }),
    }),
    fc.oneof(
      fc.jsonValue(),
      fc.record({ sub: fc.uuid(), sid: fc.uuid(), exp: fc.integer(), iat: fc.integer(), role: fc.string() }),
    ),
    fc.oneof(
      fc.constant(''),
      fc.base64String().map((text) => text.replace(/[+/=]/g, 'A')),
    ),
  )
  .map(
    ([header, payload, signature]) =>
      `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`,
  );

const token = fc.oneof(
  jwtShaped,
  fc
    .array(
      fc.base64String().map((text) => text.replace(/[+/=]/g, '_')),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join('.')),
  headerSafe,
);

const authorization = (validToken: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.constant(`Bearer ${validToken}`),
    token.map((value) => `Bearer ${value}`),
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x'),
    headerSafe,
  );

const contentType = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'application/problem+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ),
  headerSafe,
);

const fieldValue = fc.oneof(fc.anything(), fc.string({ maxLength: 300 }), token, fc.emailAddress());
const body = fc.oneof(
  fc.constant(undefined),
  fc
    .dictionary(fc.oneof(fc.constantFrom(...KNOWN_FIELDS), fc.string()), fieldValue)
    .map((value) => JSON.stringify(value)),
  fc.anything().map((value) => JSON.stringify(value) ?? ''),
  // Around the 64 kB body limit: some fit, some are refused with 413.
  fc.integer({ min: 1, max: 70_000 }).map((size) => JSON.stringify({ email: 'x'.repeat(size), password: 'y' })),
  fc.string({ maxLength: 200 }),
);

const pathParam = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent), fc.integer().map(String));
const query = fc.option(
  fc.dictionary(fc.constantFrom('page', 'limit', 'q', 'type', 'cursor', 'x'), fc.string({ maxLength: 30 })),
  { nil: undefined },
);

describe('Fuzzing every route', () => {
  let app: NestFastifyApplication;
  let routes: Route[];
  let validToken: string;

  beforeAll(async () => {
    app = await startTestApp();
    validToken = (await register(app.getHttpServer())).accessToken;
    const document = (await app.inject({ method: 'GET', url: '/docs/openapi.json' })).json<{
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    }>();
    routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      HTTP_METHODS.filter((method) => operations[method]).map((method) => ({
        method,
        path,
        bearer: (operations[method].security ?? []).length > 0,
      })),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('finds routes in the OpenAPI document, public and bearer ones', () => {
    expect(routes.filter((route) => route.bearer).length).toBeGreaterThan(3);
    expect(routes.filter((route) => !route.bearer).length).toBeGreaterThan(3);
  });

  it('never answers 5xx, and every error is problem details with its status and a code', async () => {
    for (const route of routes) {
      const requestFor = fc.record({
        params: fc.array(pathParam, { minLength: 4, maxLength: 4 }),
        query,
        body,
        contentType,
        authorization: authorization(validToken),
        requestId: fc.option(headerSafe, { nil: undefined }),
      });
      await fc
        .assert(
          fc.asyncProperty(requestFor, async (generated) => {
            let index = 0;
            const path = route.path.replace(/\{[^}]+\}/g, () => generated.params[index++]);
            const search = generated.query ? `?${new URLSearchParams(generated.query).toString()}` : '';
            const headers: Record<string, string> = {};
            if (generated.contentType !== undefined) headers['content-type'] = generated.contentType;
            if (generated.authorization !== undefined) headers.authorization = generated.authorization;
            if (generated.requestId !== undefined) headers['x-request-id'] = generated.requestId;
            const response = await app.inject({
              method: route.method.toUpperCase() as 'GET',
              url: `${path}${search}`,
              headers,
              payload: route.method === 'get' ? undefined : generated.body,
            });
            const where = `${route.method.toUpperCase()} ${path}${search} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
            if (response.statusCode >= 500) throw new Error(`5xx: ${where}`);
            if (response.statusCode >= 400) {
              if (!/^application\/problem\+json/.test(String(response.headers['content-type'])))
                throw new Error(`not problem details: ${where}`);
              const problem = response.json<{ status?: unknown; code?: unknown }>();
              if (problem.status !== response.statusCode || typeof problem.code !== 'string')
                throw new Error(`bad problem: ${where}`);
            }
          }),
          { seed: SEED, numRuns: RUNS_PER_ROUTE },
        )
        .catch((error: Error) => {
          throw new Error(`${error.message}\nReplay with FUZZ_SEED=${SEED}`);
        });
    }
  }, 120_000);
});
