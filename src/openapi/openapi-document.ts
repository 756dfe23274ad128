import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { problemResponse } from '../common/openapi/api-problem-responses.decorator';
import { FieldErrorDto, ProblemDetailsDto } from '../common/openapi/problem-details.dto';
import { applyGuardConventions } from './document-conventions';

export const BEARER_SCHEME = 'bearer';
export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/** Builds the OpenAPI 3 document of every route from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Auth service')
    .setDescription(
      'Accounts, passwords, JWT access tokens and rotating refresh-token sessions. ' +
        'Every error is RFC 9457 problem details (`application/problem+json`) with a stable `code`.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token from login, register or refresh',
      },
      BEARER_SCHEME,
    )
    .addGlobalResponse({ status: 500, ...problemResponse(500, ['INTERNAL_ERROR']) })
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto, FieldErrorDto],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  return applyGuardConventions(document, BEARER_SCHEME);
}

/** Serves Swagger UI at /docs and the document at /docs/openapi.json, outside the API prefix. */
export function serveOpenApiDocument(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    useGlobalPrefix: false,
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    swaggerOptions: { persistAuthorization: true },
  });
}
