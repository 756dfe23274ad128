import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Every feature injects the configuration, so config importing a feature would be a cycle waiting to happen.
const ALLOWED = [/^node:/, /^@nestjs\/common$/, /^\.\//, /^\.\.\/common\//];

describe('src/config dependencies', () => {
  const files = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));

  it.each(files)('%s imports only node, Nest common, its own folder and src/common', (file) => {
    const source = readFileSync(join(__dirname, file), 'utf8');
    const imported = [...source.matchAll(/^(?:import|export)\s[^;]*?from '([^']+)'/gm)].map((match) => match[1]);
    expect(imported.filter((path) => !ALLOWED.some((allowed) => allowed.test(path)))).toEqual([]);
  });
});
