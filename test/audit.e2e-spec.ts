import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import {
  bearer,
  login,
  refresh,
  register,
  registerAdmin,
  sessionIdOf,
  STRONG_PASSWORD,
  TokenPair,
  uniqueEmail,
} from './support/accounts';
import { startTestApp } from './support/test-app';

interface AuditEventBody {
  type: string;
  actorId: string | null;
  subjectId: string | null;
  email: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  occurredAt: string;
}

describe('Audit trail', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let admin: TokenPair;

  beforeAll(async () => {
    app = await startTestApp();
    server = app.getHttpServer();
    admin = await registerAdmin(server, app.get(PrismaService));
  });

  afterAll(async () => {
    await app.close();
  });

  async function eventsOf(userId: string, query = ''): Promise<AuditEventBody[]> {
    const response = await request(server)
      .get(`/api/v1/audit-events?userId=${userId}${query}`)
      .set(bearer(admin.accessToken));
    expect(response.status).toBe(200);
    return response.body.items as AuditEventBody[];
  }

  it('records a failed login with the address and agent, for known and unknown emails alike', async () => {
    const user = await register(server);
    const failed = await request(server)
      .post('/api/v1/auth/login')
      .set('user-agent', 'audit-test/1.0')
      .send({ email: user.user.email, password: 'wrong password entirely' });
    expect(failed.status).toBe(401);

    const [event] = await eventsOf(user.user.id, '&type=LOGIN_FAILED');
    expect(event).toMatchObject({
      type: 'LOGIN_FAILED',
      actorId: null,
      subjectId: user.user.id,
      email: user.user.email,
      userAgent: 'audit-test/1.0',
      details: { reason: 'INVALID_CREDENTIALS' },
    });
    expect(event.ip).toMatch(/127\.0\.0\.1|::1/);

    const unknown = uniqueEmail('nobody');
    await request(server).post('/api/v1/auth/login').send({ email: unknown, password: STRONG_PASSWORD });
    const row = await app.get(PrismaService).auditEvent.findFirstOrThrow({ where: { email: unknown } });
    expect(row).toMatchObject({ type: 'LOGIN_FAILED', subjectId: null });
  });

  it('records register, login and logout of a session, newest first', async () => {
    const user = await register(server);
    const second = await login(server, user.user.email);
    await request(server).post('/api/v1/auth/logout').send({ refreshToken: second.refreshToken });

    const events = await eventsOf(user.user.id);
    expect(events.map((event) => event.type)).toEqual(['LOGOUT', 'LOGIN_SUCCEEDED', 'USER_REGISTERED']);
    const times = events.map((event) => Date.parse(event.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(events[0].sessionId).toBe(events[1].sessionId);
  });

  it('records a refresh-token reuse against the session it ended', async () => {
    const user = await register(server);
    await refresh(server, user.refreshToken);
    expect((await refresh(server, user.refreshToken)).body.code).toBe('REFRESH_TOKEN_REUSED');

    const [event] = await eventsOf(user.user.id, '&type=REFRESH_TOKEN_REUSED');
    expect(event).toMatchObject({
      type: 'REFRESH_TOKEN_REUSED',
      subjectId: user.user.id,
      sessionId: sessionIdOf(user),
    });
  });

  it('records a role change with the admin as actor and the old and new role', async () => {
    const user = await register(server);
    await request(server).patch(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken)).send({ role: 'ADMIN' });

    const [event] = await eventsOf(user.user.id, '&type=ROLE_CHANGED');
    expect(event).toMatchObject({
      actorId: admin.user.id,
      subjectId: user.user.id,
      details: { from: 'USER', to: 'ADMIN' },
    });
  });

  it('records logout-all, disabling and deletion, and keeps the trail of a deleted user', async () => {
    const user = await register(server);
    await request(server).post('/api/v1/auth/logout-all').set(bearer(user.accessToken));
    await request(server)
      .patch(`/api/v1/users/${user.user.id}`)
      .set(bearer(admin.accessToken))
      .send({ status: 'DISABLED' });
    await request(server).delete(`/api/v1/users/${user.user.id}`).set(bearer(admin.accessToken));

    const events = await eventsOf(user.user.id);
    expect(events.map((event) => event.type)).toEqual([
      'USER_DELETED',
      'STATUS_CHANGED',
      'LOGOUT_ALL',
      'USER_REGISTERED',
    ]);
    expect(events[1].details).toEqual({ from: 'ACTIVE', to: 'DISABLED' });
    expect(events[2].details).toEqual({ sessionsEnded: 1 });
  });

  it('pages, filters by type and refuses bad filters', async () => {
    const user = await register(server);
    for (let attempt = 0; attempt < 3; attempt++) {
      await request(server).post('/api/v1/auth/login').send({ email: user.user.email, password: 'not the password' });
    }
    const page = await request(server)
      .get(`/api/v1/audit-events?userId=${user.user.id}&type=LOGIN_FAILED&limit=2&page=2`)
      .set(bearer(admin.accessToken));
    expect(page.body).toMatchObject({ total: 3, page: 2, limit: 2 });
    expect(page.body.items).toHaveLength(1);

    for (const query of ['type=SOMETHING', 'userId=42', 'limit=0']) {
      const response = await request(server).get(`/api/v1/audit-events?${query}`).set(bearer(admin.accessToken));
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('is for admins only', async () => {
    const user = await register(server);
    expect((await request(server).get('/api/v1/audit-events').set(bearer(user.accessToken))).status).toBe(403);
    expect((await request(server).get('/api/v1/audit-events')).status).toBe(401);
  });

  it('never stores a password, token or hash', async () => {
    const user = await register(server);
    await request(server).post('/api/v1/auth/login').send({ email: user.user.email, password: 'a wrong guess 123' });
    const second = await login(server, user.user.email);
    await refresh(server, second.refreshToken);
    const rows = await app.get(PrismaService).auditEvent.findMany({
      where: { OR: [{ subjectId: user.user.id }, { actorId: user.user.id }] },
    });
    const stored = JSON.stringify(rows);
    for (const secret of [STRONG_PASSWORD, 'a wrong guess 123', second.refreshToken, second.accessToken, '$2b$']) {
      expect(stored).not.toContain(secret);
    }
  });
});
