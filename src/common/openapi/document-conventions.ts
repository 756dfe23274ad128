import { ApiExtension, OpenAPIObject } from '@nestjs/swagger';
import { codesByStatus, documentedCodes, problemResponse } from './api-problem-responses.decorator';
import { ErrorCode } from '../errors/error-code';

/**
 * The global bearer guard, RolesGuard and validation pipe apply to routes without a decorator of
 * their own, so their effects are added to the document here, once, for every route a team writes:
 * security and 401 unless @Public() (then `security: []`), 403 with @Roles(), 400/413/415 wherever
 * Fastify reads a body, and what the router and Node's HTTP parser answer before any route runs.
 */
type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;
type ResponseObject = Exclude<NonNullable<OperationObject['responses'][string]>, { $ref: string }>;

const PUBLIC_MARK = 'x-public';
const ROLES_MARK = 'x-roles';
const CREDENTIAL_ROUTE_MARK = 'x-credential-route';
const WITHOUT_SECOND_FACTOR_MARK = 'x-without-second-factor';

const BEARER_FAILURES: ErrorCode[] = ['UNAUTHORIZED', 'TOKEN_EXPIRED', 'INVALID_TOKEN', 'SESSION_REVOKED'];
// Fastify parses the body of these methods whether or not the route reads one: malformed JSON, an
// oversize or a non-JSON body is refused before the route runs.
const BODY_METHODS: ReadonlySet<string> = new Set(['post', 'put', 'patch', 'delete']);
const BODY_PARSER_FAILURES: ErrorCode[] = ['MALFORMED_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
// Node's HTTP parser refuses headers over 16 KiB, and a request not received within HTTP_REQUEST_TIMEOUT,
// on any route; Fastify's router, a path parameter over maxParamLength (100 characters) on any route that
// has one.
const ANY_ROUTE_FAILURES: ErrorCode[] = ['HEADERS_TOO_LARGE', 'REQUEST_TIMEOUT'];
const PATH_PARAMETER_FAILURES: ErrorCode[] = ['URI_TOO_LONG'];
const BEARER_CHALLENGE = {
  description:
    'RFC 6750 section 3: `Bearer realm="api"` without a token; with a bad, expired or revoked one also ' +
    '`error="invalid_token"` and `error_description`.',
  schema: { type: 'string', maxLength: 512 },
};
const seconds = (description: string) => ({
  description,
  schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 2_147_483_647 },
});
/** What every 429 answer carries (src/common/problem-details/exception-to-problem.ts). */
const RATE_LIMIT_HEADERS = {
  'Retry-After': seconds('Seconds until a retry can succeed.'),
  'RateLimit-Remaining': seconds('Requests left in the window: 0.'),
  'RateLimit-Reset': seconds('Seconds until the window resets (as Retry-After).'),
  'RateLimit-Limit': seconds('Requests allowed per window; with RATE_LIMITED (one policy), not with a lockout.'),
  'RateLimit-Policy': {
    description: 'The policy as `<limit>;w=<window seconds>`, with RATE_LIMITED.',
    schema: { type: 'string', maxLength: 64 },
  },
};
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** Marks a route (or controller) as needing no access token, for the document. */
export const DocumentAsPublic = () => ApiExtension(PUBLIC_MARK, true);

/** Marks a route (or controller) as restricted to roles, for the document. */
export const DocumentRoles = (roles: readonly string[]) => ApiExtension(ROLES_MARK, [...roles]);

/** Marks a route (or controller) as open to accounts that must still enrol a second factor, for the document. */
export const DocumentAsAllowedWithoutSecondFactor = () => ApiExtension(WITHOUT_SECOND_FACTOR_MARK, true);

/** Marks a route as rate limited per client (429 RATE_LIMITED), for the document. */
export const DocumentAsCredentialRoute = () => ApiExtension(CREDENTIAL_ROUTE_MARK, true);

export function applyGuardConventions(document: OpenAPIObject, bearerScheme: string): OpenAPIObject {
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!operation) continue;
      const isPublic = operation[PUBLIC_MARK] === true;
      const roles = operation[ROLES_MARK] as string[] | undefined;
      delete operation[PUBLIC_MARK];
      delete operation[ROLES_MARK];
      if (operation[CREDENTIAL_ROUTE_MARK] === true) addProblemCodes(operation, ['RATE_LIMITED']);
      delete operation[CREDENTIAL_ROUTE_MARK];
      const withoutSecondFactor = operation[WITHOUT_SECOND_FACTOR_MARK] === true;
      delete operation[WITHOUT_SECOND_FACTOR_MARK];

      if (isPublic) operation.security = [];
      else {
        operation.security = [{ [bearerScheme]: [] }];
        addProblemCodes(operation, BEARER_FAILURES);
        const unauthorized = operation.responses['401'] as ResponseObject;
        unauthorized.headers = { 'WWW-Authenticate': BEARER_CHALLENGE };
        // With MFA_REQUIRED_ROLES, an account of such a role whose session has no second factor yet.
        if (!withoutSecondFactor) addProblemCodes(operation, ['MFA_ENROLLMENT_REQUIRED']);
      }
      if (roles && roles.length > 0) {
        operation.description = [operation.description, `Requires the role ${roles.join(' or ')}.`]
          .filter(Boolean)
          .join('\n\n');
        addProblemCodes(operation, ['FORBIDDEN']);
      }
      // The global pipe validates bodies, query and path parameters.
      if (operation.requestBody || operation.parameters?.length) addProblemCodes(operation, ['VALIDATION_FAILED']);
      if (BODY_METHODS.has(method)) addProblemCodes(operation, BODY_PARSER_FAILURES);
      if (path.includes('{')) addProblemCodes(operation, PATH_PARAMETER_FAILURES);
      addProblemCodes(operation, ANY_ROUTE_FAILURES);
      const tooMany = operation.responses['429'] as ResponseObject | undefined;
      if (tooMany) tooMany.headers = { ...tooMany.headers, ...RATE_LIMIT_HEADERS };
    }
  }
  return document;
}

function addProblemCodes(operation: OperationObject, codes: readonly ErrorCode[]): void {
  for (const [status, statusCodes] of codesByStatus(codes)) {
    const merged = [...new Set([...documentedCodes(operation.responses[status]), ...statusCodes])];
    operation.responses[status] = problemResponse(status, merged);
  }
}
