// `npm run cli -- <command>`: the operator CLI (dist/cli/main.js). Commands that use the database run
// through with-database.mjs (the development database when DATABASE_URL is unset); help and rotate-keys
// run directly, so they neither start PostgreSQL nor wait for it.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import cliUsage from '../dist/cli/cli-usage.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const command = cliUsage.needsDatabase(args)
  ? [`${REPO_ROOT}scripts/with-database.mjs`, process.execPath, `${REPO_ROOT}dist/cli/main.js`, ...args]
  : [`${REPO_ROOT}dist/cli/main.js`, ...args];

const child = spawn(process.execPath, command, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => process.exit(code ?? 128 + constants.signals[signal]));
