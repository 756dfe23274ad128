/** Every route lives under this prefix except /docs and /.well-known. */
export const API_PREFIX = 'api/v1';
export const REQUEST_ID_HEADER = 'x-request-id';
