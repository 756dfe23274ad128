import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import request from 'supertest';
import { SessionIssuer } from '../src/sessions/session-issuer';
import { PrismaService } from '../src/prisma/prisma.service';
import { Transactions } from '../src/prisma/transactions';
import { refresh, register, STRONG_PASSWORD, uniqueEmail } from './support/accounts';
import { startTestApp } from './support/test-app';

const ROUNDS = 1000;
// Rounds run this many at a time: enough to keep the pool busy, bounded so the run stays well under a minute.
const PARALLEL_ROUNDS = 20;

/** Runs `work` for 0..count-1 with at most `width` calls in flight. */
async function inBatches<T>(count: number, width: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

describe('Concurrency', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let prisma: PrismaService;

  beforeAll(async () => {
    app = await startTestApp({ env: { REFRESH_REUSE_GRACE: '0s', DATABASE_POOL_SIZE: '20' } });
    server = app.getHttpServer();
    prisma = app.get(PrismaService);
  });

  afterAll(async () => {
    await app.close();
  });

  it(`${ROUNDS} rounds of two racing refreshes with one token: exactly one successor each`, async () => {
    const { user } = await register(server);
    const issuer = app.get(SessionIssuer);
    const transactions = app.get(Transactions);
    const client = { userAgent: 'concurrency-test', ip: '127.0.0.1' };

    const rounds = await inBatches(ROUNDS, PARALLEL_ROUNDS, async () => {
      // A fresh session per round: the loser of a race is reuse, which ends the session.
      const started = await transactions.run((transaction) =>
        issuer.start(transaction, { userId: user.id, securityVersion: 0, role: 'USER' }, client),
      );
      const { session, refreshToken } = started!;
      const answers = await Promise.all([refresh(server, refreshToken), refresh(server, refreshToken)]);
      return {
        sessionId: session.id,
        answers: answers.map((answer) => ({ status: answer.status, code: answer.body.code })),
      };
    });

    for (const { answers } of rounds) {
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
      expect(answers.find((answer) => answer.status === 401)?.code).toBe('REFRESH_TOKEN_REUSED');
    }

    const sessionIds = rounds.map((round) => round.sessionId);
    const tokens = await prisma.refreshToken.groupBy({
      by: ['sessionId', 'generation'],
      where: { sessionId: { in: sessionIds } },
      _count: { _all: true },
    });
    expect(tokens.filter((group) => group._count._all > 1)).toEqual([]);
    // Each family holds its first token and exactly one successor, and the reuse ended it.
    expect(tokens.filter((group) => group.generation === 0)).toHaveLength(ROUNDS);
    expect(tokens.filter((group) => group.generation === 1)).toHaveLength(ROUNDS);
    expect(tokens).toHaveLength(2 * ROUNDS);
    expect(await prisma.session.count({ where: { id: { in: sessionIds }, revokedAt: null } })).toBe(0);
  }, 120_000);

  it('50 concurrent registrations of one email: one 201, the rest 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        request(server).post('/api/v1/auth/register').send({ email, password: STRONG_PASSWORD }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    for (const answer of answers.filter((candidate) => candidate.status === 409)) {
      expect(answer.body.code).toBe('EMAIL_TAKEN');
    }
    expect(await prisma.user.count({ where: { email } })).toBe(1);
  });
});
