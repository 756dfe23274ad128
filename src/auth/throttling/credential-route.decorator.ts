import { applyDecorators, SetMetadata } from '@nestjs/common';
import { DocumentAsCredentialRoute } from '../../common/openapi/document-conventions';

export const IS_CREDENTIAL_ROUTE_KEY = 'isCredentialRoute';

/**
 * Puts a route under the per-client rate limit of credential routes (THROTTLE_AUTH_LIMIT requests
 * per THROTTLE_AUTH_TTL per address and route, 429 RATE_LIMITED), in code and in OpenAPI.
 */
export const CredentialRoute = () =>
  applyDecorators(SetMetadata(IS_CREDENTIAL_ROUTE_KEY, true), DocumentAsCredentialRoute());
