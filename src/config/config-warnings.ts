import { AppConfig } from './app-config';

/** Settings that are allowed but deserve the operator's attention, logged once at boot. */
export function configWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  const { signing } = config.accessToken;
  if (signing.algorithm === 'HS256' && signing.secretGenerated) {
    warnings.push('JWT_ACCESS_SECRET is unset: using a per-process secret, so tokens do not survive a restart');
  }
  if (config.http.trustProxy.kind === 'all') {
    warnings.push(
      'TRUST_PROXY=true believes every X-Forwarded-For entry, so unless the proxy in front replaces the header ' +
        'each client picks its own address (and its own rate limit and lockout); set the number of proxies ' +
        '(TRUST_PROXY=1) or their addresses (TRUST_PROXY=10.0.0.0/8) instead',
    );
  }
  if (
    config.isProduction &&
    !config.http.serviceUrlConfigured &&
    config.accessToken.issuer === config.http.serviceUrl
  ) {
    warnings.push(
      `SERVICE_URL is unset: access tokens name ${config.http.serviceUrl} as their issuer, which resource servers ` +
        'pin and every instance must agree on; set SERVICE_URL (or JWT_ISSUER) to the URL clients reach the service at',
    );
  }
  return warnings;
}
