// Jest globalSetup: gives the test workers a migrated database through DATABASE_URL, starting a throwaway embedded PostgreSQL when none is set.
import { execFile } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startThrowawayPostgres } from '../../scripts/db/embedded-postgres.mjs';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INTERRUPTS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);

export default async function globalSetup() {
  if (!process.env.DATABASE_URL) await startDatabase();
  try {
    await migrate();
  } catch (error) {
    await globalThis.__stopThrowawayPostgres?.();
    throw error;
  }
}

/** Starts the throwaway server and leaves globalThis.__stopThrowawayPostgres for globalTeardown. */
async function startDatabase() {
  const database = await startThrowawayPostgres();
  process.env.DATABASE_URL = database.databaseUrl;

  // A signal would kill jest without running exit hooks; exiting instead runs the server's exit
  // hook, which stops it and deletes its directory.
  /** @param {NodeJS.Signals} signal */
  const exitOnInterrupt = (signal) => process.exit(128 + constants.signals[signal]);
  for (const signal of INTERRUPTS) process.on(signal, exitOnInterrupt);

  globalThis.__stopThrowawayPostgres = async () => {
    delete globalThis.__stopThrowawayPostgres;
    for (const signal of INTERRUPTS) process.removeListener(signal, exitOnInterrupt);
    // Watch mode runs globalSetup again, which must start a new server rather than reuse this URL.
    delete process.env.DATABASE_URL;
    await database.stop();
  };
}

async function migrate() {
  try {
    await promisify(execFile)(process.execPath, ['scripts/db/migrate.mjs'], { cwd: REPO_ROOT, env: process.env });
  } catch (error) {
    throw new Error(
      `node scripts/db/migrate.mjs failed (exit code ${error.code}):\n${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  }
}
