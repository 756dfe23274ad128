// `npm run sbom [-- <file>] [--spdx]`: the software bill of materials of what the image ships, from
// `npm sbom` on the tree the Dockerfile keeps (`npm prune --omit=dev --omit=optional`). CycloneDX 1.5
// JSON by default (sbom.cdx.json), SPDX 2.3 with --spdx (sbom.spdx.json).
//
// `npm sbom --omit dev` is not used: on this tree it leaves out direct dependencies that are also
// peers of others (@nestjs/common, @nestjs/core). So the prune is done on a hard-linked copy of
// node_modules (seconds, no data copied) and npm lists what is left.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const spdx = args.includes('--spdx');
const output = path.resolve(args.find((arg) => !arg.startsWith('--')) ?? (spdx ? 'sbom.spdx.json' : 'sbom.cdx.json'));
const npm = (cwd, ...npmArgs) =>
  execFileSync(
    process.env.npm_execpath ? process.execPath : 'npm',
    [...(process.env.npm_execpath ? [process.env.npm_execpath] : []), ...npmArgs],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

// Beside the checkout, so the hard links stay on one file system.
const work = mkdtempSync(path.join(ROOT, '.sbom-'));
try {
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(ROOT, file), path.join(work, file));
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(work, 'node_modules')]);
  // npm rewrites this file; unlinked first, the checkout's own copy is never written through the link.
  unlinkSync(path.join(work, 'node_modules', '.package-lock.json'));
  npm(work, 'prune', '--omit=dev', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund');
  npm(work, 'pkg', 'delete', 'devDependencies');
  const document = JSON.parse(npm(work, 'sbom', '--sbom-format', spdx ? 'spdx' : 'cyclonedx'));

  // npm names the root after the folder it ran in; the product is the package.
  const { name, version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (spdx) document.name = `${name}@${version}`;
  else Object.assign(document.metadata.component, { name, version });

  writeFileSync(output, `${JSON.stringify(document, null, 2)}\n`);
  const count = spdx ? document.packages.length - 1 : document.components.length;
  const format = spdx ? document.spdxVersion : `CycloneDX ${document.specVersion}`;
  console.log(`${path.relative(process.cwd(), output) || output}: ${format}, ${count} packages`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
