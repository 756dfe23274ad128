import { ALTERNATE_STATUS, ERROR_STATUS, ErrorCode } from './error-code';

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
      /** Extension members of the problem (RFC 9457 section 3.2), as the code's documentation declares them. */
      members?: Readonly<Record<string, unknown>>;
      /** One of the code's ALTERNATE_STATUS, where the contract answers it with that status. */
      status?: number;
    } = {},
  ) {
    super(detail);
    this.name = 'DomainError';
    if (extensions.status !== undefined && !ALTERNATE_STATUS[code]?.includes(extensions.status)) {
      throw new RangeError(`${code} is never answered with ${extensions.status}`);
    }
  }

  get status(): number {
    return this.extensions.status ?? ERROR_STATUS[this.code];
  }
}
