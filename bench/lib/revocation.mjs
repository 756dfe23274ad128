// Revocation across instances: two service processes on one database (and one Redis when REDIS_URL is
// set); per session, the time from sending a logout to A until B first refuses that session's access token.
import { randomBytes } from 'node:crypto';
import { call, percentile, round } from './load.mjs';

const API = '/api/v1';
const GIVE_UP_MS = 10_000;

export async function measureRevocation({ start, stop, env, sessions }) {
  // Logins are not what is measured here: a cheap hash keeps 200 of them quick.
  const cheap = { ...env, BCRYPT_COST: '4' };
  const [a, b] = await Promise.all([start('probe-app.mjs', cheap), start('probe-app.mjs', cheap)]);
  try {
    const email = `revoke-${randomBytes(4).toString('hex')}@bench.test`;
    const password = 'bench-Vq7!correct-horse-battery';
    await call(`${a.url}${API}/auth/register`, { method: 'POST', body: { email, password }, expect: 201 });
    const samples = [];
    let gaveUp = 0;
    for (let i = 0; i < sessions; i++) {
      const pair = await call(`${a.url}${API}/auth/login`, { method: 'POST', body: { email, password } });
      const guarded = `${b.url}${API}/bench/guarded`;
      await call(guarded, { token: pair.accessToken }); // B accepts it (and has it cached) before the logout
      const t0 = performance.now();
      const logout = call(`${a.url}${API}/auth/logout`, {
        method: 'POST',
        body: { refreshToken: pair.refreshToken },
        expect: 204,
      });
      let refusedAt;
      while (refusedAt === undefined && performance.now() - t0 < GIVE_UP_MS) {
        const response = await fetch(guarded, { headers: { authorization: `Bearer ${pair.accessToken}` } });
        await response.arrayBuffer();
        if (response.status === 401) refusedAt = performance.now();
      }
      await logout;
      if (refusedAt === undefined) gaveUp++;
      else samples.push(refusedAt - t0);
    }
    return {
      sessions,
      p50: round(percentile(samples, 50), 2),
      p90: round(percentile(samples, 90), 2),
      p99: round(percentile(samples, 99), 2),
      max: round(Math.max(...samples), 2),
      never_refused: gaveUp,
      redis: Boolean(env.REDIS_URL),
    };
  } finally {
    await Promise.all([stop(a), stop(b)]);
  }
}
