/** The health routes, which an orchestrator polls every few seconds: neither logged nor traced. */
export function isHealthProbe(url: string): boolean {
  return /\/health(\/ready)?\/?$/.test(withoutQuery(url));
}

/** Query strings can carry one-time tokens from links; the path is enough to follow a request. */
export function withoutQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
