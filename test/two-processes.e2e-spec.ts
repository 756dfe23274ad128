import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { uniqueEmail, STRONG_PASSWORD, TokenPair } from './support/accounts';
import { freePort, ServiceProcess } from './support/service-process';

/**
 * Two separate service processes on one database, as in production: each has its own Passport,
 * its own revoked-session set and its own connection, so nothing is shared but PostgreSQL (and Redis
 * when REDIS_URL is set). A logout on one must stop the access token on the other within a second.
 */
describe('Two service processes on one database', () => {
  const processes: ServiceProcess[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    const shared = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      BCRYPT_COST: '4',
      HOST: '127.0.0.1',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'),
      // One issuer for both, as behind a load balancer; the default would name each one's own port.
      SERVICE_URL: 'http://auth.test',
    };
    for (let index = 0; index < 2; index++) {
      const port = await freePort();
      const service = ServiceProcess.start({ ...shared, PORT: String(port) });
      processes.push(service);
      urls.push(`http://127.0.0.1:${port}`);
    }
    await Promise.all(processes.map((service) => service.waitForOutput(/Listening on/)));
  });

  afterAll(async () => {
    for (const service of processes) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });

  it('refuses, on the second, an access token whose session was logged out on the first, within one second', async () => {
    const [first, second] = urls;
    const registered = await request(first)
      .post('/api/v1/auth/register')
      .send({ email: uniqueEmail('two-processes'), password: STRONG_PASSWORD });
    expect(registered.status).toBe(201);
    const pair = registered.body as TokenPair;
    expect(
      (await request(second).get('/api/v1/auth/me').set('authorization', `Bearer ${pair.accessToken}`)).status,
    ).toBe(200);

    expect((await request(first).post('/api/v1/auth/logout').send({ refreshToken: pair.refreshToken })).status).toBe(
      204,
    );
    const loggedOutAt = Date.now();
    let refusal: request.Response | undefined;
    while (Date.now() - loggedOutAt < 1_000) {
      const response = await request(second).get('/api/v1/auth/me').set('authorization', `Bearer ${pair.accessToken}`);
      if (response.status === 401) {
        refusal = response;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(refusal?.body.code).toBe('SESSION_REVOKED');
  });
});
