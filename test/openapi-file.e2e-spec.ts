import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OPENAPI_FILE_NAME, renderOpenApiFile } from '../src/openapi-file';

describe('openapi.json', () => {
  it('is what the code generates (run `npm run openapi` and commit the file when this fails)', async () => {
    const committed = await readFile(path.join(__dirname, '..', OPENAPI_FILE_NAME), 'utf8').catch(() => '');
    const generated = await renderOpenApiFile();
    if (committed === generated) return;
    const committedLines = committed.split('\n');
    const generatedLines = generated.split('\n');
    const line = generatedLines.findIndex((text, index) => text !== committedLines[index]);
    throw new Error(
      `${OPENAPI_FILE_NAME} is out of date with the controllers and DTOs: run \`npm run openapi\` and commit it.\n` +
        `First difference at line ${line + 1}:\n  committed: ${committedLines[line] ?? '(end of file)'}\n` +
        `  generated: ${generatedLines[line]}`,
    );
  });
});
