import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { RedisConnection } from '../src/redis/redis.module';
import { bearer, register, registerAdmin, STRONG_PASSWORD, TokenPair, uniqueEmail } from './support/accounts';
import { FORWARDED_FOR } from './support/client-addresses';
import { startTestApp } from './support/test-app';

const WRONG_PASSWORD = 'not the password at all';
// supertest connects over loopback: the "load balancer" of these tests is the test process itself.
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

/**
 * Which address the service takes for a client behind TRUST_PROXY, seen where it is recorded: the
 * session list and the audit trail, and the limits keyed by it.
 */
describe('Client address behind a proxy (TRUST_PROXY)', () => {
  const apps: NestFastifyApplication[] = [];

  async function appWith(env: Record<string, string>): Promise<Server> {
    const app = await startTestApp({ env });
    apps.push(app);
    await app.get(RedisConnection).ping(5_000);
    return app.getHttpServer();
  }

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
  });

  /** Registers a user with this X-Forwarded-For and answers the address of its session, as GET /auth/sessions shows it. */
  async function sessionAddressFor(server: Server, forwardedFor: string): Promise<string | null> {
    const registered = await request(server)
      .post('/api/v1/auth/register')
      .set(FORWARDED_FOR, forwardedFor)
      .send({ email: uniqueEmail('proxied'), password: STRONG_PASSWORD });
    expect(registered.status).toBe(201);
    const sessions = await request(server)
      .get('/api/v1/auth/sessions')
      .set(bearer((registered.body as TokenPair).accessToken));
    expect(sessions.status).toBe(200);
    return (sessions.body as { ip: string | null }[])[0].ip;
  }

  /** 25 logins with a wrong password, the i-th (from 1) with the X-Forwarded-For forwardedFor(i); their answers in order. */
  async function failLogins(
    server: Server,
    email: string,
    forwardedFor: (i: number) => string,
  ): Promise<request.Response[]> {
    const answers: request.Response[] = [];
    for (let i = 1; i <= 25; i += 1) {
      answers.push(
        await request(server)
          .post('/api/v1/auth/login')
          .set(FORWARDED_FOR, forwardedFor(i))
          .send({ email, password: WRONG_PASSWORD }),
      );
    }
    return answers;
  }

  describe('TRUST_PROXY=1 (one appending load balancer)', () => {
    let server: Server;

    beforeAll(async () => {
      server = await appWith({ TRUST_PROXY: '1', LOCKOUT_THRESHOLD: '5', THROTTLE_AUTH_LIMIT: '10' });
    });

    it('locks and then throttles 25 failed logins whose spoofed leftmost entries all differ', async () => {
      const email = (await register(server)).user.email;
      // The client sent "203.0.113.<i>"; the balancer appended the address it saw, 10.0.0.7.
      const answers = await failLogins(server, email, (i) => `203.0.113.${i}, 10.0.0.7`);
      const codes = answers.map((response) => `${response.status} ${response.body.code as string}`);
      expect(codes).toEqual([
        ...Array<string>(5).fill('401 INVALID_CREDENTIALS'),
        ...Array<string>(5).fill('429 TOO_MANY_ATTEMPTS'),
        ...Array<string>(15).fill('429 RATE_LIMITED'),
      ]);
    });

    it('records the address the balancer appended, not the one the client wrote', async () => {
      expect(await sessionAddressFor(server, '198.51.100.1, 192.0.2.44')).toBe('192.0.2.44');
    });
  });

  describe.each(['1', 'true'])('TRUST_PROXY=%s and X-Forwarded-For entries that are not addresses', (trustProxy) => {
    let server: Server;
    let admin: TokenPair;

    beforeAll(async () => {
      server = await appWith({ TRUST_PROXY: trustProxy, LOCKOUT_THRESHOLD: '5' });
      admin = await registerAdmin(server, apps.at(-1)!.get(PrismaService));
    });

    it('never shows one as the address of a session or in the audit trail', async () => {
      const email = uniqueEmail('garbage');
      const registered = await request(server)
        .post('/api/v1/auth/register')
        .set(FORWARDED_FOR, 'not-an-ip-1')
        .send({ email, password: STRONG_PASSWORD });
      expect(registered.status).toBe(201);
      const userId = (registered.body as TokenPair).user.id;
      for (let i = 2; i <= 4; i += 1) {
        await request(server)
          .post('/api/v1/auth/login')
          .set(FORWARDED_FOR, `not-an-ip-${i}`)
          .send({ email, password: i === 4 ? STRONG_PASSWORD : WRONG_PASSWORD });
      }

      const sessions = await request(server)
        .get('/api/v1/auth/sessions')
        .set(bearer((registered.body as TokenPair).accessToken));
      const events = await request(server).get(`/api/v1/audit-events?userId=${userId}`).set(bearer(admin.accessToken));
      expect(sessions.status).toBe(200);
      expect(events.status).toBe(200);
      const addresses = [...(sessions.body as { ip: string }[]), ...(events.body.items as { ip: string }[])].map(
        (row) => row.ip,
      );
      expect(addresses).toHaveLength(2 + 4);
      expect(JSON.stringify([sessions.body, events.body])).not.toContain('not-an-ip');
      for (const address of addresses) expect(address).toMatch(LOOPBACK);
    });

    it('counts such requests against the address they came from', async () => {
      const email = (await register(server)).user.email;
      const statuses = (await failLogins(server, email, (i) => `not-an-ip-${i}`)).map((response) => response.status);
      expect(statuses).toEqual([...Array<number>(5).fill(401), ...Array<number>(20).fill(429)]);
    });
  });

  describe('a list of trusted proxy addresses', () => {
    it('walks X-Forwarded-For from the right past the trusted proxies only', async () => {
      const server = await appWith({ TRUST_PROXY: 'loopback, 10.0.0.0/8' });
      expect(await sessionAddressFor(server, '198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
      expect(await sessionAddressFor(server, '198.51.100.7, 192.0.2.9, 10.1.2.3')).toBe('192.0.2.9');
    });

    it('ignores X-Forwarded-For from a peer that is not listed', async () => {
      const server = await appWith({ TRUST_PROXY: '10.0.0.0/8' });
      expect(await sessionAddressFor(server, '198.51.100.7')).toMatch(LOOPBACK);
    });
  });

  it('TRUST_PROXY=true trusts every entry, so the leftmost one wins', async () => {
    const server = await appWith({ TRUST_PROXY: 'true' });
    expect(await sessionAddressFor(server, '198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
  });
});
