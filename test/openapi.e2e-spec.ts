import SwaggerParser from '@apidevtools/swagger-parser';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { ProbeModule } from './support/probe.module';
import { startTestApp } from './support/test-app';

describe('OpenAPI', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    // The probe module stands for a team's module: its routes carry no OpenAPI decorators of their own.
    app = await startTestApp({ imports: [ProbeModule] });
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves a valid OpenAPI 3 document at /docs/openapi.json', async () => {
    const response = await request(app.getHttpServer()).get('/docs/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    // Throws with the offending path when the document breaks the OpenAPI 3 schema or has a dangling $ref.
    await expect(SwaggerParser.validate(structuredClone(response.body))).resolves.toBeDefined();
  });

  it('declares the bearer scheme and one problem-details schema shared by error responses', async () => {
    const { body: document } = await request(app.getHttpServer()).get('/docs/openapi.json');
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(document.components.schemas.ProblemDetailsDto.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']),
    );
    const readiness = document.paths['/api/v1/health/ready'].get;
    const unavailable = readiness.responses['503'].content['application/problem+json'].schema;
    expect(unavailable.allOf[0]).toEqual({ $ref: '#/components/schemas/ProblemDetailsDto' });
    expect(unavailable.allOf[1].properties.code.enum).toEqual(['SERVICE_UNAVAILABLE']);
    expect(readiness.responses['500'].content['application/problem+json']).toBeDefined();
  });

  it('documents what the global guards and pipes imply, on every route without per-route decorators', async () => {
    const { body: document } = await request(app.getHttpServer()).get('/docs/openapi.json');
    type ProblemResponse = {
      content: Record<string, { schema: { allOf: Array<{ properties: { code: { enum: string[] } } }> } }>;
    };
    const codesOf = (operation: { responses: Record<string, ProblemResponse | undefined> }, status: number) =>
      operation.responses[status]?.content['application/problem+json'].schema.allOf[1].properties.code.enum ?? [];

    const guarded = document.paths['/api/v1/probe/guarded/whoami'].get;
    expect(guarded.security).toEqual([{ bearer: [] }]);
    expect(codesOf(guarded, 401)).toEqual(['UNAUTHORIZED', 'TOKEN_EXPIRED', 'INVALID_TOKEN', 'SESSION_REVOKED']);
    // Only MFA_REQUIRED_ROLES' hold on accounts without a second factor (README, "Second factors").
    expect(codesOf(guarded, 403)).toEqual(['MFA_ENROLLMENT_REQUIRED']);

    const adminOnly = document.paths['/api/v1/probe/guarded/admin'].get;
    expect(codesOf(adminOnly, 403)).toEqual(['MFA_ENROLLMENT_REQUIRED', 'FORBIDDEN']);
    expect(adminOnly.description).toContain('Requires the role ADMIN');

    const health = document.paths['/api/v1/health'].get;
    expect(health.security).toEqual([]);
    expect(health.responses['401']).toBeUndefined();
    // What Node's parser and Fastify's router answer before any route runs.
    expect(codesOf(health, 431)).toEqual(['HEADERS_TOO_LARGE']);
    expect(health.responses['414']).toBeUndefined();
    expect(codesOf(document.paths['/api/v1/users/{id}'].get, 414)).toEqual(['URI_TOO_LONG']);
    // Fastify parses the body of a POST whether or not the route reads one.
    const logoutAll = document.paths['/api/v1/auth/logout-all'].post;
    expect(codesOf(logoutAll, 415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(codesOf(logoutAll, 400)).toEqual(['MALFORMED_REQUEST']);

    // A route's own codes and the ones implied by its body share one response per status.
    const login = document.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(codesOf(login, 401)).toEqual(['INVALID_CREDENTIALS']);
    expect(codesOf(login, 400)).toEqual(['VALIDATION_FAILED', 'MALFORMED_REQUEST']);
    expect(codesOf(login, 413)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(codesOf(login, 415)).toEqual(['UNSUPPORTED_MEDIA_TYPE']);
    expect(JSON.stringify(document)).not.toMatch(/"x-(public|roles)"/);
  });

  it('documents the JWKS outside the API prefix: public, its key schema, 404 under HS256', async () => {
    const { body: document } = await request(app.getHttpServer()).get('/docs/openapi.json');
    const jwks = document.paths['/.well-known/jwks.json'].get;
    expect(jwks.security).toEqual([]);
    expect(jwks.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/JsonWebKeySetDto',
    });
    expect(jwks.responses['404'].content['application/problem+json'].schema.allOf[1].properties.code.enum).toEqual([
      'NOT_FOUND',
    ]);
    expect(Object.keys(document.components.schemas.JsonWebKeyDto.properties)).toEqual(
      expect.arrayContaining(['kty', 'kid', 'use', 'alg', 'n', 'e', 'crv', 'x']),
    );
  });

  it('states every tag, a relative server, integer bounds and the rate-limit headers of limited routes', async () => {
    const { body: document } = await request(app.getHttpServer()).get('/docs/openapi.json');
    const tags = new Set((document.tags as Array<{ name: string; description: string }>).map((tag) => tag.name));
    // The probe module's controller has no @ApiTags (Swagger names a tag after it): a team's module declares its own.
    for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, { tags?: string[] }>>)) {
      if (path.startsWith('/api/v1/probe/')) continue;
      for (const operation of Object.values(item)) for (const tag of operation.tags ?? []) expect(tags).toContain(tag);
    }
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const parameters = document.paths['/api/v1/users'].get.parameters as Array<{ name: string; schema: object }>;
    const limit = parameters.find((parameter) => parameter.name === 'limit');
    expect(limit?.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100 });
    const login = document.paths['/api/v1/auth/login'].post;
    expect(Object.keys(login.responses['200'].headers)).toEqual(
      expect.arrayContaining(['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
    expect(login.responses['415'].headers).toBeUndefined();
    expect(document.paths['/api/v1/auth/me'].get.responses['200'].headers).toBeUndefined();
    // REFRESH_TRANSPORT=body (the default): the body must carry the token.
    expect(document.components.schemas.RefreshTokenDto.required).toEqual(['refreshToken']);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await request(app.getHttpServer()).get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('swagger-ui');
  });
});

describe('OpenAPI in production', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64'),
    PASSWORD_PEPPER: randomBytes(48).toString('base64'),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  };

  it('serves neither /docs nor its document unless DOCS_ENABLED=true', async () => {
    const off = await startTestApp({ env: production });
    try {
      await request(off.getHttpServer()).get('/docs').expect(404);
      await request(off.getHttpServer()).get('/docs/openapi.json').expect(404);
      await request(off.getHttpServer()).get('/api/v1/health').expect(200);
    } finally {
      await off.close();
    }
    const on = await startTestApp({ env: { ...production, DOCS_ENABLED: 'true' } });
    try {
      await request(on.getHttpServer()).get('/docs/openapi.json').expect(200);
    } finally {
      await on.close();
    }
  });
});
