import { OpenAPIObject } from '@nestjs/swagger';
import { CSRF_HEADER, REFRESH_COOKIE } from '../auth/transport/refresh-token-transport';
import { RefreshTransport } from '../config/app-config';

type SchemaObject = { required?: string[] };

// The routes that take a refresh token in the body (RefreshTokenDto) or, when allowed, the cookie.
const READS_REFRESH_TOKEN = ['/api/v1/auth/refresh', '/api/v1/auth/logout'];
// Node's limit on a request's headers (431 beyond it) bounds a cookie or header value.
const MAX_HEADERS_BYTES = 16 * 1024;

/**
 * Where the refresh token travels depends on REFRESH_TRANSPORT, so the document says what this
 * deployment does: `refreshToken` is required in request bodies only with `body`, present in token
 * pairs unless `cookie`, and the cookie (with its CSRF header) is a parameter only where it is read.
 */
export function documentRefreshTransport(document: OpenAPIObject, transport: RefreshTransport): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
  if (transport === 'body') requireProperty(schemas.RefreshTokenDto, 'refreshToken');
  if (transport !== 'cookie') requireProperty(schemas.TokenPairDto, 'refreshToken');
  if (transport === 'body') return document;

  for (const path of READS_REFRESH_TOKEN) {
    const operation = document.paths[path]?.post;
    if (!operation) continue;
    operation.parameters = [
      ...(operation.parameters ?? []),
      {
        name: REFRESH_COOKIE,
        in: 'cookie',
        required: false,
        description: 'The refresh token, read when the body has none (set by register, login and refresh)',
        schema: { type: 'string', maxLength: MAX_HEADERS_BYTES },
      },
      {
        name: CSRF_HEADER,
        in: 'header',
        required: false,
        description: 'Any value; required with the cookie unless the Origin is listed in CORS_ORIGINS (else 403)',
        schema: { type: 'string', maxLength: MAX_HEADERS_BYTES },
      },
    ];
  }
  return document;
}

function requireProperty(schema: SchemaObject | undefined, property: string): void {
  if (!schema) return;
  schema.required = [...new Set([...(schema.required ?? []), property])];
}
