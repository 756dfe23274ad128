import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { problemResponse } from '../common/openapi/api-problem-responses.decorator';
import { FieldErrorDto, ProblemDetailsDto } from '../common/openapi/problem-details.dto';
import { AppConfig } from '../config/app-config';
import { applyGuardConventions } from '../common/openapi/document-conventions';
import { documentRateLimitHeaders } from './rate-limit-headers';
import { documentRefreshTransport } from './refresh-transport-document';

export const BEARER_SCHEME = 'bearer';
export const DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = 'docs/openapi.json';

/** Every tag a controller uses (`@ApiTags`), with what it groups; Spectral fails on a tag missing here. */
const TAGS: ReadonlyArray<readonly [name: string, description: string]> = [
  [
    'auth',
    'Accounts, passwords, sessions and tokens: register, login, refresh, logout, password and email flows, JWKS',
  ],
  ['mfa', 'Second factors: authenticator apps (TOTP), recovery codes, and completing a login that needs one'],
  ['sso', 'Single sign-on with OpenID Connect providers, and the provider accounts linked to a user'],
  ['passkeys', 'Passkeys (WebAuthn): registering and managing them, and logging in with one, without a password'],
  ['users', 'Account administration (ADMIN), and a user reading and renaming themselves'],
  ['audit', 'The security audit trail (ADMIN)'],
  ['health', 'Liveness and readiness probes'],
  ['notes', 'The example feature module of the README: copy it for a new feature'],
];

/** Builds the OpenAPI 3 document of every route from the controllers' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const appConfig = app.get(AppConfig);
  const builder = new DocumentBuilder()
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
        description:
          'Access token (JWT, `typ: at+jwt`, RFC 9068) from login, register or refresh. Verified as RFC8725 ' +
          'recommends: the algorithm pinned by configuration, the explicit type, issuer, audience and expiry checked.',
      },
      BEARER_SCHEME,
    )
    .addGlobalResponse({ status: 500, ...problemResponse(500, ['INTERNAL_ERROR']) });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  // A configured SERVICE_URL is where clients reach this deployment; without one, the relative `/` is
  // whatever origin served the document, which keeps the committed openapi.json free of any host.
  if (appConfig.http.serviceUrlConfigured) {
    builder.addServer(appConfig.http.serviceUrl, 'Where clients reach this deployment (SERVICE_URL)');
  } else {
    builder.addServer('/', 'The origin that served this document: local development unless SERVICE_URL is set');
  }
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDetailsDto, FieldErrorDto],
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  for (const server of document.servers ?? []) Object.assign(server, { 'x-internal': false });
  unwrapLoneAllOf(document);
  applyGuardConventions(document, BEARER_SCHEME);
  documentRateLimitHeaders(document);
  return documentRefreshTransport(document, appConfig.session.refreshTransport);
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

type PropertySchema = { allOf?: unknown[] } & Record<string, unknown>;

/** `{allOf: [{$ref}]}` with nothing beside it (what @nestjs/swagger writes for an enum property) is the $ref itself. */
function unwrapLoneAllOf(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    const properties = (schema as { properties?: Record<string, PropertySchema> }).properties ?? {};
    for (const [name, property] of Object.entries(properties)) {
      if (Object.keys(property).length === 1 && property.allOf?.length === 1) {
        properties[name] = property.allOf[0] as PropertySchema;
      }
    }
  }
}
