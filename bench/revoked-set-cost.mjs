// The heap one instance's revoked-session set takes for 100,000 sessions revoked within the
// access-token lifetime, as it holds them after loading them from the table at boot. Run with
// --expose-gc; prints {"sessions":N,"heap_mib":M}.
import { randomUUID } from 'node:crypto';
import { loadAppConfig } from '../dist/config/app-config.js';
import { Metrics } from '../dist/metrics/metrics.js';
import { RevokedSessionsService } from '../dist/sessions/revocation/revoked-sessions.service.js';

const SESSIONS = 100_000;
// As a database row or a channel message brings it: a string of its own, not one this script keeps.
const fresh = (id) => Buffer.from(id).toString();
const revokedAt = new Date();
// randomUUID's strings are concatenations of pieces until something flattens them: flat from the start.
const ids = Array.from({ length: SESSIONS }, () => fresh(randomUUID()));
const revocations = {
  revokedAfter: (_since, limit, after) => {
    const start = after ? ids.indexOf(after.sessionId) + 1 : 0;
    return Promise.resolve(ids.slice(start, start + limit).map((id) => ({ sessionId: fresh(id), revokedAt })));
  },
};
const channel = {
  subscribe: async (subscriber) => subscriber.resubscribed(),
  close: () => Promise.resolve(),
};
const config = loadAppConfig({ DATABASE_URL: 'postgresql://localhost/unused' });

// Collected until it stops shrinking: the first collections after the imports still free their garbage.
const heapUsed = async () => {
  let used = Infinity;
  for (;;) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    const now = process.memoryUsage().heapUsed;
    if (now >= used - 64 * 1024) return now;
    used = now;
  }
};
const service = new RevokedSessionsService(revocations, config, channel, new Metrics());
const before = await heapUsed();
await service.onApplicationBootstrap();
const after = await heapUsed();
if (!ids.every((id) => service.isRevoked(id))) throw new Error('the set lost a revoked session');
await service.onApplicationShutdown();
console.log(JSON.stringify({ sessions: SESSIONS, heap_mib: Number(((after - before) / 1048576).toFixed(2)) }));
