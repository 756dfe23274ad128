/** Every route lives under this prefix except /docs and /.well-known. */
export const API_PREFIX = 'api/v1';
export const REQUEST_ID_HEADER = 'x-request-id';
/** Prometheus metrics, outside the API prefix where scrapers look for them. */
export const METRICS_PATH = 'metrics';
