import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { RedisConnection } from '../src/redis/redis.module';
import { bearer, login, register, STRONG_PASSWORD, TokenPair } from './support/accounts';
import { FORWARDED_FOR, uniqueAddress } from './support/client-addresses';
import { startTestApp } from './support/test-app';

const WRONG_PASSWORD = 'not the password at all';
const NEW_PASSWORD = 'a brand new passphrase 42';

const changePassword = (server: Server, pair: TokenPair, currentPassword: string, address = uniqueAddress()) =>
  request(server)
    .post('/api/v1/auth/change-password')
    .set(bearer(pair.accessToken))
    .set(FORWARDED_FOR, address)
    .send({ currentPassword, newPassword: NEW_PASSWORD });

function statusesOf(responses: request.Response[]): Record<number, number> {
  const statuses: Record<number, number> = {};
  for (const response of responses) {
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    if (response.status === 429) expect(response.body.code).toBe('TOO_MANY_ATTEMPTS');
  }
  return statuses;
}

function failuresOf(app: NestFastifyApplication, userId: string) {
  return app.get(PrismaService).auditEvent.findMany({
    where: { subjectId: userId, type: 'PASSWORD_CHANGE_FAILED' },
    orderBy: { occurredAt: 'asc' },
  });
}

describe('change-password lockout', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp({ env: { TRUST_PROXY: 'true', LOCKOUT_THRESHOLD: '3', LOCKOUT_DURATION: '15m' } });
    server = app.getHttpServer();
    await app.get(RedisConnection).ping(5_000);
  });

  afterAll(async () => {
    await app.close();
  });

  it('refuses every try, the right one too, after LOCKOUT_THRESHOLD wrong current passwords', async () => {
    const pair = await register(server);
    // From a new address each time: the lock is the account's, not an address's.
    for (let i = 0; i < 3; i += 1) {
      const wrong = await changePassword(server, pair, WRONG_PASSWORD);
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    }
    for (const password of [WRONG_PASSWORD, STRONG_PASSWORD]) {
      const refused = await changePassword(server, pair, password);
      expect(refused.status).toBe(429);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 429, code: 'TOO_MANY_ATTEMPTS' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(890);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(900);
    }
    // The password was not changed, the session still works, and logging in is not locked.
    expect((await login(server, pair.user.email)).accessToken).toBeDefined();
  });

  it('audits each wrong current password, and the lock on the one that set it', async () => {
    const pair = await register(server);
    const address = uniqueAddress();
    for (let i = 0; i < 3; i += 1)
      expect((await changePassword(server, pair, WRONG_PASSWORD, address)).status).toBe(401);
    expect((await changePassword(server, pair, WRONG_PASSWORD, address)).status).toBe(429);

    const failures = await failuresOf(app, pair.user.id);
    expect(failures).toHaveLength(3);
    for (const failure of failures) {
      expect(failure).toMatchObject({ actorId: pair.user.id, email: pair.user.email, ip: address });
      expect(failure.sessionId).toEqual(expect.any(String));
      expect(failure.details).toMatchObject({ reason: 'INVALID_CREDENTIALS' });
      expect(JSON.stringify(failure)).not.toContain(WRONG_PASSWORD);
    }
    expect(failures.map((failure) => 'lockedUntil' in (failure.details as object))).toEqual([false, false, true]);
    const until = Date.parse((failures[2].details as { lockedUntil: string }).lockedUntil);
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  });

  it('resets the count when the current password is right', async () => {
    const pair = await register(server);
    for (let i = 0; i < 2; i += 1) expect((await changePassword(server, pair, WRONG_PASSWORD)).status).toBe(401);
    expect((await changePassword(server, pair, STRONG_PASSWORD)).status).toBe(204);
    for (let i = 0; i < 2; i += 1) expect((await changePassword(server, pair, WRONG_PASSWORD)).status).toBe(401);
    expect((await changePassword(server, pair, NEW_PASSWORD)).status).toBe(204);
  });

  it('checks at most LOCKOUT_THRESHOLD of 30 concurrent wrong current passwords', async () => {
    const rounds: Array<{ userId: string; checked: number }> = [];
    for (let round = 0; round < 3; round += 1) {
      const pair = await register(server);
      const responses = await Promise.all(
        Array.from({ length: 30 }, () => changePassword(server, pair, WRONG_PASSWORD)),
      );
      const statuses = statusesOf(responses);
      expect(statuses[429] ?? 0).toBe(30 - (statuses[401] ?? 0));
      rounds.push({ userId: pair.user.id, checked: statuses[401] ?? 0 });
    }
    expect(rounds.map((round) => round.checked).filter((checked) => checked > 3)).toEqual([]);
    for (const round of rounds) expect(await failuresOf(app, round.userId)).toHaveLength(round.checked);
  });

  it('is a credential route: rate limited per client address', async () => {
    const limited = await startTestApp({ env: { TRUST_PROXY: 'true', THROTTLE_AUTH_LIMIT: '2' } });
    try {
      await limited.get(RedisConnection).ping(5_000);
      const limitedServer = limited.getHttpServer();
      const pair = await register(limitedServer);
      const address = uniqueAddress();
      for (let i = 0; i < 2; i += 1) {
        expect((await changePassword(limitedServer, pair, WRONG_PASSWORD, address)).status).toBe(401);
      }
      const throttled = await changePassword(limitedServer, pair, STRONG_PASSWORD, address);
      expect(throttled.status).toBe(429);
      expect(throttled.body.code).toBe('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});

/**
 * One account can queue only one bcrypt check at a time, so a token holder cannot pile up hashes
 * and slow everyone's logins. The slow cost keeps each check in flight while the others arrive.
 */
describe('change-password: one current-password check in flight per account', () => {
  const redisUrl = process.env.REDIS_URL;
  const env = { TRUST_PROXY: 'true', BCRYPT_COST: '12' };
  const CONCURRENT = 16;

  async function race(servers: Server[]): Promise<void> {
    const pair = await register(servers[0]);
    const responses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, index) =>
        changePassword(servers[index % servers.length], pair, WRONG_PASSWORD),
      ),
    );
    const statuses = statusesOf(responses);
    // Arrivals are spread over a few milliseconds; each check takes about 300 ms.
    expect(statuses[401] ?? 0).toBeLessThanOrEqual(2);
    expect(statuses[429]).toBe(CONCURRENT - (statuses[401] ?? 0));
    // Each refused request left nothing behind: the slot is free again and the right password works.
    expect((await changePassword(servers[0], pair, STRONG_PASSWORD)).status).toBe(204);
  }

  it('refuses a concurrent second check with 429 TOO_MANY_ATTEMPTS', async () => {
    const app = await startTestApp({ env });
    try {
      await app.get(RedisConnection).ping(5_000);
      await race([app.getHttpServer()]);
    } finally {
      await app.close();
    }
  });

  (redisUrl ? it : it.skip)('holds across two instances sharing Redis', async () => {
    // One signing secret, so either instance accepts the caller's access token.
    const shared = {
      ...env,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `test:${randomUUID()}:`,
      JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    };
    const first = await startTestApp({ env: shared });
    const second = await startTestApp({ env: shared });
    try {
      await Promise.all([first.get(RedisConnection).ping(5_000), second.get(RedisConnection).ping(5_000)]);
      await race([first.getHttpServer(), second.getHttpServer()]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
