// `node scripts/with-database.mjs <command> [args...]` runs the command against a migrated database: DATABASE_URL if set, else the persistent embedded PostgreSQL it starts and stops.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startPersistentPostgres } from './db/embedded-postgres.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** @type {import('node:child_process').ChildProcess | undefined} the running child, which gets our signals */
let child;

// SIGHUP too: a closed terminal would otherwise kill this process and leave PostgreSQL running.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    if (child) child.kill(signal);
    // No child (PostgreSQL starting or stopping): exiting runs the server's exit hook, which stops it.
    else process.exit(128 + constants.signals[signal]);
  });
}

process.exitCode = await main().catch((error) => {
  console.error(`[with-database] ${error.message}`);
  return 1;
});

/** @returns {Promise<number>} the exit code for this process */
async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (!command) {
    console.error('Usage: node scripts/with-database.mjs <command> [args...]');
    return 2;
  }

  let database;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    database = await startPersistentPostgres();
    databaseUrl = database.databaseUrl;
    console.error(`[with-database] embedded PostgreSQL, data in ${database.dataDir}: ${withoutPassword(databaseUrl)}`);
  }

  const env = { ...process.env, DATABASE_URL: databaseUrl };
  try {
    const migrated = await run(process.execPath, ['scripts/db/migrate.mjs'], { env, cwd: REPO_ROOT });
    if (migrated !== 0) {
      console.error(`[with-database] node scripts/db/migrate.mjs failed with exit code ${migrated}`);
      return migrated;
    }
    return await run(command, args, { env });
  } finally {
    await database?.stop();
  }
}

/**
 * Runs a command with inherited stdio while forwarding our SIGINT/SIGTERM/SIGHUP to it.
 * @param {string} command
 * @param {string[]} args
 * @param {import('node:child_process').SpawnOptions} options
 * @returns {Promise<number>} its exit code, 128 + the signal number if a signal killed it
 */
function run(command, args, options) {
  return new Promise((resolve) => {
    const started = spawn(command, args, { ...options, stdio: 'inherit' });
    child = started;
    started.on('error', (error) => {
      if (started.pid !== undefined) return; // only a failed spawn ends here without an 'exit'
      console.error(`[with-database] cannot run ${command}: ${error.message}`);
      resolve(/** @type {any} */ (error).code === 'ENOENT' ? 127 : 126);
    });
    started.once('exit', (code, signal) => {
      resolve(code ?? 128 + constants.signals[/** @type {NodeJS.Signals} */ (signal)]);
    });
  }).finally(() => {
    child = undefined;
  });
}

/** @param {string} url */
function withoutPassword(url) {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.href;
}
