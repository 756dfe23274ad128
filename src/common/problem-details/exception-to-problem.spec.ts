import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { DomainError } from '../errors/domain.error';
import { exceptionToProblem } from './exception-to-problem';

describe('exceptionToProblem', () => {
  it('maps a domain error to its code, status and detail', () => {
    const { problem, headers, isServerFault } = exceptionToProblem(
      new DomainError('VALIDATION_FAILED', 'The request is not valid', {
        errors: [{ field: 'email', message: 'must be an email' }],
      }),
    );
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The request is not valid',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'email', message: 'must be an email' }],
    });
    expect(headers).toEqual({});
    expect(isServerFault).toBe(false);
  });

  it('sends Retry-After in whole seconds, at least one, with the RateLimit fields of a 429', () => {
    expect(
      exceptionToProblem(new DomainError('TOO_MANY_ATTEMPTS', 'locked', { retryAfterSeconds: 0.2 })).headers,
    ).toEqual({ 'retry-after': '1', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' });
    expect(
      exceptionToProblem(
        new DomainError('RATE_LIMITED', 'slow down', {
          retryAfterSeconds: 59.1,
          rateLimit: { limit: 10, windowSeconds: 60 },
        }),
      ).headers,
    ).toEqual({
      'retry-after': '60',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '60',
      'ratelimit-limit': '10',
      'ratelimit-policy': '10;w=60',
    });
  });

  it('challenges a failed bearer check (RFC 6750), and nothing else', () => {
    expect(exceptionToProblem(new DomainError('UNAUTHORIZED', 'no token')).headers).toEqual({
      'www-authenticate': 'Bearer realm="api"',
    });
    expect(exceptionToProblem(new DomainError('TOKEN_EXPIRED', 'Access token "x" expired\n')).headers).toEqual({
      'www-authenticate': 'Bearer realm="api", error="invalid_token", error_description="Access token x expired"',
    });
    expect(exceptionToProblem(new DomainError('INVALID_CREDENTIALS', 'wrong')).headers).toEqual({});
  });

  it('maps a database outage to 503 SERVICE_UNAVAILABLE and logs it', () => {
    const outage = { code: 'P1001', message: "Can't reach database server at db:5432" };
    const { problem, headers, isServerFault } = exceptionToProblem(outage);
    expect(problem.status).toBe(503);
    expect(problem.code).toBe('SERVICE_UNAVAILABLE');
    expect(problem.detail).not.toContain('db:5432');
    expect(headers['retry-after']).toBe('5');
    expect(isServerFault).toBe(true);
  });

  it('maps Nest HTTP exceptions to the generic code of their status', () => {
    expect(exceptionToProblem(new NotFoundException('Cannot GET /x')).problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'Cannot GET /x',
    });
    expect(exceptionToProblem(new BadRequestException(['a', 'b'])).problem).toMatchObject({
      status: 400,
      detail: 'a; b',
    });
    expect(exceptionToProblem(new ServiceUnavailableException()).problem).toMatchObject({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'MALFORMED_REQUEST'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('maps Fastify error %s to %i %s', (fastifyCode, status, code) => {
    expect(exceptionToProblem({ code: fastifyCode, statusCode: status, message: 'x' }).problem).toMatchObject({
      status,
      code,
    });
  });

  it('turns anything else into a 500 that reveals nothing', () => {
    const { problem, isServerFault } = exceptionToProblem(
      new Error('relation "users" does not exist at /srv/app.js:10'),
    );
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL_ERROR',
    });
    expect(isServerFault).toBe(true);
  });

  it('does not trust a 5xx HttpException message', () => {
    const { problem } = exceptionToProblem({ statusCode: 502, message: 'upstream 10.0.0.7 refused' });
    expect(problem.status).toBe(500);
    expect(problem.detail).toBe('An unexpected error occurred');
  });
});
