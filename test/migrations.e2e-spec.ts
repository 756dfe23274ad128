import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

async function runScript(script: string, args: string[] = [], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('Migrations', () => {
  it('build exactly the schema in prisma/schema.prisma', async () => {
    const result = await runScript('scripts/db/check-schema.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/In sync/);
  });

  it('applying them again applies nothing', async () => {
    const result = await runScript('scripts/db/migrate.mjs');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/No pending migrations/);
  });

  it('read the database URL from DATABASE_URL_FILE, as a mounted secret, and refuse both forms at once', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'database-url-file-'));
    try {
      const file = join(folder, 'database-url');
      await writeFile(file, `${process.env.DATABASE_URL}\n`);
      const fromFile = await runScript('scripts/db/migrate.mjs', [], { DATABASE_URL: '', DATABASE_URL_FILE: file });
      expect(fromFile).toMatchObject({ code: 0, stdout: expect.stringMatching(/No pending migrations/) });

      const both = await runScript('scripts/db/migrate.mjs', [], { DATABASE_URL_FILE: file });
      expect(both.code).toBe(1);
      expect(both.stderr).toBe('Error: DATABASE_URL and DATABASE_URL_FILE are both set: set one of them.\n');

      const missing = await runScript('scripts/db/migrate.mjs', [], {
        DATABASE_URL: '',
        DATABASE_URL_FILE: join(folder, 'absent'),
      });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('DATABASE_URL_FILE: cannot read');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  describe('when the schema changes', () => {
    let workdir: string;

    beforeAll(async () => {
      workdir = await mkdtemp(join(tmpdir(), 'schema-drift-'));
    });

    afterAll(async () => {
      await rm(workdir, { recursive: true, force: true });
    });

    it('the check fails and names the difference', async () => {
      const schemaPath = join(workdir, 'schema.prisma');
      const schema = await readFile(join(ROOT, 'prisma/schema.prisma'), 'utf8');
      await writeFile(schemaPath, schema.replace(/(model User \{\n)/, '$1  locale String @default("en")\n'));
      await copyFile(join(ROOT, 'prisma/migrations/migration_lock.toml'), join(workdir, 'migration_lock.toml'));

      const result = await runScript('scripts/db/check-schema.mjs', ['--schema', schemaPath]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/ALTER TABLE "users" ADD COLUMN\s+"locale" TEXT NOT NULL DEFAULT 'en'/);
    });
  });
});
