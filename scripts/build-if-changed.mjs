// `npm start` builds only when the sources changed since the last build: a digest of every file that
// feeds `nest build` (path, size and modification time) is kept in dist/, and a start on an unchanged
// tree skips the 15-second compile. Any difference, or no dist/, builds as before.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const digestFile = join(root, 'dist', '.sources-digest');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

function filesUnder(path) {
  const absolute = join(root, path);
  if (!existsSync(absolute)) return [];
  if (!statSync(absolute).isDirectory()) return [absolute];
  return readdirSync(absolute, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => filesUnder(join(path, entry.name)));
}

function digestOfSources() {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap(filesUnder)) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const digest = digestOfSources();
const built =
  existsSync(join(root, 'dist', 'main.js')) && existsSync(digestFile) ? readFileSync(digestFile, 'utf8') : '';
if (built === digest) {
  console.log('dist/ is current: no build needed');
} else {
  const build = spawnSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  writeFileSync(digestFile, digest);
}
