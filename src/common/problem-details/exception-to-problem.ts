import { HttpException } from '@nestjs/common';
import { isDatabaseUnavailableError } from '../errors/database-unavailable';
import { DomainError, RateLimitPolicy } from '../errors/domain.error';
import { ERROR_STATUS, ErrorCode, errorCodeForStatus } from '../errors/error-code';
import { ProblemDetails, problemDetails } from './problem-details';

export interface ProblemResponse {
  problem: ProblemDetails;
  headers: Record<string, string>;
  /** True when the error is a fault of ours (or our dependencies) and must be logged with its stack. */
  isServerFault: boolean;
}

// Fastify's own errors that reach us before a route handler runs, and how each is answered.
const NOT_JSON = 'The request body is not valid JSON';
const FASTIFY_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_REQUEST', detail: NOT_JSON },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_REQUEST', detail: NOT_JSON },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'MALFORMED_REQUEST', detail: NOT_JSON },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is larger than this service accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'Send the request body as application/json',
  },
  FST_ERR_CTP_INVALID_TYPE: { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the request body as application/json' },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'URI_TOO_LONG',
    detail: 'A path segment of the request is longer than any this service defines',
  },
  FST_ERR_BAD_URL: { code: 'MALFORMED_REQUEST', detail: 'The request path is not a valid URL' },
};

interface FastifyErrorShape {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Maps any thrown value to the problem details a client receives; the single place errors become HTTP. */
export function exceptionToProblem(error: unknown): ProblemResponse {
  if (error instanceof DomainError) {
    const headers: Record<string, string> = {};
    const challenge = bearerChallenge(error);
    if (challenge) headers['www-authenticate'] = challenge;
    if (error.extensions.retryAfterSeconds !== undefined) {
      const seconds = String(Math.max(1, Math.ceil(error.extensions.retryAfterSeconds)));
      headers['retry-after'] = seconds;
      if (error.status === 429) Object.assign(headers, rateLimitHeaders(seconds, error.extensions.rateLimit));
    }
    return {
      problem: problemDetails(
        error.status,
        error.code,
        error.detail,
        error.extensions.errors,
        error.extensions.members,
      ),
      headers,
      // A deliberate 503 (not ready, draining) is an answer, not a fault.
      isServerFault: error.status >= 500 && error.status !== 503,
    };
  }

  if (isDatabaseUnavailableError(error)) {
    return {
      problem: problemDetails(503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable; retry shortly'),
      headers: { 'retry-after': '5' },
      isServerFault: true,
    };
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status < 500 || status === 503) {
      return {
        problem: problemDetails(status, errorCodeForStatus(status), httpExceptionDetail(error)),
        headers: {},
        isServerFault: false,
      };
    }
  }

  const fastifyError = error as FastifyErrorShape | null;
  const known = typeof fastifyError?.code === 'string' ? FASTIFY_ERRORS[fastifyError.code] : undefined;
  if (known) {
    return {
      problem: problemDetails(ERROR_STATUS[known.code], known.code, known.detail),
      headers: {},
      isServerFault: false,
    };
  }
  // Other client errors raised by Fastify or its plugins carry a 4xx statusCode and a safe message.
  if (
    fastifyError &&
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const status = fastifyError.statusCode;
    const detail = typeof fastifyError.message === 'string' ? fastifyError.message : 'Bad request';
    return { problem: problemDetails(status, errorCodeForStatus(status), detail), headers: {}, isServerFault: false };
  }

  // Anything else is a bug: the client learns nothing about it beyond the request id it can report.
  return {
    problem: problemDetails(500, 'INTERNAL_ERROR', 'An unexpected error occurred'),
    headers: {},
    isServerFault: true,
  };
}

/**
 * The RateLimit header fields of the IETF draft (draft-ietf-httpapi-ratelimit-headers-07) on a 429:
 * nothing left until the reset, and the policy where one limit applies (the per-address rate limit;
 * a lockout has several). Successful answers of rate-limited routes carry them from the throttler.
 */
function rateLimitHeaders(resetSeconds: string, policy: RateLimitPolicy | undefined): Record<string, string> {
  return {
    'ratelimit-remaining': '0',
    'ratelimit-reset': resetSeconds,
    ...(policy
      ? { 'ratelimit-limit': String(policy.limit), 'ratelimit-policy': `${policy.limit};w=${policy.windowSeconds}` }
      : {}),
  };
}

// The codes of a failed bearer check. RFC 6750 section 3.1: a request without a token gets a bare
// challenge; one with a bad token gets error="invalid_token".
const BEARER_CHALLENGES: Partial<Record<ErrorCode, 'missing' | 'invalid_token'>> = {
  UNAUTHORIZED: 'missing',
  TOKEN_EXPIRED: 'invalid_token',
  INVALID_TOKEN: 'invalid_token',
  SESSION_REVOKED: 'invalid_token',
};

function bearerChallenge(error: DomainError): string | undefined {
  const kind = BEARER_CHALLENGES[error.code];
  if (!kind) return undefined;
  if (kind === 'missing') return 'Bearer realm="api"';
  // error_description is a quoted-string of printable ASCII without quotes or backslashes (section 3).
  const description = error.detail.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
  return `Bearer realm="api", error="invalid_token", error_description="${description}"`;
}

function httpExceptionDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return error.message;
}
