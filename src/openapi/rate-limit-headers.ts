import { OpenAPIObject } from '@nestjs/swagger';
import { documentedCodes } from '../common/openapi/api-problem-responses.decorator';

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = Exclude<NonNullable<OperationObject['responses'][string]>, { $ref: string }>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * @nestjs/throttler's guard sets these on every answer of a rate-limited route once the request has
 * passed it (CredentialThrottlerGuard), successes and errors alike.
 */
const THROTTLER_HEADERS = {
  'RateLimit-Limit': 'Requests allowed from this client address per window (THROTTLE_AUTH_LIMIT)',
  'RateLimit-Remaining': 'Requests left in the current window',
  'RateLimit-Reset': 'Seconds until the current window ends',
} as const;

// Answered before the throttler runs (Node's parser, the router, the body parser), or 429 itself.
const BEFORE_THE_THROTTLER = new Set(['413', '414', '415', '429', '431']);

/**
 * Declares the throttler's headers on the 2xx and 4xx answers of every route that documents 429
 * RATE_LIMITED. They are optional: a 400 MALFORMED_REQUEST or a 401 of the bearer check is answered
 * before the throttler, under the same status as answers that carry them.
 */
export function documentRateLimitHeaders(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.headers = {
    ...components.headers,
    ...Object.fromEntries(
      Object.entries(THROTTLER_HEADERS).map(([name, description]) => [
        name,
        { description, schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 } },
      ]),
    ),
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation || !documentedCodes(operation.responses['429']).includes('RATE_LIMITED')) continue;
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!/^[24]/.test(status) || BEFORE_THE_THROTTLER.has(status)) continue;
        const declared = response as ResponseObject;
        declared.headers = {
          ...declared.headers,
          ...Object.fromEntries(
            Object.keys(THROTTLER_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]),
          ),
        };
      }
    }
  }
  return document;
}
