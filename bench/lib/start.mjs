// `npm start` timed from the command to the first 200 from /api/v1/health/ready: once after a change
// (dist/'s record of its sources removed, so it builds everything) and once more on the unchanged tree.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { round } from './load.mjs';
import { freePort } from './processes.mjs';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GIVE_UP_MS = 180_000;

export async function measureStart(env) {
  rmSync(`${REPO_ROOT}dist/.sources-digest`, { force: true });
  const first = await secondsToReady(env);
  const second = await secondsToReady(env);
  return { first_start_ready_s: first, second_start_ready_s: second };
}

async function secondsToReady(env) {
  const port = await freePort();
  const started = performance.now();
  // Its own process group: npm, the shell and node all get the signal.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: REPO_ROOT,
    env: { ...env, PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors = (errors + chunk).slice(-4_000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    while (performance.now() - started < GIVE_UP_MS && child.exitCode === null) {
      const ready = await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`)
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ready) return round((performance.now() - started) / 1000, 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`npm start was not ready within ${GIVE_UP_MS} ms:\n${errors}`);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}
