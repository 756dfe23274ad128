import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');

export const PODMAN = '/usr/bin/podman';
/** Where the test's images live between runs: its own store, so the vfs driver never meets another's overlay one. */
const STORE = process.env.IMAGE_TEST_STORE ?? '/var/tmp/auth-service-image-test';
const OFFICIAL_BASE = 'docker.io/library/node:24-bookworm-slim';
const STANDIN_BASE = 'localhost/node-standin:24';

/**
 * Debian's podman as a platform team's CI would run it in a container: vfs storage, cgroupfs, events
 * in a file. Where runc is installed it runs the containers (crun refuses hybrid cgroup hierarchies).
 */
export const PODMAN_GLOBAL_ARGS: readonly string[] = [
  ...['--root', join(STORE, 'storage'), '--runroot', join(STORE, 'run')],
  ...['--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'],
  ...(existsSync('/usr/sbin/runc') ? ['--runtime', 'runc'] : []),
];

/**
 * The limits of `podman run` and of the build's RUN steps, explicitly: podman's defaults are above this
 * sandbox's hard limits (raising them needs CAP_SYS_RESOURCE), and `npm ci` needs thousands of files open.
 */
export const RUN_LIMITS: readonly string[] = ['--ulimit', 'nofile=16384:16384', '--ulimit', 'nproc=4096:4096'];

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function podman(args: readonly string[], timeoutMs = 120_000): Promise<Result> {
  try {
    const { stdout, stderr } = await run(PODMAN, [...PODMAN_GLOBAL_ARGS, ...args], {
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}

/** Runs a long command with its output in a log file, failing with the log's tail. */
async function logged(
  command: string,
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const fd = openSync(log, 'w');
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
      child.on('error', reject);
      child.on('exit', (exitCode) => resolve(exitCode ?? 1));
    });
    if (code !== 0) {
      const tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The official node:24-bookworm-slim when a registry gives it; otherwise a stand-in made here from
 * Debian's mirror and the npm registry (scripts/image/standin-base.sh), kept for later runs.
 */
export async function baseImage(logDirectory: string): Promise<{ image: string; how: string }> {
  if ((await podman(['image', 'exists', OFFICIAL_BASE])).code === 0) return { image: OFFICIAL_BASE, how: 'present' };
  if ((await podman(['pull', '--quiet', OFFICIAL_BASE], 60_000)).code === 0)
    return { image: OFFICIAL_BASE, how: 'pulled' };
  if ((await podman(['image', 'exists', STANDIN_BASE])).code === 0) {
    return { image: STANDIN_BASE, how: 'no registry reachable: the stand-in made by an earlier run' };
  }
  await logged(join(ROOT, 'scripts/image/standin-base.sh'), ['24'], join(logDirectory, 'standin-base.log'), {
    ...process.env,
    PODMAN: [PODMAN, ...PODMAN_GLOBAL_ARGS].join(' '),
  });
  return { image: STANDIN_BASE, how: 'no registry reachable: a stand-in made now (debootstrap and the npm registry)' };
}

/** `podman build` of the repository's Dockerfile, chroot isolation, layers cached between runs. */
export async function buildImage(tag: string, base: string, logDirectory: string): Promise<void> {
  // Layers of earlier builds that no tag uses any more, beyond the cache this build may reuse.
  await podman(['image', 'prune', '--force', '--filter', 'until=12h'], 300_000);
  await logged(
    PODMAN,
    [
      ...PODMAN_GLOBAL_ARGS,
      ...['build', '--isolation', 'chroot', '--network', 'host', '--format', 'docker', '--layers', ...RUN_LIMITS],
      ...['--build-arg', `NODE_IMAGE=${base}`, '--tag', tag, ROOT],
    ],
    join(logDirectory, 'build.log'),
  );
}
