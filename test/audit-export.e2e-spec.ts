import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { login, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const SECRET = randomBytes(32).toString('base64');

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly answered: number;
}

interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly email: string | null;
  readonly subjectId: string | null;
}

/** A receiver as a SIEM's would be: it checks the signature, and answers 503 to the first `failFirst` requests. */
async function startReceiver(failFirst: number) {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answered = deliveries.length < failFirst ? 503 : 204;
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
  const accepted = () =>
    deliveries
      .filter((delivery) => delivery.answered === 204)
      .flatMap((delivery) => (JSON.parse(delivery.body) as { events: ReceivedEvent[] }).events);
  return { url, deliveries, accepted, close: () => new Promise((resolve) => server.close(resolve)) };
}

function signatureValid(delivery: Delivery): boolean {
  const timestamp = String(delivery.headers['x-audit-timestamp']);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${delivery.body}`).digest('hex')}`;
  const given = String(delivery.headers['x-audit-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

async function until<T>(value: () => T | undefined, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const found = value();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Audit export to a webhook', () => {
  it('delivers committed events, signed, in order, retrying a receiver that fails at first', async () => {
    const receiver = await startReceiver(2);
    const app = await startTestApp({
      env: { AUDIT_EXPORT: 'webhook', AUDIT_WEBHOOK_URL: receiver.url, AUDIT_WEBHOOK_SECRET: SECRET },
    });
    try {
      const email = uniqueEmail('exported');
      const account = await register(app.getHttpServer(), email);
      await login(app.getHttpServer(), email);
      await request(app.getHttpServer())
        .post('/api/v1/auth/login')
        .send({ email, password: `${STRONG_PASSWORD}?` })
        .expect(401);

      const mine = await until(() => {
        const events = receiver
          .accepted()
          .filter((event) => event.email === email || event.subjectId === account.user.id);
        return events.length >= 3 ? events : undefined;
      }, 10_000);
      expect(mine.map((event) => event.type)).toEqual(['USER_REGISTERED', 'LOGIN_SUCCEEDED', 'LOGIN_FAILED']);
      // The ids are those of the rows in audit_events.
      const rows = await app
        .get(PrismaService)
        .auditEvent.findMany({ where: { id: { in: mine.map((event) => event.id) } } });
      expect(rows).toHaveLength(3);

      expect(receiver.deliveries.slice(0, 2).map((delivery) => delivery.answered)).toEqual([503, 503]);
      expect(receiver.deliveries.every(signatureValid)).toBe(true);
      // A tampered body does not verify.
      expect(
        signatureValid({ ...receiver.deliveries[0], body: receiver.deliveries[0].body.replace('USER', 'ADMIN') }),
      ).toBe(false);
    } finally {
      await app.close();
      await receiver.close();
    }
  }, 30_000);

  it('refuses to start without a URL and a strong enough secret', async () => {
    await expect(startTestApp({ env: { AUDIT_EXPORT: 'webhook', AUDIT_WEBHOOK_SECRET: 'short' } })).rejects.toThrow(
      /AUDIT_WEBHOOK_URL is required with AUDIT_EXPORT=webhook[\s\S]*AUDIT_WEBHOOK_SECRET must be at least 32 bytes/,
    );
  });
});

describe('Audit export to stdout', () => {
  it('writes one JSON line per committed event', async () => {
    const lines: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const app = await startTestApp({ env: { AUDIT_EXPORT: 'stdout' } });
    try {
      const email = uniqueEmail('stdout');
      await register(app.getHttpServer(), email);
      const events = lines
        .filter((line) => line.startsWith('{"audit":'))
        .map((line) => (JSON.parse(line) as { audit: ReceivedEvent }).audit);
      expect(events.filter((event) => event.email === email).map((event) => event.type)).toEqual(['USER_REGISTERED']);
      expect(lines.every((line) => !line.startsWith('{"audit":') || line.endsWith('}\n'))).toBe(true);
    } finally {
      write.mockRestore();
      await app.close();
    }
  });
});
