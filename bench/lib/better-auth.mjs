// Better Auth beside ours (bench/peers/better-auth-app.mjs): its get-session against our me, its
// sign-in and sign-up each as a fraction of its own hash ceiling (scrypt, its parameters, measured
// here), its session renewal against our refresh, and how long after a sign-out on one instance
// another instance refuses the session, as bench/lib/revocation.mjs measures ours.
import { randomBytes, scrypt } from 'node:crypto';
import { measure, percentile, round } from './load.mjs';

// @better-auth/utils' password.node: scrypt N=16384, r=16, p=1, 64-byte key, NFKC password, hex salt.
const SCRYPT = { N: 16384, r: 16, p: 1, maxmem: 128 * 16384 * 16 * 2 };
const GIVE_UP_MS = 10_000;

export async function measureBetterAuth({ start, stop, databaseUrl, password, login, quick }) {
  const env = {
    NODE_ENV: 'production',
    BETTER_AUTH_TELEMETRY: '0',
    DATABASE_URL: databaseUrl,
    BETTER_AUTH_SECRET: randomBytes(32).toString('base64url'),
  };
  const results = { scrypt_ceiling_per_s: round(await scryptCeiling(login.durationS), 1) };
  // One after the other: each creates Better Auth's tables at start, and two at once race to.
  const a = await start('peers/better-auth-app.mjs', env);
  const b = await start('peers/better-auth-app.mjs', env);
  try {
    const email = `peer-${randomBytes(4).toString('hex')}@bench.test`;
    await post(a.url, '/sign-up/email', { email, password, name: 'Bench' });
    const cookie = await signIn(a.url, email, password);
    if (!(await sessionOf(a.url, cookie))) throw new Error('Better Auth: get-session found no session after sign-in');

    const getSession = await measure({ url: `${a.url}/api/auth/get-session`, headers: { cookie } });
    const signInBody = JSON.stringify({ email, password });
    const signInLoad = await measure({
      url: `${a.url}/api/auth/sign-in/email`,
      connections: login.connections,
      duration: login.durationS,
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a.url },
      body: signInBody,
    });
    const signUpLoad = await measure({
      url: `${a.url}/api/auth/sign-up/email`,
      connections: login.connections,
      duration: login.durationS,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: a.url },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({ email: `peer-${randomBytes(8).toString('hex')}@bench.test`, password, name: 'B' }),
          }),
        },
      ],
    });
    const refusal = await refusalAfterSignOut(a.url, b.url, email, password, quick ? 20 : 100);
    Object.assign(results, {
      get_session_rps: getSession.rps,
      get_session_p50: getSession.p50,
      get_session_p99: getSession.p99,
      sign_in_per_s: signInLoad.rps,
      sign_in_p99: signInLoad.p99,
      sign_in_vs_ceiling: round(signInLoad.rps / results.scrypt_ceiling_per_s, 2),
      sign_in_errors: signInLoad.errors,
      sign_up_per_s: signUpLoad.rps,
      sign_up_p99: signUpLoad.p99,
      sign_up_vs_ceiling: round(signUpLoad.rps / results.scrypt_ceiling_per_s, 2),
      sign_up_errors: signUpLoad.errors,
      refuse_after_sign_out_p50: refusal.p50,
      refuse_after_sign_out_p99: refusal.p99,
      refuse_after_sign_out_never: refusal.never,
    });
  } finally {
    await Promise.all([stop(a), stop(b)]);
  }

  // With updateAge 0 every get-session writes the session's new expiry: its renewal.
  const renewing = await start('peers/better-auth-app.mjs', { ...env, BETTER_AUTH_UPDATE_AGE: '0' });
  try {
    const email = `renew-${randomBytes(4).toString('hex')}@bench.test`;
    await post(renewing.url, '/sign-up/email', { email, password, name: 'Bench' });
    const cookie = await signIn(renewing.url, email, password);
    const before = (await sessionOf(renewing.url, cookie)).session.expiresAt;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = (await sessionOf(renewing.url, cookie)).session.expiresAt;
    if (!(Date.parse(after) > Date.parse(before)))
      throw new Error('Better Auth: get-session did not renew the session');
    const renewal = await measure({ url: `${renewing.url}/api/auth/get-session`, headers: { cookie } });
    Object.assign(results, { renewal_rps: renewal.rps, renewal_p50: renewal.p50, renewal_p99: renewal.p99 });
  } finally {
    await stop(renewing);
  }
  return results;
}

async function post(baseUrl, path, body, cookie) {
  const response = await fetch(`${baseUrl}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Better Auth ${path}: ${response.status} ${text.slice(0, 300)}`);
  return response;
}

async function signIn(baseUrl, email, password) {
  const response = await post(baseUrl, '/sign-in/email', { email, password });
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** The session get-session answers with for `cookie`, or null (its answer without one). */
async function sessionOf(baseUrl, cookie) {
  const response = await fetch(`${baseUrl}/api/auth/get-session`, { headers: { cookie } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Better Auth get-session: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Per session: from sending the sign-out to A until B's get-session first answers without it. */
async function refusalAfterSignOut(aUrl, bUrl, email, password, sessions) {
  const samples = [];
  let never = 0;
  for (let i = 0; i < sessions; i++) {
    const cookie = await signIn(aUrl, email, password);
    if (!(await sessionOf(bUrl, cookie))) throw new Error('Better Auth: the other instance does not see the session');
    const t0 = performance.now();
    const signOut = post(aUrl, '/sign-out', {}, cookie);
    let refusedAt;
    while (refusedAt === undefined && performance.now() - t0 < GIVE_UP_MS) {
      if (!(await sessionOf(bUrl, cookie))) refusedAt = performance.now();
    }
    await signOut;
    if (refusedAt === undefined) never++;
    else samples.push(refusedAt - t0);
  }
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2), never };
}

/** scrypt hashes per second with Better Auth's parameters, four in flight (libuv's pool), as its sign-in runs them. */
async function scryptCeiling(durationS) {
  const deadline = Date.now() + Math.max(durationS, 4) * 1000;
  const started = performance.now();
  let done = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      await new Promise((resolve, reject) =>
        scrypt('bench-password', randomBytes(16).toString('hex'), 64, SCRYPT, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
      done++;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return done / ((performance.now() - started) / 1000);
}
