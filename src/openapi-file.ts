import { OpenAPIObject } from '@nestjs/swagger';
import { createApp } from './app.factory';
import { loadAppConfig } from './config/app-config';
import { buildOpenApiDocument } from './openapi/openapi-document';

/** `openapi.json` at the repository root: written by `npm run openapi`, checked by test/openapi-file.e2e-spec.ts. */
export const OPENAPI_FILE_NAME = 'openapi.json';

// A fixed environment, so the file depends on the code alone. Nothing connects to it: the Prisma
// pool opens on the first query and the document is built without serving a request.
const DOCUMENT_ENVIRONMENT = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  DATABASE_URL: 'postgresql://openapi@127.0.0.1:1/not-connected',
};

/** The OpenAPI document of the code, built without a database (`npm run openapi`, `npm run client:types`). */
export async function buildOpenApiDocumentOffline(): Promise<OpenAPIObject> {
  const app = await createApp(loadAppConfig(DOCUMENT_ENVIRONMENT));
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The OpenAPI document as committed: keys sorted at every level, two-space indent, trailing newline. */
export async function renderOpenApiFile(): Promise<string> {
  return `${JSON.stringify(sortKeys(await buildOpenApiDocumentOffline()), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
