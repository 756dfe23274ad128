// `npm run bench`: starts the built service on a fresh database and measures, in one run, the guarded
// route against the same handler unguarded and a bare node:http server, /auth/me, login beside the
// bcrypt ceiling, chained refreshes with 1k and 1M stored sessions, a tutorial-style Express peer and
// cross-instance revocation. Prints a table, writes bench/results/latest.json, table.md and latency.svg.
// Contenders compared by a ratio (guarded/unguarded/bare, refresh with 1k/1M sessions) run in
// alternating rounds, so that the shared machine's drift hits them alike.
// BENCH_QUICK=1 runs every section for seconds, with 10,000 instead of 1,000,000 sessions.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcrypt';
import { machine, printTable, writeJson } from './harness.mjs';
import { createBenchDatabase, insertSessions } from './lib/database.mjs';
import { peakResidentMiB, residentMiB, revokedSetCost } from './lib/memory.mjs';
import { measureStart } from './lib/start.mjs';
import { CONNECTIONS, DURATION_S, call, measure, percentile, round } from './lib/load.mjs';
import { startProcess } from './lib/processes.mjs';
import { latencySvg, markdownTable } from './lib/report.mjs';
import { measureBetterAuth } from './lib/better-auth.mjs';
import { measureRevocation } from './lib/revocation.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const LARGE_SESSION_COUNT = QUICK ? 10_000 : 1_000_000;
// Contenders compared by a ratio run in alternating rounds, each a third of a measurement.
const INTERLEAVED_ROUNDS = 3;
const ROUND_S = Math.max(1, Math.round(DURATION_S / INTERLEAVED_ROUNDS));
const BCRYPT_COST = 12;
const LOGIN_CONNECTIONS = 16;
// A login takes a few hundred ms: a longer window so that enough complete to count.
const LOGIN_DURATION_S = QUICK ? 5 : 15;
const PASSWORD = 'bench-Vq7!correct-horse-battery';
// Idle means this long after the service is ready, before any request: V8 has collected what booting left.
const IDLE_AFTER_S = QUICK ? 5 : 20;
// Sessions of one user ended by one logout-all before the peak is read: the revoked set at its largest.
const MASS_REVOCATION = QUICK ? 10_000 : 100_000;
const API = '/api/v1';

const processes = [];
async function start(script, env) {
  const started = await startProcess(script, env);
  processes.push(started);
  return started;
}
async function stop(started) {
  processes.splice(processes.indexOf(started), 1);
  await started.stop();
}

const log = (message) => console.error(`[bench] ${message}`);
const database = await createBenchDatabase();
log(`fresh database: ${database.where}`);
try {
  await main();
} finally {
  await Promise.allSettled(processes.map((p) => p.stop()));
  await database.drop();
}

async function main() {
  const serviceEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'),
    PASSWORD_PEPPER: randomBytes(32).toString('base64url'),
    MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // One issuer for every instance, as behind a load balancer (the default names each one's port).
    SERVICE_URL: 'http://auth.bench',
    // Production's default, so every answered request writes its log line (to a pipe this process reads).
    LOG_LEVEL: 'info',
    BCRYPT_COST: String(BCRYPT_COST),
    THROTTLE_AUTH_LIMIT: '1000000',
    THROTTLE_AUTH_TTL: '1s',
    LOCKOUT_THRESHOLD: '1000000',
    ACCOUNT_FAILURE_LIMIT: '1000000',
    ...(process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}:` }
      : {}),
  };
  const results = {};

  const service = await start('probe-app.mjs', serviceEnv);
  const readyAt = performance.now();
  const memory = { ready_rss_mib: residentMiB(service.pid) };
  // The ceiling is measured in this process while the service idles.
  log('hash ceiling: parallel bcrypt hashes');
  const ceilingPerS = await hashCeiling();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, IDLE_AFTER_S * 1000 - (performance.now() - readyAt))));
  memory.idle_rss_mib = residentMiB(service.pid);
  log(`idle: ${memory.idle_rss_mib} MiB resident ${IDLE_AFTER_S} s after ready`);

  const email = `bench-${randomBytes(4).toString('hex')}@bench.test`;
  const { user } = await call(`${service.url}${API}/auth/register`, {
    method: 'POST',
    body: { email, password: PASSWORD },
    expect: 201,
  });
  const login = () => call(`${service.url}${API}/auth/login`, { method: 'POST', body: { email, password: PASSWORD } });
  const { accessToken } = await login();
  const bearer = { authorization: `Bearer ${accessToken}` };

  log('guarded / unguarded / framework / bare, interleaved');
  const bare = await start('bare-server.mjs', {});
  const framework = await start('framework-app.mjs', {});
  Object.assign(
    results,
    await measureInterleaved({
      guarded: { url: `${service.url}${API}/bench/guarded`, headers: bearer },
      unguarded: { url: `${service.url}${API}/bench/open` },
      framework: { url: `${framework.url}/framework` },
      bare: { url: bare.url },
    }),
  );
  await stop(framework);
  await stop(bare);
  log('me');
  results.me = await measure({ url: `${service.url}${API}/auth/me`, headers: bearer });

  log('traces: me with every request traced, one in ten, and untraced, interleaved');
  const collector = await start('otlp-sink.mjs', {});
  const tracedEnv = { ...serviceEnv, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url };
  const traced = await start('probe-app.mjs', tracedEnv);
  const sampled = await start('probe-app.mjs', {
    ...tracedEnv,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
  });
  const traces = await measureInterleaved({
    untraced: { url: `${service.url}${API}/auth/me`, headers: bearer },
    traced: { url: `${traced.url}${API}/auth/me`, headers: bearer },
    sampled: { url: `${sampled.url}${API}/auth/me`, headers: bearer },
  });
  results.tracing = {
    ...traces,
    traced_vs_untraced: round(traces.traced.rps / traces.untraced.rps, 2),
    sampled_vs_untraced: round(traces.sampled.rps / traces.untraced.rps, 2),
  };
  await Promise.all([stop(traced), stop(sampled)]);
  await stop(collector);

  log('login storm with a health probe every 50 ms');
  const stored = [];
  const probe = probeEvery(50, `${service.url}${API}/health`);
  results.login = await measure({
    url: `${service.url}${API}/auth/login`,
    connections: LOGIN_CONNECTIONS,
    duration: LOGIN_DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: PASSWORD }),
        onResponse: (status, body) => {
          if (status === 200 && stored.length < CONNECTIONS) stored.push(JSON.parse(body).refreshToken);
        },
      },
    ],
  });
  const probeMs = await probe.stop();
  results.login.probe = { p50: percentile(probeMs, 50), p99: percentile(probeMs, 99), max: Math.max(...probeMs) };

  log('register: a new account per request');
  results.register = await measure({
    url: `${service.url}${API}/auth/register`,
    connections: LOGIN_CONNECTIONS,
    duration: LOGIN_DURATION_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ email: `new-${randomBytes(8).toString('hex')}@bench.test`, password: PASSWORD }),
        }),
      },
    ],
  });

  // Before the bulk insert: an instance booting beside a million sessions is not what is measured.
  log('revocation across two instances');
  results.revocation = await measureRevocation({ start, stop, env: serviceEnv, sessions: QUICK ? 50 : 200 });

  // The two table sizes live in two databases, each with its own instance, measured in alternating
  // rounds: on a shared machine two measurements minutes apart differ by more than the table size does.
  log(`refresh: ${LARGE_SESSION_COUNT.toLocaleString('en-US')} sessions into a second database`);
  const largeDatabase = await createBenchDatabase();
  try {
    const smallCount = await sessionsUpTo(database.url, 1_000);
    const largeCount = await sessionsUpTo(largeDatabase.url, LARGE_SESSION_COUNT);
    const largeService = await start('probe-app.mjs', { ...serviceEnv, DATABASE_URL: largeDatabase.url });
    await call(`${largeService.url}${API}/auth/register`, {
      method: 'POST',
      body: { email, password: PASSWORD },
      expect: 201,
    });
    const chains = [
      { key: 'refresh_1k', url: service.url, sessions: smallCount, pool: await signedInChains(service.url, stored) },
      { key: 'refresh_1m', url: largeService.url, sessions: largeCount, pool: await signedInChains(largeService.url) },
    ];
    log('refresh with 1,000 and with the large table, interleaved');
    const rounds = { refresh_1k: [], refresh_1m: [] };
    for (const chain of chains) await refreshChains(chain.url, chain.pool); // warm-up, not counted
    for (let round = 0; round < INTERLEAVED_ROUNDS; round++) {
      for (const chain of chains) {
        // The chains whose request was in flight when the last round ended lost their token: new logins.
        chain.pool = await signedInChains(chain.url, chain.pool);
        rounds[chain.key].push(await refreshChains(chain.url, chain.pool));
      }
    }
    for (const chain of chains) {
      const measured = rounds[chain.key];
      results[chain.key] = {
        ...medianRound(measured, 'p99'),
        sessions: chain.sessions,
        errors: measured.reduce((sum, m) => sum + m.errors, 0),
        refused: mergeCounts(measured.map((m) => m.refused)),
        rounds_p99: measured.map((m) => m.p99),
      };
    }
    await stop(largeService);
  } finally {
    await largeDatabase.drop();
  }

  log(`memory: ${MASS_REVOCATION.toLocaleString('en-US')} sessions ended by one logout-all, then the peak`);
  memory.peak_before_mass_revocation_rss_mib = peakResidentMiB(service.pid);
  await insertSessions(database.url, MASS_REVOCATION, { userId: user.id });
  const signedIn = await login();
  const revokingStarted = performance.now();
  await call(`${service.url}${API}/auth/logout-all`, { method: 'POST', token: signedIn.accessToken, expect: 204 });
  Object.assign(memory, {
    mass_revocation_sessions: MASS_REVOCATION,
    mass_revocation_ms: round(performance.now() - revokingStarted, 0),
    after_mass_revocation_rss_mib: residentMiB(service.pid),
    peak_rss_mib: peakResidentMiB(service.pid),
    revoked_100k_heap_mib: (await revokedSetCost()).heap_mib,
  });
  results.memory = memory;
  await stop(service);

  async function signedInChains(baseUrl, have = []) {
    const tokens = [...have];
    while (tokens.length < CONNECTIONS) {
      const batch = Math.min(8, CONNECTIONS - tokens.length);
      const pairs = await Promise.all(
        Array.from({ length: batch }, () =>
          call(`${baseUrl}${API}/auth/login`, { method: 'POST', body: { email, password: PASSWORD } }),
        ),
      );
      tokens.push(...pairs.map((pair) => pair.refreshToken));
    }
    return tokens;
  }

  log('verification cost (bench/verify.mjs)');
  const verify = await runVerify();

  log('peer: Express + jsonwebtoken + bcryptjs');
  const peer = await start('peers/tutorial-app.mjs', {
    DATABASE_URL: database.url,
    JWT_SECRET: serviceEnv.JWT_ACCESS_SECRET,
  });
  await call(`${peer.url}/api/auth/register`, { method: 'POST', body: { email, password: PASSWORD }, expect: 201 });
  const peerLogin = await call(`${peer.url}/api/auth/login`, { method: 'POST', body: { email, password: PASSWORD } });
  results.peer_guarded = await measure({
    url: `${peer.url}/api/test/user`,
    headers: { authorization: `Bearer ${peerLogin.accessToken}` },
  });
  results.peer_login = await measure({
    url: `${peer.url}/api/auth/login`,
    connections: LOGIN_CONNECTIONS,
    duration: LOGIN_DURATION_S,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  await stop(peer);

  log('peer: Better Auth (email and password, pg, its Node handler)');
  results.better_auth = await measureBetterAuth({
    start,
    stop,
    databaseUrl: database.url,
    password: PASSWORD,
    login: { connections: LOGIN_CONNECTIONS, durationS: LOGIN_DURATION_S },
    quick: QUICK,
  });

  // Last: the first start rebuilds dist/, which every process above ran from.
  log('npm start: after a change (full build), then again on the unchanged tree');
  results.start = await measureStart(serviceEnv);

  report(results, ceilingPerS, verify);
}

/**
 * Rounds of each contender in turn, so that a change in what the shared machine gives the run hits
 * every contender alike; per contender, its median round by requests per second.
 */
async function measureInterleaved(contenders) {
  const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  // A warm-up round each, not counted: the first seconds of a process measure its JIT, not its steady state.
  for (const options of Object.values(contenders)) await measure({ ...options, duration: ROUND_S });
  for (let round = 0; round < INTERLEAVED_ROUNDS; round++) {
    for (const [name, options] of Object.entries(contenders)) {
      samples[name].push(await measure({ ...options, duration: ROUND_S }));
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, measured]) => [
      name,
      { ...medianRound(measured, 'rps'), rounds_rps: measured.map((m) => m.rps) },
    ]),
  );
}

/** The round whose `key` is the median of the rounds'. */
function medianRound(rounds, key) {
  return [...rounds].sort((a, b) => a[key] - b[key])[Math.floor(rounds.length / 2)];
}

function mergeCounts(counts) {
  const merged = {};
  for (const count of counts) for (const [k, n] of Object.entries(count)) merged[k] = (merged[k] ?? 0) + n;
  return merged;
}

/** ", refused: 401 x3" for the statuses a chained refresh was answered with other than 200, or nothing. */
function refusedNote(refused) {
  const parts = Object.entries(refused).map(([status, n]) => `${status} x${n}`);
  return parts.length ? `, refused: ${parts.join(', ')}` : '';
}

/** bcrypt hashes per second at BCRYPT_COST, as many in flight as the libuv pool runs (what login can reach). */
async function hashCeiling() {
  const input = randomBytes(32).toString('base64'); // the length of the service's peppered pre-hash
  const deadline = Date.now() + Math.max(DURATION_S, 4) * 1000;
  const started = process.hrtime.bigint();
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await bcrypt.hash(input, BCRYPT_COST);
      done++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return done / (Number(process.hrtime.bigint() - started) / 1e9);
}

function probeEvery(intervalMs, url) {
  const samples = [];
  const pending = new Set();
  const timer = setInterval(() => {
    const t0 = performance.now();
    const request = fetch(url)
      .then((response) => response.arrayBuffer())
      .then(() => samples.push(performance.now() - t0))
      .catch(() => samples.push(NaN))
      .finally(() => pending.delete(request));
    pending.add(request);
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return samples.map((ms) => round(ms, 2));
    },
  };
}

async function sessionsUpTo(databaseUrl, target) {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM sessions');
  await client.end();
  return rows[0].n >= target ? rows[0].n : insertSessions(databaseUrl, target - rows[0].n);
}

/** 50 clients, each refreshing its own session in a chain: every request sends the token the last one returned. */
async function refreshChains(baseUrl, pool) {
  // autocannon resets a connection's context each time its request list restarts, so the chains live
  // in a pool instead: a request takes a token out, its successor goes back in (one chain per session).
  // The pool outlives the round: the next round continues the chains that were not in flight at its end.
  const refused = {};
  const measured = await measure({
    url: `${baseUrl}${API}/auth/refresh`,
    duration: ROUND_S,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ refreshToken: pool.pop() ?? 'chain-lost' }) }),
        onResponse: (status, body) => {
          if (status === 200) pool.push(JSON.parse(body).refreshToken);
          else refused[status] = (refused[status] ?? 0) + 1;
        },
      },
    ],
  });
  return { ...measured, refused };
}

function runVerify() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./verify.mjs', import.meta.url))], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`verify.mjs exited with ${code}`));
      resolve(JSON.parse(readFileSync(`${RESULTS_DIR}verify.json`, 'utf8')));
    });
  });
}

function report(r, ceilingPerS, verify) {
  const ms = (v) => (Number.isFinite(v) ? round(v, 2) : '-');
  const rps = (v) => Math.round(v).toLocaleString('en-US');
  const ratio = (a, b) => round(a / b, 2);
  const summary = {
    guarded: { rps: r.guarded.rps, p50: r.guarded.p50, p99: r.guarded.p99, rounds_rps: r.guarded.rounds_rps },
    unguarded: { rps: r.unguarded.rps, p50: r.unguarded.p50, p99: r.unguarded.p99, rounds_rps: r.unguarded.rounds_rps },
    bare: { rps: r.bare.rps, p50: r.bare.p50, p99: r.bare.p99, rounds_rps: r.bare.rounds_rps },
    framework: { rps: r.framework.rps, p50: r.framework.p50, p99: r.framework.p99 },
    ratios: {
      guarded_vs_unguarded: ratio(r.guarded.rps, r.unguarded.rps),
      guarded_vs_bare: ratio(r.guarded.rps, r.bare.rps),
      guarded_vs_framework: ratio(r.guarded.rps, r.framework.rps),
      framework_vs_bare: ratio(r.framework.rps, r.bare.rps),
    },
    me: { rps: r.me.rps, p50: r.me.p50, p99: r.me.p99 },
    tracing: {
      untraced_rps: r.tracing.untraced.rps,
      traced_rps: r.tracing.traced.rps,
      untraced_p99: r.tracing.untraced.p99,
      traced_p99: r.tracing.traced.p99,
      traced_vs_untraced: r.tracing.traced_vs_untraced,
      sampled_rps: r.tracing.sampled.rps,
      sampled_p99: r.tracing.sampled.p99,
      sampled_vs_untraced: r.tracing.sampled_vs_untraced,
    },
    verify_us: verify.verify_us,
    verify_miss_us: verify.verify_miss_us,
    hmac_us: verify.hmac_us,
    login: {
      per_s: r.login.rps,
      ceiling_per_s: round(ceilingPerS, 1),
      vs_ceiling: ratio(r.login.rps, ceilingPerS),
      p50: r.login.p50,
      p99: r.login.p99,
      probe_p50: r.login.probe.p50,
      probe_p99: r.login.probe.p99,
      probe_max: r.login.probe.max,
      bcrypt_cost: BCRYPT_COST,
    },
    register: {
      per_s: r.register.rps,
      p50: r.register.p50,
      p99: r.register.p99,
      vs_ceiling: ratio(r.register.rps, ceilingPerS),
      errors: r.register.errors,
    },
    refresh: {
      rps: r.refresh_1k.rps,
      p50_1k: r.refresh_1k.p50,
      p99_1k: r.refresh_1k.p99,
      rps_1m: r.refresh_1m.rps,
      p50_1m: r.refresh_1m.p50,
      p99_1m: r.refresh_1m.p99,
      sessions_small: r.refresh_1k.sessions,
      sessions_large: r.refresh_1m.sessions,
      errors: r.refresh_1k.errors + r.refresh_1m.errors,
      refused_statuses_1k: r.refresh_1k.refused,
      refused_statuses_1m: r.refresh_1m.refused,
      rounds_p99_1k: r.refresh_1k.rounds_p99,
      rounds_p99_1m: r.refresh_1m.rounds_p99,
    },
    peer: {
      guarded_rps: r.peer_guarded.rps,
      guarded_p99: r.peer_guarded.p99,
      login_per_s: r.peer_login.rps,
      login_p99: r.peer_login.p99,
      better_auth: r.better_auth,
    },
    revocation: r.revocation,
    memory: r.memory,
    start: r.start,
    method: {
      quick: QUICK,
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      login_connections: LOGIN_CONNECTIONS,
      tool: 'autocannon',
      login_duration_s: LOGIN_DURATION_S,
      interleaved: `guarded/unguarded/framework/bare, me traced/untraced and refresh 1k/large: a warm-up round each, then ${INTERLEAVED_ROUNDS} alternating rounds of ${ROUND_S} s, median round (by req/s; refresh by p99)`,
    },
    machine: machine(),
    at: new Date().toISOString(),
  };

  const large = r.refresh_1m.sessions.toLocaleString('en-US');
  const rows = [
    ['section', 'req/s', 'p50 ms', 'p99 ms', 'notes'],
    [
      'guarded (bearer)',
      rps(r.guarded.rps),
      ms(r.guarded.p50),
      ms(r.guarded.p99),
      `x${summary.ratios.guarded_vs_unguarded} of unguarded, x${summary.ratios.guarded_vs_framework} of bare Nest, x${summary.ratios.guarded_vs_bare} of bare`,
    ],
    ['unguarded (same handler)', rps(r.unguarded.rps), ms(r.unguarded.p50), ms(r.unguarded.p99), ''],
    [
      'bare NestJS on Fastify',
      rps(r.framework.rps),
      ms(r.framework.p50),
      ms(r.framework.p99),
      `one route, no middleware: x${summary.ratios.framework_vs_bare} of bare`,
    ],
    ['bare node:http', rps(r.bare.rps), ms(r.bare.p50), ms(r.bare.p99), 'ceiling'],
    ['me (GET /auth/me)', rps(r.me.rps), ms(r.me.p50), ms(r.me.p99), ''],
    [
      'me, every request traced',
      rps(r.tracing.traced.rps),
      ms(r.tracing.traced.p50),
      ms(r.tracing.traced.p99),
      `x${r.tracing.traced_vs_untraced} of the same rounds untraced (${rps(r.tracing.untraced.rps)} req/s, p99 ${ms(r.tracing.untraced.p99)} ms)`,
    ],
    [
      'me, one request in ten traced',
      rps(r.tracing.sampled.rps),
      ms(r.tracing.sampled.p50),
      ms(r.tracing.sampled.p99),
      `x${r.tracing.sampled_vs_untraced} of untraced (OTEL_TRACES_SAMPLER=parentbased_traceidratio, ARG 0.1)`,
    ],
    [
      'verify',
      '',
      '',
      '',
      `${verify.verify_us} us per token (cache hit), ${verify.verify_miss_us} us miss; HMAC ${verify.hmac_us} us`,
    ],
    [
      'login (cost 12)',
      rps(r.login.rps),
      ms(r.login.p50),
      ms(r.login.p99),
      `ceiling ${round(ceilingPerS, 1)} hashes/s (x${summary.login.vs_ceiling}); /health probe p50 ${ms(r.login.probe.p50)}, p99 ${ms(r.login.probe.p99)}, max ${ms(r.login.probe.max)} ms`,
    ],
    [
      'refresh, 1,000 sessions',
      rps(r.refresh_1k.rps),
      ms(r.refresh_1k.p50),
      ms(r.refresh_1k.p99),
      `${r.refresh_1k.errors} errors${refusedNote(r.refresh_1k.refused)}`,
    ],
    [
      `refresh, ${large} sessions`,
      rps(r.refresh_1m.rps),
      ms(r.refresh_1m.p50),
      ms(r.refresh_1m.p99),
      `${r.refresh_1m.errors} errors${refusedNote(r.refresh_1m.refused)}; p99 x${ratio(r.refresh_1m.p99, r.refresh_1k.p99)} of 1,000`,
    ],
    [
      'peer guarded (Express+jsonwebtoken)',
      rps(r.peer_guarded.rps),
      ms(r.peer_guarded.p50),
      ms(r.peer_guarded.p99),
      `ours x${ratio(r.guarded.rps, r.peer_guarded.rps)}`,
    ],
    [
      'peer login (bcryptjs 12)',
      rps(r.peer_login.rps),
      ms(r.peer_login.p50),
      ms(r.peer_login.p99),
      `ours x${ratio(r.login.rps, r.peer_login.rps)}`,
    ],
    [
      'register (cost 12)',
      rps(r.register.rps),
      ms(r.register.p50),
      ms(r.register.p99),
      `x${summary.register.vs_ceiling} of the bcrypt ceiling, ${r.register.errors} errors`,
    ],
    [
      'Better Auth get-session',
      rps(r.better_auth.get_session_rps),
      ms(r.better_auth.get_session_p50),
      ms(r.better_auth.get_session_p99),
      `cookie cache off (a database read); our me x${ratio(r.me.rps, r.better_auth.get_session_rps)}`,
    ],
    [
      'Better Auth sign-in (scrypt)',
      rps(r.better_auth.sign_in_per_s),
      '',
      ms(r.better_auth.sign_in_p99),
      `x${r.better_auth.sign_in_vs_ceiling} of its ceiling ${r.better_auth.scrypt_ceiling_per_s} hashes/s (our login x${summary.login.vs_ceiling} of ours); our login x${ratio(r.login.rps, r.better_auth.sign_in_per_s)}`,
    ],
    [
      'Better Auth sign-up',
      rps(r.better_auth.sign_up_per_s),
      '',
      ms(r.better_auth.sign_up_p99),
      `x${r.better_auth.sign_up_vs_ceiling} of its ceiling; our register x${ratio(r.register.rps, r.better_auth.sign_up_per_s)} (x${summary.register.vs_ceiling} of ours)`,
    ],
    [
      'Better Auth renewal (updateAge 0)',
      rps(r.better_auth.renewal_rps),
      ms(r.better_auth.renewal_p50),
      ms(r.better_auth.renewal_p99),
      `each get-session extends the session; our refresh (1,000 sessions) x${ratio(r.refresh_1k.rps, r.better_auth.renewal_rps)}`,
    ],
    [
      'Better Auth refusal after sign-out',
      '',
      ms(r.better_auth.refuse_after_sign_out_p50),
      ms(r.better_auth.refuse_after_sign_out_p99),
      `sign-out on A to B's get-session without it; ours (revocation row) p50 ${ms(r.revocation.p50)}, p99 ${ms(r.revocation.p99)}`,
    ],
    [
      'revocation (2 instances)',
      '',
      ms(r.revocation.p50),
      ms(r.revocation.p99),
      `logout on A to first 401 on B, ${r.revocation.sessions} sessions${r.revocation.redis ? ', Redis' : ', Postgres NOTIFY'}`,
    ],
    [
      'memory (resident MiB)',
      '',
      '',
      '',
      `idle ${r.memory.idle_rss_mib} (${IDLE_AFTER_S} s after ready), peak ${r.memory.peak_rss_mib} after every section and a logout-all of ${r.memory.mass_revocation_sessions.toLocaleString('en-US')} sessions (${r.memory.mass_revocation_ms} ms); revoked set ${r.memory.revoked_100k_heap_mib} MiB heap per 100,000`,
    ],
    [
      'npm start to /health/ready (s)',
      '',
      '',
      '',
      `${r.start.second_start_ready_s} s on an unchanged tree, ${r.start.first_start_ready_s} s with a full build`,
    ],
  ];
  console.log('');
  printTable(rows[0], rows.slice(1));
  const host = summary.machine;
  const footer = `${host.cpus} cpus (${host.cpu_model}), node ${host.node}, ${DURATION_S} s per measurement (login ${LOGIN_DURATION_S} s), ${CONNECTIONS} connections (login ${LOGIN_CONNECTIONS}), ${QUICK ? 'BENCH_QUICK' : 'full run'}, ${summary.at}`;
  console.log(`\n${footer}`);

  mkdirSync(RESULTS_DIR, { recursive: true });
  writeJson(`${RESULTS_DIR}latest.json`, summary);
  writeFileSync(`${RESULTS_DIR}table.md`, `${markdownTable(rows)}\n\n${footer}\n`);
  const chartRows = [
    ['guarded', r.guarded],
    ['unguarded', r.unguarded],
    ['bare node:http', r.bare],
    ['me', r.me],
    ['login', r.login],
    ['/health during login storm', { p50: r.login.probe.p50, p90: percentile([], 90), p99: r.login.probe.p99 }],
    ['refresh, 1,000 sessions', r.refresh_1k],
    [`refresh, ${large} sessions`, r.refresh_1m],
    ['peer guarded', r.peer_guarded],
    ['peer login', r.peer_login],
    ['revocation', r.revocation],
  ].map(([label, s]) => ({ label, p50: s.p50, p90: s.p90, p99: s.p99 }));
  writeFileSync(
    `${RESULTS_DIR}latency.svg`,
    latencySvg(chartRows, 'Latency percentiles per section (ms, log scale)', footer),
  );
  console.log(`written ${RESULTS_DIR}latest.json, table.md, latency.svg`);
}
