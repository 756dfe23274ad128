import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { freePort } from './support/free-port';
import { baseImage, buildImage, podman, PODMAN, RUN_LIMITS } from './support/podman';

const TAG = 'localhost/auth-service:image-test';
const MIGRATIONS = readdirSync(join(__dirname, '../prisma/migrations'), { withFileTypes: true }).filter((entry) =>
  entry.isDirectory(),
).length;

function describeWithPodman(): jest.Describe {
  if (existsSync(PODMAN)) return describe;
  console.warn(`The image test is skipped: no podman at ${PODMAN} (apt-get install podman runc debootstrap)`);
  return describe.skip;
}

/**
 * The Dockerfile built with podman and run as a platform team would: a one-shot container migrates a
 * fresh database, then the default command serves, as uid 1000 on a read-only root filesystem, every
 * secret from a mounted file.
 */
describeWithPodman()('the container image', () => {
  const container = `auth-image-test-${randomBytes(4).toString('hex')}`;
  const databaseName = `image_test_${randomBytes(4).toString('hex')}`;
  let work: string;
  let secrets: string;
  let databaseUrl: string;
  let baseUrl: string;
  let migration: Awaited<ReturnType<typeof podman>>;

  const query = async (connectionString: string, sql: string): Promise<Record<string, unknown>[]> => {
    const client = new Client({ connectionString });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(sql)).rows;
    } finally {
      await client.end();
    }
  };
  const adminQuery = (sql: string) => query(process.env.DATABASE_URL!, sql);

  /** Mounted where the service reads them (<NAME>_FILE); readable by the container's user only through the mount. */
  const secretMount = () => ['--volume', `${secrets}:/run/secrets/auth:ro`];
  const locked = ['--read-only', '--user', '1000:1000', '--network', 'host', ...RUN_LIMITS];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'image-test-'));
    secrets = join(work, 'secrets');
    const base = await baseImage(work);
    console.log(`image test base: ${base.image} (${base.how})`);
    await buildImage(TAG, base.image, work);

    await adminQuery(`CREATE DATABASE ${databaseName}`);
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();
    await rm(secrets, { recursive: true, force: true });
    await mkdir(secrets);
    const files: Record<string, string> = {
      'database-url': databaseUrl,
      'jwt-access-secret': randomBytes(48).toString('base64'),
      'password-pepper': randomBytes(48).toString('base64'),
      'mfa-encryption-key': randomBytes(32).toString('base64'),
    };
    for (const [name, value] of Object.entries(files)) {
      await writeFile(join(secrets, name), `${value}\n`);
      await chmod(join(secrets, name), 0o644);
    }
    await chmod(secrets, 0o755);

    migration = await podman(
      [
        'run',
        '--rm',
        ...locked,
        ...secretMount(),
        '--env',
        'DATABASE_URL_FILE=/run/secrets/auth/database-url',
        TAG,
      ].concat(['node', 'scripts/db/migrate.mjs']),
      300_000,
    );

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      SERVICE_URL: baseUrl,
      PUBLIC_URL: baseUrl,
      DATABASE_URL_FILE: '/run/secrets/auth/database-url',
      JWT_ACCESS_SECRET_FILE: '/run/secrets/auth/jwt-access-secret',
      PASSWORD_PEPPER_FILE: '/run/secrets/auth/password-pepper',
      MFA_ENCRYPTION_KEY_FILE: '/run/secrets/auth/mfa-encryption-key',
    };
    const started = await podman(
      ['run', '--detach', '--name', container, ...locked, '--tmpfs', '/tmp', ...secretMount()]
        .concat(Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]))
        .concat([TAG]),
      300_000,
    );
    if (started.code !== 0) throw new Error(`podman run failed: ${started.stderr}`);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await fetch(`${baseUrl}/api/v1/health/ready`).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) {
        throw new Error(`not ready within 90 s:\n${(await podman(['logs', '--tail', '30', container])).stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 20 * 60_000);

  afterAll(async () => {
    await podman(['rm', '--force', '--time', '0', container]);
    await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => undefined);
    if (work) await rm(work, { recursive: true, force: true });
  }, 120_000);

  it('migrates a fresh database as its own command, through the WebAssembly engine, without the Prisma CLI', async () => {
    expect(migration.stderr).not.toMatch(/binaries\.prisma\.sh|download/i);
    expect(migration).toMatchObject({ code: 0, stdout: expect.stringContaining(`Applied ${MIGRATIONS} migration(s)`) });
    const [applied] = await query(
      databaseUrl,
      'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
    );
    expect(applied.n).toBe(MIGRATIONS);

    // In the serving container (a container of its own costs half a minute of vfs copying).
    const contents = await podman([
      'exec',
      container,
      'sh',
      '-c',
      'ls node_modules/prisma node_modules/@prisma/engines 2>&1; test -f .env.example && echo has-env-example',
    ]);
    expect(contents.stdout).toMatch(/cannot access 'node_modules\/prisma': No such file or directory/);
    expect(contents.stdout).toMatch(/cannot access 'node_modules\/@prisma\/engines': No such file or directory/);
    // A refused configuration says "See .env.example": it is there to see.
    expect(contents.stdout).toContain('has-env-example');
  }, 300_000);

  it('serves by default: node dist/main.js, uid 1000, nothing in the image writable', async () => {
    const config = JSON.parse((await podman(['image', 'inspect', TAG])).stdout)[0].Config;
    expect(config.Cmd).toEqual(['node', 'dist/main.js']);
    expect(config.User).toBe('node');

    const inside = await podman([
      'exec',
      container,
      'sh',
      '-c',
      'id -u; touch /app/dist/main.js /app/x 2>&1; touch /tmp/ok && echo tmp-writable',
    ]);
    expect(inside.stdout.split('\n')[0]).toBe('1000');
    // The application's files are root's (no COPY --chown), and the root filesystem is read-only.
    expect(inside.stdout).toMatch(/cannot touch '\/app\/dist\/main\.js': Permission denied/);
    expect(inside.stdout).toMatch(/cannot touch '\/app\/x': Read-only file system/);
    expect(inside.stdout).toContain('tmp-writable');
  }, 120_000);

  it('answers /health/ready, a register and a login, and keeps /docs off in production', async () => {
    const ready = (await (await fetch(`${baseUrl}/api/v1/health/ready`)).json()) as { status: string };
    expect(ready.status).toBe('ok');
    const email = uniqueEmail('image');
    const credentials = JSON.stringify({ email, password: STRONG_PASSWORD });
    const headers = { 'content-type': 'application/json' };
    const registered = await fetch(`${baseUrl}/api/v1/auth/register`, { method: 'POST', headers, body: credentials });
    expect(registered.status).toBe(201);
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, { method: 'POST', headers, body: credentials });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { accessToken: unknown }).accessToken).toEqual(expect.any(String));
    expect((await fetch(`${baseUrl}/docs`)).status).toBe(404);
  }, 60_000);

  it('stops on SIGTERM with exit code 0', async () => {
    expect((await podman(['stop', '--time', '20', container], 60_000)).code).toBe(0);
    const state = JSON.parse((await podman(['inspect', container])).stdout)[0].State;
    expect(state.ExitCode).toBe(0);
    const size = Number((await podman(['image', 'inspect', '--format', '{{.Size}}', TAG])).stdout.trim());
    console.log(`image size: ${(size / 1e6).toFixed(0)} MB`);
  }, 90_000);
});
