import { isDatabaseUnavailableError } from './database-unavailable';

describe('isDatabaseUnavailableError', () => {
  it.each([
    ['an unreachable server (Prisma P1001)', { name: 'PrismaClientKnownRequestError', code: 'P1001' }],
    [
      'a raw query on an unreachable server',
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } },
    ],
    ['a closed connection', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'ConnectionClosed' } } } }],
    [
      'a server shutting down (57P01)',
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57P01' } } } },
    ],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a transaction that could not start in time (P2028)',
      { code: 'P2028', message: 'Transaction API error: Unable to start a transaction in the given time.' },
    ],
    [
      'a refused socket wrapped as a cause',
      new Error('query failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
    ],
    ['a client that could not initialise', { name: 'PrismaClientInitializationError' }],
    ['a statement the database never answered (pg query_timeout)', new Error('Query read timeout')],
    [
      'a statement cancelled by statement_timeout (57014)',
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '57014' } } } },
    ],
    [
      'a commit that lost its connection (a bare DriverAdapterError)',
      Object.assign(new Error('ConnectionClosed'), { name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } }),
    ],
  ])('recognises %s', (_description, error) => {
    expect(isDatabaseUnavailableError(error)).toBe(true);
  });

  it('does not take other transaction errors (P2028) for an outage', () => {
    expect(
      isDatabaseUnavailableError({ code: 'P2028', message: 'Transaction API error: Transaction not found.' }),
    ).toBe(false);
  });

  it.each([
    [
      'a unique violation',
      { code: 'P2002', meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } } },
    ],
    [
      'a syntax error',
      { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'postgres', originalCode: '42601' } } } },
    ],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['a non-error', 'boom'],
    ['nothing', undefined],
  ])('does not mistake %s for an outage', (_description, error) => {
    expect(isDatabaseUnavailableError(error)).toBe(false);
  });
});
