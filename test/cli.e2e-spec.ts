import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwkThumbprint } from '../src/tokens/signing-key-ring';
import { PrismaService } from '../src/prisma/prisma.service';
import { login, me, register, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const CLI_JS = join(__dirname, '..', 'dist', 'cli', 'main.js');
// What `npm run cli` runs after building: the database wrapper only for commands that need it.
const NPM_CLI_WRAPPER = join(__dirname, '..', 'scripts', 'cli.mjs');
const ADMIN_PASSWORD = 'velvet-otter-climbs-quietly';
/** The CLI and the running app are one deployment: with Redis, revocations travel on this prefix's channel. */
const REDIS_KEY_PREFIX = `test:${randomUUID()}:`;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI against the test database, as an operator would. */
function cli(
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; script?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.script ?? CLI_JS, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', BCRYPT_COST: '4', REDIS_KEY_PREFIX, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The one-line env value the CLI prints, back to a PEM. */
function pemOf(line: string, name: string): string {
  const match = new RegExp(`^${name}="([^"]+)"$`, 'm').exec(line);
  if (!match) throw new Error(`no ${name}="..." in:\n${line}`);
  return match[1].replace(/\\n/g, '\n');
}

// Each case starts a Node process, and two boot the whole application: slow on a busy machine.
jest.setTimeout(120_000);

describe('Operator CLI (node dist/cli/main.js)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp({ env: { REDIS_KEY_PREFIX } });
  });

  afterAll(async () => {
    await app.close();
  });

  describe('usage', () => {
    it.each([[['--help']], [['create-admin', '--help']], [['revoke-sessions', '-h']], [['rotate-keys', '--help']]])(
      '%j prints help and exits 0',
      async (args) => {
        const result = await cli(args);
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(/^Usage: /);
      },
    );

    it.each([[['frobnicate']], [['rotate-keys', '--bogus']], [['revoke-sessions', '--user']], [['create-admin']]])(
      '%j is bad usage: exit 2 with the usage on stderr',
      async (args) => {
        const result = await cli(args);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/^Error: .+\n\nUsage: /);
        expect(result.stdout).toBe('');
      },
    );
  });

  describe('create-admin', () => {
    it('creates an ADMIN from a password on stdin, who can log in; a second run leaves it unchanged', async () => {
      const email = uniqueEmail('cli-admin');
      const created = await cli(['create-admin', '--email', email, '--password-stdin'], {
        stdin: `${ADMIN_PASSWORD}\n`,
      });
      expect(created).toMatchObject({ code: 0, stdout: `Created admin ${email}\n`, stderr: '' });

      const pair = await login(app.getHttpServer(), email, ADMIN_PASSWORD);
      expect(pair.user.role).toBe('ADMIN');
      const audit = await app.get(PrismaService).auditEvent.findMany({ where: { type: 'USER_CREATED', email } });
      expect(audit).toEqual([expect.objectContaining({ subjectId: pair.user.id, details: { role: 'ADMIN' } })]);

      const again = await cli(['create-admin', '--email', email], {
        env: { ADMIN_PASSWORD: 'amber-heron-waits-patiently' },
      });
      expect(again).toMatchObject({ code: 0, stdout: `Admin ${email} already exists; left unchanged\n` });
      expect((await login(app.getHttpServer(), email, ADMIN_PASSWORD)).user.id).toBe(pair.user.id);
    });

    it('refuses a weak password with the policy message, and an email a USER already has', async () => {
      const weak = await cli(['create-admin', '--email', uniqueEmail('cli-weak'), '--password', 'password']);
      expect(weak).toMatchObject({ code: 1, stdout: '' });
      expect(weak.stderr).toMatch(/^Error: The password is refused: password .+\n$/);

      const email = uniqueEmail('cli-taken');
      await register(app.getHttpServer(), email);
      const taken = await cli(['create-admin', '--email', email, '--password-stdin'], { stdin: ADMIN_PASSWORD });
      expect(taken).toMatchObject({
        code: 1,
        stderr: `Error: A USER account already has the email ${email}; left unchanged\n`,
      });
      const user = await app.get(PrismaService).user.findUniqueOrThrow({ where: { email } });
      expect(user.role).toBe('USER');
    });
  });

  describe('revoke-sessions', () => {
    it('ends every session of the user: the running app refuses their access tokens, and it is audited', async () => {
      const email = uniqueEmail('cli-revoke');
      const first = await register(app.getHttpServer(), email);
      const second = await login(app.getHttpServer(), email);

      const result = await cli(['revoke-sessions', '--user', email.toUpperCase(), '--reason', 'laptop stolen']);
      expect(result).toMatchObject({ code: 0, stdout: `Revoked 2 sessions of ${email}\n`, stderr: '' });

      // The app learns of the revocation through Postgres NOTIFY (or Redis), a moment after the CLI commits.
      for (const token of [first.accessToken, second.accessToken]) {
        let code: string | undefined;
        for (let attempt = 0; attempt < 100 && code !== 'SESSION_REVOKED'; attempt++) {
          code = (await me(app.getHttpServer(), token)).body.code;
          if (code !== 'SESSION_REVOKED') await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(code).toBe('SESSION_REVOKED');
      }
      const audit = await app.get(PrismaService).auditEvent.findMany({ where: { type: 'SESSION_REVOKED', email } });
      expect(audit).toEqual([
        expect.objectContaining({
          subjectId: first.user.id,
          details: { sessionsEnded: 2, by: 'cli', reason: 'laptop stolen' },
        }),
      ]);
    });

    it('exits 1 with a clear message for an unknown email', async () => {
      const email = uniqueEmail('cli-nobody');
      expect(await cli(['revoke-sessions', '--user', email])).toMatchObject({
        code: 1,
        stdout: '',
        stderr: `Error: No user has the email ${email}\n`,
      });
    });
  });

  describe('rotate-keys', () => {
    it('prints a new Ed25519 key whose kid is its thumbprint, and step 2 moves the current key to verification', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-keys-'));
      const current = join(dir, 'current.pem');
      const currentKey = generateKeyPairSync('ed25519').privateKey;
      writeFileSync(current, currentKey.export({ type: 'pkcs8', format: 'pem' }));

      // No DATABASE_URL: the command must not need one.
      const result = await cli(['rotate-keys', '--current-key-file', current], { env: { DATABASE_URL: '' } });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const kid = /kid (\S+)/.exec(result.stdout)![1];
      const [step1, step2] = result.stdout.split('Step 2');

      const signing = createPrivateKey(pemOf(step2, 'JWT_SIGNING_KEY'));
      expect(signing.asymmetricKeyType).toBe('ed25519');
      expect(jwkThumbprint(signing)).toBe(kid);
      expect(jwkThumbprint(createPublicKey(pemOf(step1, 'JWT_VERIFICATION_KEYS')))).toBe(kid);
      expect(step2).toMatch(/^JWT_ALGORITHM=EdDSA$/m);
      expect(jwkThumbprint(createPublicKey(pemOf(step2, 'JWT_VERIFICATION_KEYS')))).toBe(jwkThumbprint(currentKey));
    });

    it('with --out writes an RSA 3072 key pair (private key mode 0600) and never prints the private key', async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'cli-keys-')), 'out');
      const result = await cli(['rotate-keys', '--algorithm', 'RS256', '--out', dir]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).not.toContain('PRIVATE KEY');
      const kid = /kid (\S+)/.exec(result.stdout)![1];

      const privatePath = join(dir, `signing-key-${kid}.pem`);
      expect(statSync(privatePath).mode & 0o777).toBe(0o600);
      const signing = createPrivateKey(readFileSync(privatePath, 'utf8'));
      expect(signing.asymmetricKeyDetails?.modulusLength).toBe(3072);
      expect(jwkThumbprint(signing)).toBe(kid);
      const jwk = createPublicKey(readFileSync(join(dir, `public-key-${kid}.pem`), 'utf8')).export({ format: 'jwk' });
      expect(jwk).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    });

    it('exits 1 on an unreadable current key and 2 on an unknown algorithm', async () => {
      const missing = await cli(['rotate-keys', '--current-key-file', '/nonexistent/key.pem']);
      expect(missing).toMatchObject({ code: 1, stdout: '' });
      expect(missing.stderr).toMatch(/^Error: Cannot read --current-key-file \/nonexistent\/key.pem: ENOENT\n$/);
      expect((await cli(['rotate-keys', '--algorithm', 'HS256'])).code).toBe(2);
    });
  });

  describe('npm run cli (scripts/cli.mjs)', () => {
    // An empty DATABASE_URL is what with-database.mjs treats as unset: it would start the embedded server.
    it.each([[['--help']], [['create-admin', '--help']], [['rotate-keys', '--algorithm', 'EdDSA']]])(
      '%j runs without a database',
      async (args) => {
        const result = await cli(args, { script: NPM_CLI_WRAPPER, env: { DATABASE_URL: '' } });
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).not.toContain('with-database');
      },
    );

    it("runs a database command against DATABASE_URL, passing on the command's exit code and message", async () => {
      const result = await cli(['revoke-sessions', '--user', uniqueEmail('cli-wrapper-nobody')], {
        script: NPM_CLI_WRAPPER,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Error: No user has the email cli-wrapper-nobody-.+\n$/);
    });
  });
});
