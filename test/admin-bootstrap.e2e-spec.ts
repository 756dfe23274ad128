import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { PrismaService } from '../src/prisma/prisma.service';
import { UsersService } from '../src/users/users.service';
import { login, me, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { SEED_JS, ServiceProcess } from './support/service-process';
import { startTestApp } from './support/test-app';

const ADMIN_PASSWORD = 'velvet-otter-climbs-quietly';
const OTHER_ADMIN_PASSWORD = 'amber-heron-waits-patiently';

describe('The admin account (ADMIN_EMAIL / ADMIN_PASSWORD)', () => {
  const apps: NestFastifyApplication[] = [];

  async function boot(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
    const app = await startTestApp({ env });
    apps.push(app);
    return app;
  }

  function usersWithEmail(app: NestFastifyApplication, email: string) {
    return app.get(PrismaService).user.findMany({ where: { email } });
  }

  function loginStatus(app: NestFastifyApplication, email: string, password: string): Promise<number> {
    return request(app.getHttpServer())
      .post('/api/v1/auth/login')
      .send({ email, password })
      .then((response) => response.status);
  }

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  describe('at boot', () => {
    it('creates an ADMIN with a verified email who can log in', async () => {
      const email = uniqueEmail('admin');
      const app = await boot({ ADMIN_EMAIL: `  ${email.toUpperCase()} `, ADMIN_PASSWORD });

      const pair = await login(app.getHttpServer(), email, ADMIN_PASSWORD);
      expect(pair.user.role).toBe('ADMIN');
      const response = await me(app.getHttpServer(), pair.accessToken);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ email, role: 'ADMIN', status: 'ACTIVE', emailVerified: true });
      const audit = await app.get(PrismaService).auditEvent.findMany({ where: { type: 'USER_CREATED', email } });
      expect(audit).toEqual([expect.objectContaining({ subjectId: pair.user.id, details: { role: 'ADMIN' } })]);
    });

    it('leaves the admin unchanged on the next boot, even with another password', async () => {
      const email = uniqueEmail('admin');
      const first = await boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD });
      const [created] = await usersWithEmail(first, email);

      const second = await boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD: OTHER_ADMIN_PASSWORD });
      expect(await usersWithEmail(second, email)).toEqual([created]);
      expect(await loginStatus(second, email, ADMIN_PASSWORD)).toBe(200);
      expect(await loginStatus(second, email, OTHER_ADMIN_PASSWORD)).toBe(401);
    });

    it('never promotes, re-enables or changes an existing user with that email', async () => {
      const plain = await boot();
      const email = uniqueEmail('taken');
      await register(plain.getHttpServer(), email);
      await plain.get(PrismaService).user.update({ where: { email }, data: { status: 'DISABLED' } });
      const before = await usersWithEmail(plain, email);

      const app = await boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD });
      const after = await usersWithEmail(app, email);
      expect(after).toEqual(before);
      expect(after[0]).toMatchObject({ role: 'USER', status: 'DISABLED', emailVerifiedAt: null });
      expect(await loginStatus(app, email, ADMIN_PASSWORD)).toBe(401);
    });

    it('creates exactly one admin when several instances boot at once on one database', async () => {
      const email = uniqueEmail('admin-race');
      const racers = await Promise.all([1, 2, 3, 4].map(() => boot({ ADMIN_EMAIL: email, ADMIN_PASSWORD })));

      const users = await usersWithEmail(racers[0], email);
      expect(users).toHaveLength(1);
      expect(users[0].role).toBe('ADMIN');
      for (const app of racers) expect(await loginStatus(app, email, ADMIN_PASSWORD)).toBe(200);
    });

    it('refuses to boot with only one of the two variables', async () => {
      await expect(startTestApp({ env: { ADMIN_EMAIL: uniqueEmail('admin') } })).rejects.toThrow(
        'ADMIN_EMAIL and ADMIN_PASSWORD must be set together (ADMIN_PASSWORD is missing)',
      );
    });

    it('stops node dist/main.js on a weak password, naming the problem but not the password', async () => {
      const service = ServiceProcess.start({
        DATABASE_URL: process.env.DATABASE_URL,
        ADMIN_EMAIL: uniqueEmail('admin'),
        ADMIN_PASSWORD: 'password123',
      });
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain('ADMIN_PASSWORD is too common; choose a less guessable password');
      expect(service.stderr).not.toContain('password123');
    });
  });

  describe('UsersService.createIfAbsent', () => {
    it('reports exactly one of many concurrent inserts of one email as created, and never throws', async () => {
      const app = await boot();
      const users = app.get(UsersService);
      const email = uniqueEmail('concurrent');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          users.createIfAbsent({ email, passwordHash: `hash-${index}`, role: 'ADMIN', emailVerifiedAt: new Date() }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await usersWithEmail(app, email)).toHaveLength(1);
    });
  });

  describe('npm run db:seed (node dist/seed.js)', () => {
    function seed(env: Record<string, string>): ServiceProcess {
      return ServiceProcess.start(
        { DATABASE_URL: process.env.DATABASE_URL, BCRYPT_COST: '4', LOG_LEVEL: 'info', ...env },
        SEED_JS,
      );
    }

    it('creates the admin and exits 0; run again, it leaves the account alone', async () => {
      const email = uniqueEmail('seeded');
      const first = seed({ ADMIN_EMAIL: email, ADMIN_PASSWORD });
      expect((await first.exited).code).toBe(0);
      expect(first.stdout).toContain(`Created admin ${email}`);
      expect(first.stdout + first.stderr).not.toContain(ADMIN_PASSWORD);

      const again = seed({ ADMIN_EMAIL: email, ADMIN_PASSWORD: OTHER_ADMIN_PASSWORD });
      expect((await again.exited).code).toBe(0);
      expect(again.stdout).toContain(`Admin ${email} already exists; left unchanged`);

      const app = await boot();
      const [user] = await usersWithEmail(app, email);
      expect(user).toMatchObject({ role: 'ADMIN', status: 'ACTIVE', emailVerifiedAt: expect.any(Date) });
      expect(await loginStatus(app, email, ADMIN_PASSWORD)).toBe(200);
      expect(await loginStatus(app, email, STRONG_PASSWORD)).toBe(401);
    });

    it('exits 1 with a clear message when the variables are missing', async () => {
      const service = seed({});
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain(
        'ADMIN_EMAIL and ADMIN_PASSWORD must be set: the seed creates that admin account.',
      );
    });

    it('exits 1 saying why when the account cannot be created', async () => {
      const email = uniqueEmail('unreachable');
      const service = seed({
        ADMIN_EMAIL: email,
        ADMIN_PASSWORD,
        DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
        DATABASE_CONNECT_TIMEOUT: '1s',
      });
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain(`Seeding failed: Could not create the admin account ${email}`);
      expect(service.stderr).toContain("Can't reach database server");
    });

    it('exits 1 naming every problem of an invalid admin', async () => {
      const service = seed({ ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'short' });
      expect((await service.exited).code).toBe(1);
      expect(service.stderr).toContain('ADMIN_EMAIL must be an email address (got "not-an-email")');
      expect(service.stderr).toContain('ADMIN_PASSWORD must be at least 8 characters');
    });
  });
});
