// The cost of one access-token verification on the request path, beside jsonwebtoken and a bare HMAC-SHA256.
// Runs against the compiled dist/ (`npm run bench:verify` builds first); BENCH_QUICK=1 for a ~2 s run.
import 'reflect-metadata';
import { createHmac, createSecretKey, randomUUID, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import jsonwebtoken from 'jsonwebtoken';
import { loadAppConfig } from '../dist/config/app-config.js';
import { AccessTokenService } from '../dist/tokens/access-token.service.js';
import { JwtStrategy } from '../dist/auth/strategies/jwt.strategy.js';
import { Metrics } from '../dist/metrics/metrics.js';
import { RevokedSessionsService } from '../dist/sessions/revocation/revoked-sessions.service.js';
import { SETTINGS, machine, measureAll, printTable, writeJson } from './harness.mjs';

const RESULTS = fileURLToPath(new URL('./results/verify.json', import.meta.url));
// Other sessions in the revoked set, so the bearer check's lookup is not into an empty Map.
const OTHER_REVOKED_SESSIONS = 1_000;

// Never read: the services measured here do not touch the database.
const config = loadAppConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgresql://bench@127.0.0.1:1/unused' });
const { issuer, audience } = config.accessToken;
const { secret } = config.accessToken.signing; // HS256, the default
// Prepared once, as fast-jwt prepares its key: the cheapest HMAC node offers, so the floor is a true floor.
const hmacKey = createSecretKey(secret);
const subject = { userId: randomUUID(), sessionId: randomUUID(), role: 'USER', amr: ['pwd'], authTime: new Date() };
const tokenIssuer = new AccessTokenService(config);
const issueToken = () => tokenIssuer.issue(subject).token;
const token = issueToken();
const sameToken = (n) => new Array(n).fill(token);
const bearerRequest = (t) => ({ headers: { authorization: `Bearer ${t}` } });

/** Our service, fresh per contender so one contender's cache never serves another. */
function ourVerifier() {
  const service = new AccessTokenService(config);
  return (t) => service.verify(t).sub;
}

/** JwtStrategy as passport runs it: a per-request copy with success/fail/error, validate() awaited. */
function bearerCheck() {
  // A transport that announces nothing: only the local lookup is on the request path.
  const quietTransport = { announceCommitted: () => Promise.resolve() };
  const revoked = new RevokedSessionsService({}, config, quietTransport, new Metrics());
  const sessionIds = Array.from({ length: OTHER_REVOKED_SESSIONS }, () => randomUUID());
  revoked.remember({ sessionIds, revokedAt: Date.now(), origin: 'bench' });
  const strategy = new JwtStrategy(new AccessTokenService(config), revoked);
  return (request) =>
    new Promise((resolve, reject) => {
      const attempt = Object.create(strategy);
      attempt.success = (user) => resolve(user.id);
      attempt.fail = (reason) => reject(reason instanceof Error ? reason : new Error(String(reason)));
      attempt.error = reject;
      attempt.authenticate(request, { session: false });
    });
}

const contenders = [
  { key: 'verify', label: 'ours, same token (cache hit)', run: ourVerifier(), inputs: sameToken },
  {
    key: 'verify_miss',
    label: 'ours, distinct tokens (cache miss)',
    run: ourVerifier(),
    inputs: (n) => Array.from({ length: n }, issueToken),
  },
  {
    key: 'bearer_check',
    label: 'JwtStrategy + revoked lookup (hit)',
    run: bearerCheck(),
    async: true,
    inputs: (n) => new Array(n).fill(bearerRequest(token)),
    wrap: bearerRequest,
  },
  {
    key: 'jsonwebtoken',
    label: 'jsonwebtoken.verify (pinned)',
    run: (t) => jsonwebtoken.verify(t, secret, { algorithms: ['HS256'], issuer, audience }).sub,
    inputs: sameToken,
  },
  {
    key: 'hmac',
    label: 'bare HMAC-SHA256 + timingSafeEqual',
    // The floor: no parsing, no claims; it returns the subject only when the signature matches.
    run: (t) => {
      const dot = t.lastIndexOf('.');
      const expected = createHmac('sha256', hmacKey).update(t.slice(0, dot)).digest();
      const given = Buffer.from(t.slice(dot + 1), 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected) ? subject.userId : undefined;
    },
    inputs: sameToken,
  },
];

/** Each contender must accept the token and refuse it with one signature character changed. */
async function checkContender(contender) {
  const wrap = contender.wrap ?? ((t) => t);
  const signatureStart = token.lastIndexOf('.') + 1;
  const flipped = token[signatureStart] === 'A' ? 'B' : 'A';
  const forged = token.slice(0, signatureStart) + flipped + token.slice(signatureStart + 1);
  const accepted = await contender.run(wrap(token));
  const refused = await Promise.resolve()
    .then(() => contender.run(wrap(forged)))
    .then(
      (sub) => sub !== subject.userId,
      () => true,
    );
  if (accepted !== subject.userId || !refused) {
    throw new Error(
      `${contender.label}: does not verify (accepted: ${accepted === subject.userId}, refused forged: ${refused})`,
    );
  }
}

for (const contender of contenders) {
  await checkContender(contender);
  contender.name = contender.label;
  contender.expected = subject.userId;
}
const measured = await measureAll(contenders);
const results = Object.fromEntries(contenders.map(({ key }, i) => [key, measured[i]]));

const hmacUs = results.hmac.us;
printTable(
  ['contender', 'us/op', 'ops/s', 'x hmac'],
  contenders.map(({ key, label }) => [
    label,
    results[key].us.toFixed(2),
    Math.round(1e6 / results[key].us).toLocaleString('en-US'),
    (results[key].us / hmacUs).toFixed(2),
  ]),
);
const round = (value, digits) => Number(value.toFixed(digits));
const at = new Date().toISOString();
const host = machine();
console.log(`\n${host.cpus} cpus (${host.cpu_model}), node ${host.node}, ${SETTINGS.rounds} rounds each, ${at}`);

writeJson(RESULTS, {
  verify_us: round(results.verify.us, 3),
  verify_miss_us: round(results.verify_miss.us, 3),
  bearer_check_us: round(results.bearer_check.us, 3),
  jsonwebtoken_us: round(results.jsonwebtoken.us, 3),
  hmac_us: round(hmacUs, 3),
  ops_per_s: Object.fromEntries(contenders.map(({ key }) => [key, Math.round(1e6 / results[key].us)])),
  ratios: {
    verify_vs_hmac: round(results.verify.us / hmacUs, 2),
    verify_miss_vs_hmac: round(results.verify_miss.us / hmacUs, 2),
    bearer_check_vs_hmac: round(results.bearer_check.us / hmacUs, 2),
    jsonwebtoken_vs_hmac: round(results.jsonwebtoken.us / hmacUs, 2),
  },
  method: {
    ...SETTINGS,
    statistic: 'median of rounds, microseconds per call',
    calls_per_round: Object.fromEntries(contenders.map(({ key }) => [key, results[key].callsPerRound])),
  },
  machine: host,
  at,
});
console.log(`written ${RESULTS}`);
