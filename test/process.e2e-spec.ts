import { freePort, ServiceProcess } from './support/service-process';
import { TcpProxy } from './support/tcp-proxy';

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
      expect(service.stderr).toContain('TRUST_PROXY must be true or false');
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

    it('lets an in-flight database request finish, refuses new ones, and exits 0', async () => {
      proxy = await TcpProxy.start(process.env.DATABASE_URL!);
      const port = await freePort();
      service = ServiceProcess.start({
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: proxy.rewrite(process.env.DATABASE_URL!),
        JWT_ACCESS_SECRET: 'a-production-grade-secret-of-more-than-32-bytes',
        LOG_LEVEL: 'info',
      });
      await service.waitForOutput(/Listening on/);
      const base = `http://127.0.0.1:${port}/api/v1`;
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
