import { STATUS_CODES } from 'node:http';
import { ErrorCode } from '../errors/error-code';
import { FieldError } from '../errors/domain.error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** An RFC 9457 problem details body, with our `code` (and `errors` for validation) as extensions. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: readonly FieldError[];
  requestId?: string;
  /** Extension members a code declares (MFA_REQUIRED: mfaToken, methods). */
  [member: string]: unknown;
}

export function problemDetails(
  status: number,
  code: ErrorCode,
  detail: string,
  errors?: readonly FieldError[],
  members: Readonly<Record<string, unknown>> = {},
): ProblemDetails {
  return {
    ...members,
    type: 'about:blank',
    // With type about:blank, RFC 9457 section 4.2.1 makes the title the status phrase.
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}
