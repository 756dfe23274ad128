// A bench child's memory, from Linux's /proc: resident now (VmRSS) and the most it has been (VmHWM).
// Null where /proc is not there, so that the bench still runs elsewhere.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function statusMiB(pid, field) {
  try {
    const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kib ? Math.round(Number(kib[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

export const residentMiB = (pid) => statusMiB(pid, 'VmRSS');
export const peakResidentMiB = (pid) => statusMiB(pid, 'VmHWM');

/** The heap the revoked-session set takes for 100,000 sessions (bench/revoked-set-cost.mjs). */
export function revokedSetCost() {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL('../revoked-set-cost.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--expose-gc', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`revoked-set-cost.mjs exited with ${code}`)),
    );
  });
}
