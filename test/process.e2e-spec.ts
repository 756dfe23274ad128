import { randomBytes } from 'node:crypto';
import { get, IncomingHttpHeaders } from 'node:http';
import { STRONG_PASSWORD, TokenPair, uniqueEmail } from './support/accounts';
import { freePort, ServiceProcess } from './support/service-process';
import { TcpProxy } from './support/tcp-proxy';

/**
 * Clients that each send one request after another through fetch's keep-alive pool until stopped;
 * stop() resolves with every outcome: the status, or the connection error's code.
 */
class KeepAliveLoad {
  private stopping = false;
  private readonly outcomes: (number | string)[] = [];
  private readonly clients: Promise<void>[];

  constructor(send: () => Promise<Response>, clients: number) {
    this.clients = Array.from({ length: clients }, async () => {
      while (!this.stopping) {
        try {
          const response = await send();
          await response.arrayBuffer();
          this.outcomes.push(response.status);
        } catch (error) {
          this.outcomes.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
          return;
        }
      }
    });
  }

  async stop(): Promise<(number | string)[]> {
    this.stopping = true;
    await Promise.all(this.clients);
    return this.outcomes;
  }
}

/** One GET on its own connection, for the response headers fetch hides (Connection). */
function rawGet(url: string): Promise<{ status?: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers }));
    }).on('error', reject);
  });
}

describe('The service process (node dist/main.js)', () => {
  describe('configuration', () => {
    it('refuses to start on bad variables, naming every problem at once', async () => {
      const service = ServiceProcess.start({
        NODE_ENV: 'production',
        PORT: 'eighty',
        DATABASE_URL: 'mysql://root@localhost/app',
        TRUST_PROXY: 'maybe',
      });
      const { code } = await service.exited;
      expect(code).toBe(1);
      expect(service.stderr).toContain('Invalid configuration');
      expect(service.stderr).toContain('PORT must be an integer from 0 to 65535 (got "eighty")');
      expect(service.stderr).toContain('DATABASE_URL must be a URL starting with postgres:// or postgresql://');
      expect(service.stderr).toContain('TRUST_PROXY must be false, true (trust every proxy), a hop count');
      expect(service.stderr).toContain('JWT_ACCESS_SECRET is required in production');
      expect(service.stderr).not.toMatch(/\bat .+\.js:\d+/);
    });

    it('refuses a production secret shorter than 32 bytes', async () => {
      const service = ServiceProcess.start({
        NODE_ENV: 'production',
        DATABASE_URL: process.env.DATABASE_URL,
        JWT_ACCESS_SECRET: 'short-but-not-32-bytes',
      });
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain('JWT_ACCESS_SECRET must be at least 32 bytes (got 22)');
    });

    it('refuses a placeholder secret and a missing pepper in production, saying how to generate both', async () => {
      const service = ServiceProcess.start({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        DATABASE_URL: process.env.DATABASE_URL,
        JWT_ACCESS_SECRET: 'changeme-changeme-changeme-changeme',
      });
      const outcome = await Promise.race([
        service.exited.then(({ code }) => `exited with ${code}`),
        service.waitForOutput(/Listening on/).then(() => 'listening'),
      ]);
      service.kill();
      expect(outcome).toBe('exited with 1');
      expect(service.stderr).toContain('JWT_ACCESS_SECRET looks like a placeholder');
      expect(service.stderr).toContain('PASSWORD_PEPPER is required in production');
      expect(service.stderr).toContain('MFA_ENCRYPTION_KEY is required in production');
      expect(service.stderr.match(/generate one with: openssl rand -base64 48/g)).toHaveLength(2);
      expect(service.stderr).not.toContain('changeme-changeme');
    });

    it('names DATABASE_URL when it is missing', async () => {
      const service = ServiceProcess.start({ NODE_ENV: 'development' });
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain('DATABASE_URL is required');
    });
  });

  describe('SIGTERM', () => {
    let proxy: TcpProxy;
    let service: ServiceProcess;

    afterEach(async () => {
      service?.kill();
      await proxy?.close();
    });

    /** The service on the test database behind the proxy; resolves with its API base URL. */
    async function startBehindProxy(env: Record<string, string> = {}): Promise<string> {
      proxy = await TcpProxy.start(process.env.DATABASE_URL!);
      const port = await freePort();
      service = ServiceProcess.start({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!),
        JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'),
        PASSWORD_PEPPER: randomBytes(32).toString('base64'),
        MFA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        BCRYPT_COST: '4',
        LOG_LEVEL: 'info',
        ...env,
      });
      await service.waitForOutput(/Listening on/);
      return `http://127.0.0.1:${port}/api/v1`;
    }

    it('lets an in-flight database request finish, refuses new ones, and exits 0', async () => {
      const base = await startBehindProxy();
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);

      // Each database round trip now takes 700 ms, so this request is still running at SIGTERM.
      proxy.slowDown(700);
      const inFlight = fetch(`${base}/health/ready`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      service.child.kill('SIGTERM');
      await service.waitForOutput(/SIGTERM received/);

      const refused = await fetch(`${base}/health`).then(
        (response) => response.status,
        () => 'connection refused',
      );
      expect([503, 'connection refused']).toContain(refused);

      // The request's database query completes on the still-open pool; readiness then reports the drain
      // (a closed pool would have made it "database unreachable").
      const response = await inFlight;
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', detail: 'Not ready: shutting down' });
      expect((await service.exited).code).toBe(0);
      expect(service.stdout).toContain('Shut down cleanly');
    });

    /** A new user's /auth/me, which reads the database on every call, with the database slowed down. */
    async function slowMeOfNewUser(base: string): Promise<() => Promise<Response>> {
      const registered = await fetch(`${base}/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: uniqueEmail('drain'), password: STRONG_PASSWORD }),
      });
      const { accessToken } = (await registered.json()) as TokenPair;
      // Every database round trip now takes 100 ms: with 50 clients most requests are mid-query.
      proxy.slowDown(100);
      return () => fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    }

    it('finishes all 50 requests in flight at SIGTERM (keep-alive clients under load) and exits 0', async () => {
      const me = await slowMeOfNewUser(await startBehindProxy());
      const load = new KeepAliveLoad(me, 50);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      service.child.kill('SIGTERM');
      const outcomes = await load.stop();

      expect(outcomes.length).toBeGreaterThan(50);
      expect(outcomes.filter((outcome) => outcome !== 200)).toEqual([]);
      expect((await service.exited).code).toBe(0);
      expect(service.stdout).toContain('Shut down cleanly');
    });

    it('with SHUTDOWN_DELAY keeps serving, reports not ready and closes each connection after its response', async () => {
      const base = await startBehindProxy({ SHUTDOWN_DELAY: '3s' });
      const me = await slowMeOfNewUser(base);
      const load = new KeepAliveLoad(me, 50);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      service.child.kill('SIGTERM');
      await service.waitForOutput(/not ready, still serving for 3s/);

      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', detail: 'Not ready: shutting down' });
      const during = await rawGet(`${base}/health`);
      expect(during.headers.connection).toBe('close');

      // A request sent after the signal, on a new connection, is still served during the delay; so is the load.
      expect((await me()).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const outcomes = await load.stop();
      expect(outcomes.filter((outcome) => outcome !== 200)).toEqual([]);
      expect(service.stdout).not.toContain('draining in-flight requests');

      expect((await service.exited).code).toBe(0);
      expect(service.stdout).toContain('Shut down cleanly');
      await expect(fetch(`${base}/health`)).rejects.toThrow();
    });
  });

  it('writes one JSON object per log line, with the request id', async () => {
    const port = await freePort();
    const service = ServiceProcess.start({
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: process.env.DATABASE_URL,
      LOG_LEVEL: 'info',
    });
    try {
      await service.waitForOutput(/Listening on/);
      await fetch(`http://127.0.0.1:${port}/api/v1/nope`, {
        headers: {
          'x-request-id': 'log-check-1',
          authorization: 'Bearer top-secret-token',
          cookie: 'refresh_token=also-secret',
        },
      });
      await service.waitForOutput(/log-check-1/);
      const lines = service.stdout.trim().split('\n');
      const entries = lines.map((line) => JSON.parse(line) as { req?: { id?: string } });
      expect(entries.some((entry) => entry.req?.id === 'log-check-1')).toBe(true);
      expect(service.stdout).not.toMatch(/top-secret-token|also-secret/);
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  });
});
