import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');

interface Component {
  readonly name: string;
  readonly purl: string;
}

describe('npm run sbom', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'sbom-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it('lists every production dependency at its locked version, and no development one', async () => {
    const file = join(folder, 'sbom.cdx.json');
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'scripts/sbom.mjs'), file], {
      cwd: ROOT,
    });
    expect(stdout).toMatch(/CycloneDX 1\.5, \d+ packages/);

    const bom = JSON.parse(await readFile(file, 'utf8')) as {
      bomFormat: string;
      metadata: { component: { name: string } };
      components: Component[];
    };
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.metadata.component.name).toBe(manifest.name);

    const purls = new Set(bom.components.map((component) => component.purl));
    const names = new Set(bom.components.map((component) => component.name));
    for (const name of Object.keys(manifest.dependencies)) {
      const purl = `pkg:npm/${name.replace('@', '%40')}@${lock.packages[`node_modules/${name}`].version}`;
      expect({ name, listed: purls.has(purl) }).toEqual({ name, listed: true });
    }
    for (const development of ['jest', 'prisma', 'eslint', 'typescript', '@nestjs/cli', 'better-auth']) {
      expect({ development, listed: names.has(development) }).toEqual({ development, listed: false });
    }
  });
});
