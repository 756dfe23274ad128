import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';
import { checkSecret } from './secret-config';

export type AuditExportConfig =
  | { readonly kind: 'off' }
  | { readonly kind: 'stdout' }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: Buffer };

export function readAuditExportConfig(read: EnvironmentReader, production: boolean): AuditExportConfig {
  const kind = read.oneOf(VARIABLES.AUDIT_EXPORT);
  const url = read.url(VARIABLES.AUDIT_WEBHOOK_URL);
  const secret = read.raw(VARIABLES.AUDIT_WEBHOOK_SECRET);
  if (kind !== 'webhook') return { kind };
  if (!url) read.problems.push('AUDIT_WEBHOOK_URL is required with AUDIT_EXPORT=webhook');
  if (secret === undefined) read.problems.push('AUDIT_WEBHOOK_SECRET is required with AUDIT_EXPORT=webhook');
  else checkSecret(read, VARIABLES.AUDIT_WEBHOOK_SECRET, secret, production);
  return { kind, url: url ?? '', secret: Buffer.from(secret ?? '', 'utf8') };
}
