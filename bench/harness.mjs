// Timing shared by the benchmarks: warm up, then rounds of N calls timed with hrtime, median per call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';

const QUICK = process.env.BENCH_QUICK === '1';

/** Round length and count: the full run takes seconds per contender, BENCH_QUICK=1 a tenth of that. */
export const SETTINGS = QUICK
  ? { quick: true, warmupMs: 40, roundMs: 20, rounds: 7 }
  : { quick: false, warmupMs: 200, roundMs: 100, rounds: 15 };

/**
 * A contender: `inputs(n)` prepares n arguments outside the timed loop, `run(input)` is the timed
 * operation and must return `expected` (a contender that fails to verify is an error, not a time).
 * `async` contenders are awaited call by call, as a request would await them.
 */
async function timeRound(contender, n) {
  const inputs = contender.inputs(n);
  const { run, expected } = contender;
  let correct = 0;
  const start = process.hrtime.bigint();
  if (contender.async) {
    for (let i = 0; i < n; i++) if ((await run(inputs[i])) === expected) correct++;
  } else {
    for (let i = 0; i < n; i++) if (run(inputs[i]) === expected) correct++;
  }
  const elapsedNs = Number(process.hrtime.bigint() - start);
  if (correct !== n)
    throw new Error(`${contender.name}: ${n - correct} of ${n} calls did not return the expected result`);
  return elapsedNs / n;
}

/** Calls per round so that one round of the contender lasts about `ms` (best of three, as load only slows). */
async function callsLasting(contender, ms) {
  let n = 16;
  while ((await timeRound(contender, n)) * n < 20e6) n *= 2;
  const perCallNs = Math.min(
    await timeRound(contender, n),
    await timeRound(contender, n),
    await timeRound(contender, n),
  );
  return Math.max(1, Math.round((ms * 1e6) / perCallNs));
}

/**
 * Per-call cost in microseconds of each contender: the median of its rounds. Rounds are interleaved
 * (one of each contender, then the next) so that load from elsewhere on the machine falls on all alike.
 */
export async function measureAll(contenders, settings = SETTINGS) {
  const calls = [];
  for (const contender of contenders) {
    await timeRound(contender, await callsLasting(contender, settings.warmupMs));
    calls.push(await callsLasting(contender, settings.roundMs));
  }
  const rounds = contenders.map(() => []);
  for (let r = 0; r < settings.rounds; r++) {
    for (const [i, contender] of contenders.entries()) rounds[i].push(await timeRound(contender, calls[i]));
  }
  return contenders.map((_, i) => {
    const sorted = rounds[i].sort((a, b) => a - b);
    return { us: sorted[Math.floor(sorted.length / 2)] / 1000, callsPerRound: calls[i] };
  });
}

export function machine() {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
  };
}

/** Prints rows of [label, ...cells] with a header, each column padded to its widest cell. */
export function printTable(header, rows) {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => String(row[c]).length)));
  const line = (row) =>
    row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])));
  console.log(line(header).join('  '));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row).join('  '));
}

export function writeJson(path, value) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}
