import { Metrics } from '../../metrics/metrics';
import { InMemoryAuditRepository } from '../../audit/audit.repository.fake';
import type { AuditRepository } from '../../audit/audit.repository';
import { AuditService } from '../../audit/audit.service';
import { DomainError } from '../../common/errors/domain.error';
import { loadAppConfig } from '../../config/app-config';
import { InMemoryUsersRepository } from '../../users/users.repository.fake';
import type { UsersService } from '../../users/users.service';
import { LimiterStore } from './limiter-store';
import { LoginAttemptsService } from './login-attempts.service';

const EMAIL = 'owner@example.com';
const wrongPassword = () => Promise.reject(new DomainError('INVALID_CREDENTIALS', 'wrong'));
const rightPassword = () => Promise.resolve('signed in');
const from = (ip: string) => ({ ip, userAgent: 'jest' });

function setUp() {
  const config = loadAppConfig({
    DATABASE_URL: 'postgresql://localhost/auth',
    LOCKOUT_THRESHOLD: '3',
    ACCOUNT_FAILURE_LIMIT: '5',
    LOCKOUT_DURATION: '15m',
  });
  const usersTable = new InMemoryUsersRepository();
  const auditTable = new InMemoryAuditRepository();
  // The lockout only looks the email up, to name the account in LOGIN_LOCKED.
  const users = { findByEmail: (email: string) => usersTable.findByEmail(email) } as UsersService;
  const service = new LoginAttemptsService(
    new LimiterStore('test:'),
    config,
    new AuditService(auditTable as unknown as AuditRepository, new Metrics()),
    users,
  );
  return { service, usersTable, auditTable };
}

/** The code an attempt ends with: the check's result, or the error's code. */
function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'OK',
    (error: DomainError) => error.code,
  );
}

describe('LoginAttemptsService', () => {
  it('locks an (email, address) pair after LOCKOUT_THRESHOLD wrong passwords, without checking the next one', async () => {
    const { service, usersTable, auditTable } = setUp();
    const owner = usersTable.addUser({ email: EMAIL });
    const codes: string[] = [];
    for (let i = 0; i < 3; i += 1) codes.push(await codeOf(service.attempt(EMAIL, from('203.0.113.1'), wrongPassword)));
    expect(codes).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);

    const check = jest.fn(rightPassword);
    const refused = await service.attempt(EMAIL, from('203.0.113.1'), check).catch((error: DomainError) => error);
    expect(check).not.toHaveBeenCalled();
    expect(refused).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    const retryAfterSeconds = (refused as DomainError).extensions.retryAfterSeconds;
    expect(retryAfterSeconds).toBeGreaterThan(895);
    expect(retryAfterSeconds).toBeLessThanOrEqual(900);

    expect(auditTable.rows).toEqual([
      expect.objectContaining({
        type: 'LOGIN_LOCKED',
        subjectId: owner.id,
        email: EMAIL,
        ip: '203.0.113.1',
        details: { scope: 'pair', until: expect.any(String) },
        alone: true,
      }),
    ]);
  });

  it('locks only the pair: the owner from another address, and other emails from this one, still get checked', async () => {
    const { service } = setUp();
    for (let i = 0; i < 3; i += 1) await codeOf(service.attempt(EMAIL, from('203.0.113.1'), wrongPassword));
    expect(await codeOf(service.attempt(EMAIL, from('198.51.100.9'), rightPassword))).toBe('OK');
    expect(await codeOf(service.attempt('other@example.com', from('203.0.113.1'), rightPassword))).toBe('OK');
  });

  it('counts IPv6 clients per /64', async () => {
    const { service } = setUp();
    for (const host of ['1', '2', '3']) {
      await codeOf(service.attempt(EMAIL, from(`2001:db8:0:1::${host}`), wrongPassword));
    }
    expect(await codeOf(service.attempt(EMAIL, from('2001:db8:0:1::ffff'), rightPassword))).toBe('TOO_MANY_ATTEMPTS');
    expect(await codeOf(service.attempt(EMAIL, from('2001:db8:0:2::1'), rightPassword))).toBe('OK');
  });

  it('locks an email for every address after ACCOUNT_FAILURE_LIMIT failures, whether or not an account has it', async () => {
    const { service, auditTable } = setUp();
    const unknown = 'nobody@example.com';
    for (let i = 1; i <= 5; i += 1) {
      expect(await codeOf(service.attempt(unknown, from(`203.0.113.${i}`), wrongPassword))).toBe('INVALID_CREDENTIALS');
    }
    expect(await codeOf(service.attempt(unknown, from('198.51.100.77'), rightPassword))).toBe('TOO_MANY_ATTEMPTS');
    expect(auditTable.ofType('LOGIN_LOCKED')).toEqual([
      expect.objectContaining({
        subjectId: null,
        email: unknown,
        details: expect.objectContaining({ scope: 'account' }),
      }),
    ]);
  });

  it('forgets the pair’s failures after a right password', async () => {
    const { service } = setUp();
    const client = from('203.0.113.1');
    for (let i = 0; i < 2; i += 1) await codeOf(service.attempt(EMAIL, client, wrongPassword));
    expect(await service.attempt(EMAIL, client, rightPassword)).toBe('signed in');
    for (let i = 0; i < 2; i += 1) {
      expect(await codeOf(service.attempt(EMAIL, client, wrongPassword))).toBe('INVALID_CREDENTIALS');
    }
    expect(await codeOf(service.attempt(EMAIL, client, rightPassword))).toBe('OK');
  });

  it('does not count a refusal other than a wrong password (a disabled account), and rethrows it', async () => {
    const { service, auditTable } = setUp();
    const disabled = () => Promise.reject(new DomainError('ACCOUNT_DISABLED', 'disabled'));
    for (let i = 0; i < 6; i += 1) {
      expect(await codeOf(service.attempt(EMAIL, from('203.0.113.1'), disabled))).toBe('ACCOUNT_DISABLED');
    }
    expect(await codeOf(service.attempt(EMAIL, from('203.0.113.1'), rightPassword))).toBe('OK');
    expect(auditTable.rows).toEqual([]);
  });

  it('gives every refused attempt the same answer, whatever the email', async () => {
    const { service, usersTable } = setUp();
    usersTable.addUser({ email: EMAIL });
    const answers: unknown[] = [];
    for (const email of [EMAIL, 'nobody@example.com']) {
      for (let i = 0; i < 3; i += 1) await codeOf(service.attempt(email, from('203.0.113.1'), wrongPassword));
      const refused = await service
        .attempt(email, from('203.0.113.1'), rightPassword)
        .catch((error: DomainError) => error);
      answers.push({ code: (refused as DomainError).code, detail: (refused as DomainError).detail });
    }
    expect(answers[0]).toEqual(answers[1]);
  });
});
