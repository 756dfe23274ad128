import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OPENAPI_FILE_NAME, renderOpenApiFile } from './openapi-file';

// `npm run openapi`: regenerates the committed openapi.json (no database, no listening socket).
async function main(): Promise<void> {
  // dist/write-openapi.js writes the repository's openapi.json.
  const file = path.resolve(__dirname, '..', OPENAPI_FILE_NAME);
  await writeFile(file, await renderOpenApiFile());
  process.stdout.write(`Wrote ${file}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(
    `npm run openapi failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
