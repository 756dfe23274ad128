import SwaggerParser from '@apidevtools/swagger-parser';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { startTestApp } from './support/test-app';

describe('OpenAPI', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
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

  it('serves Swagger UI at /docs', async () => {
    const response = await request(app.getHttpServer()).get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.text).toContain('swagger-ui');
  });
});
