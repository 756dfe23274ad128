/**
 * Every error code a client can receive, with the HTTP status it is answered with.
 * Features add their codes here; the problem-details filter is the only place that maps them.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  INVALID_TOKEN: 401,
  SESSION_REVOKED: 401,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  FORBIDDEN: 403,
  ACCOUNT_DISABLED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  LAST_ADMIN: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  TOO_MANY_ATTEMPTS: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  INVALID_RESET_TOKEN: 400,
  INVALID_VERIFICATION_TOKEN: 400,
  EMAIL_NOT_VERIFIED: 403,
  MFA_REQUIRED: 403,
  MFA_STEP_UP_REQUIRED: 403,
  MFA_ENROLLMENT_REQUIRED: 403,
  MFA_ALREADY_ENABLED: 409,
  MFA_NOT_ENABLED: 409,
  INVALID_MFA_CODE: 401,
  INVALID_MFA_TOKEN: 401,
  INVALID_PASSKEY: 401,
  PASSKEY_LIMIT_REACHED: 409,
  LAST_CREDENTIAL: 409,
  INVALID_REDIRECT_URI: 400,
  INVALID_SSO_STATE: 400,
  INVALID_SSO_CODE: 400,
  ACCOUNT_EXISTS: 409,
  IDENTITY_IN_USE: 409,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * The few codes also answered with another status where the contract says so: a wrong code or a bad
 * passkey while setting it up is a bad request (400), while logging in it is a failed authentication (401).
 */
export const ALTERNATE_STATUS: Partial<Record<ErrorCode, readonly number[]>> = {
  INVALID_MFA_CODE: [400],
  INVALID_PASSKEY: [400],
};

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The generic code for a status, used when an error carries a status but no code of ours. */
export function errorCodeForStatus(status: number): ErrorCode {
  const generic: Record<number, ErrorCode> = {
    400: 'MALFORMED_REQUEST',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'METHOD_NOT_ALLOWED',
    408: 'REQUEST_TIMEOUT',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    414: 'URI_TOO_LONG',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'RATE_LIMITED',
    431: 'HEADERS_TOO_LARGE',
    503: 'SERVICE_UNAVAILABLE',
  };
  return generic[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'MALFORMED_REQUEST');
}
