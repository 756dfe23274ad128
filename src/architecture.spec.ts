import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The shape of the code, checked: feature folders depend one way (README, "Layout"), and only
 * repositories, src/prisma and the health check reach the database client.
 */

// Each folder under src/ may import from the folders of lower layers only, never from its own layer's
// others: so there is no cycle between folders, and each layer can be read knowing only those below.
const LAYERS: readonly (readonly string[])[] = [
  ['common'],
  ['config'],
  ['metrics', 'telemetry'],
  ['prisma', 'redis', 'logging', 'lifecycle', 'mail'],
  ['audit', 'tokens'],
  ['sessions'],
  ['users'],
  ['passkeys', 'sso'],
  ['mfa'],
  ['auth'],
  ['health', 'examples', 'openapi'],
  // Files directly in src/: the application module, its factory and the entry points.
  ['(root)'],
  ['cli'],
];

const SOURCE_ROOT = __dirname;

interface Import {
  readonly file: string;
  readonly target: string;
  readonly typeOnly: boolean;
}

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const statements = text.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.{1,2}\/[^']+)'/gms);
  return [...statements].map((match) => ({
    file: relative(SOURCE_ROOT, file),
    target: relative(SOURCE_ROOT, resolve(dirname(file), match[3])),
    typeOnly: match[2] !== undefined,
  }));
}

const folderOf = (path: string) => (path.includes(sep) ? path.split(sep)[0] : '(root)');
const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));
const imports = sourceFiles(SOURCE_ROOT).flatMap(importsOf);

describe('The architecture', () => {
  it('finds the imports it checks', () => {
    // A broken pattern would find nothing and pass everything.
    expect(imports.length).toBeGreaterThan(500);
    expect(imports).toContainEqual({
      file: join('users', 'users.service.ts'),
      target: join('sessions', 'sessions.service'),
      typeOnly: false,
    });
  });

  it('places every folder under src/ in a layer', () => {
    const folders = new Set(imports.map((found) => folderOf(found.file)));
    expect([...folders].filter((folder) => layerOf(folder) < 0)).toEqual([]);
  });

  it('has folders depend only on lower layers: one way, without cycles', () => {
    const against = imports
      .filter((found) => folderOf(found.target) !== 'generated')
      .filter((found) => {
        const from = folderOf(found.file);
        const to = folderOf(found.target);
        return from !== to && layerOf(to) >= layerOf(from);
      })
      .map((found) => `${found.file} imports ${found.target}`);
    expect(against).toEqual([]);
  });

  it('reaches the database client only from repositories, src/prisma and the health check', () => {
    const mayUseTheClient = (file: string) =>
      file.endsWith('.repository.ts') || folderOf(file) === 'prisma' || folderOf(file) === 'health';
    const databaseModules = [join('prisma', 'prisma.service'), join('prisma', 'open-transaction')];
    const against = imports
      .filter((found) => !mayUseTheClient(found.file))
      .filter(
        (found) =>
          databaseModules.includes(found.target) ||
          // The generated client's runtime (its types are fine everywhere).
          (found.target === join('generated', 'prisma', 'client') && !found.typeOnly),
      )
      .map((found) => `${found.file} imports ${found.target}`);
    expect(against).toEqual([]);
  });
});
