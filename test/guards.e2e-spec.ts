import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { login, register, uniqueEmail } from './support/accounts';
import { ProbeModule } from './support/probe.module';
import { startTestApp } from './support/test-app';

describe('Global guards on a route a team adds', () => {
  let app: NestFastifyApplication;
  let server: Server;

  beforeAll(async () => {
    app = await startTestApp({ imports: [ProbeModule] });
    server = app.getHttpServer();
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (path: string, accessToken?: string) => {
    const call = request(server).get(`/api/v1/probe/guarded/${path}`);
    return accessToken ? call.set('authorization', `Bearer ${accessToken}`) : call;
  };

  it('is protected by default: no token, 401', async () => {
    const response = await get('whoami');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHORIZED');
  });

  it('hands the verified caller to @CurrentUser()', async () => {
    const pair = await register(server);
    const response = await get('whoami', pair.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: pair.user.id,
      sessionId: expect.any(String),
      role: 'USER',
      amr: ['pwd'],
      authTime: expect.any(Number),
    });
  });

  it('answers 403 FORBIDDEN to a USER on an @Roles("ADMIN") route and lets an ADMIN in', async () => {
    const email = uniqueEmail('admin');
    const user = await register(server, email);
    const refused = await get('admin', user.accessToken);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');

    // The role travels in the access token, so it takes effect from the next login.
    await app.get(PrismaService).user.update({ where: { id: user.user.id }, data: { role: 'ADMIN' } });
    const admin = await login(server, email);
    expect((await get('admin', admin.accessToken)).status).toBe(200);
  });

  it('checks the token before the role: no token on an @Roles route is 401, not 403', async () => {
    expect((await get('admin')).status).toBe(401);
  });
});
