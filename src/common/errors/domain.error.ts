import { ERROR_STATUS, ErrorCode } from './error-code';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A limit of `limit` requests per `windowSeconds`. */
export interface RateLimitPolicy {
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * The one error type services throw: a code from the error list and a human-readable detail.
 * Services stay free of HTTP; the problem-details filter turns this into a response.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly extensions: {
      errors?: readonly FieldError[];
      retryAfterSeconds?: number;
      /** The rate limit a 429 ran into, for the RateLimit-* headers. */
      rateLimit?: RateLimitPolicy;
    } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
