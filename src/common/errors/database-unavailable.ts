/** Recognises errors that mean "the database cannot be reached right now" rather than a bug. */

const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

const UNAVAILABLE_ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
  'ConnectionClosed',
  'SocketTimeout',
  'TlsConnectionError',
  'TooManyConnections',
]);

// SQLSTATE class 08 (connection exception), 57P01-57P03 (server shutting down or starting) and 57014
// (cancelled: DATABASE_STATEMENT_TIMEOUT, a database too slow to answer now).
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123]|57014)/;

const UNAVAILABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

interface ErrorShape {
  name?: unknown;
  /** A DriverAdapterError's cause: { kind: 'ConnectionClosed' }, raised bare when a commit loses its connection. */
  kind?: unknown;
  code?: unknown;
  message?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  cause?: unknown;
}

export function isDatabaseUnavailableError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const shape = error as ErrorShape;
  if (shape.name === 'PrismaClientInitializationError') return true;
  if (typeof shape.code === 'string') {
    if (UNAVAILABLE_PRISMA_CODES.has(shape.code) || UNAVAILABLE_SOCKET_CODES.has(shape.code)) return true;
    if (UNAVAILABLE_SQLSTATE.test(shape.code)) return true;
  }
  // P2028 also names transaction misuse (a bug); only "could not start in time" means a saturated or slow database.
  if (
    shape.code === 'P2028' &&
    typeof shape.message === 'string' &&
    /Unable to start a transaction/.test(shape.message)
  )
    return true;
  if (typeof shape.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(shape.kind)) return true;
  const adapterCause = shape.meta?.driverAdapterError?.cause;
  if (adapterCause) {
    if (typeof adapterCause.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(adapterCause.kind)) return true;
    if (typeof adapterCause.originalCode === 'string' && UNAVAILABLE_SQLSTATE.test(adapterCause.originalCode))
      return true;
  }
  // pg raises these without a code when a pooled connection dies, cannot be opened in time, or its
  // statement goes unanswered past query_timeout (a silent network).
  if (
    typeof shape.message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(shape.message)
  ) {
    return true;
  }
  return isDatabaseUnavailableError(shape.cause, depth + 1);
}
