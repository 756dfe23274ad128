import { OTLP_PROTOCOLS, VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where finished spans go: an OTLP/HTTP collector. */
export interface OtlpExport {
  /** The traces endpoint itself: the configured base with `/v1/traces` appended, as the OTLP spec says. */
  readonly tracesUrl: string;
  readonly protocol: OtlpProtocol;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TracingConfig {
  /** Undefined: tracing is off and costs nothing. */
  readonly export: OtlpExport | undefined;
  readonly serviceName: string;
}

export function readTracingConfig(read: EnvironmentReader): TracingConfig {
  const endpoint = read.url(VARIABLES.OTEL_EXPORTER_OTLP_ENDPOINT);
  const protocol = read.oneOf(VARIABLES.OTEL_EXPORTER_OTLP_PROTOCOL);
  const headers = parseOtlpHeaders(read, read.optionalText(VARIABLES.OTEL_EXPORTER_OTLP_HEADERS));
  const serviceName = read.text(VARIABLES.OTEL_SERVICE_NAME);
  if (endpoint === undefined) return { export: undefined, serviceName };
  return { export: { tracesUrl: `${endpoint.replace(/\/+$/, '')}/v1/traces`, protocol, headers }, serviceName };
}

/** `key1=value1,key2=value2`, values percent-encoded (the OpenTelemetry SDKs' format for this variable). */
function parseOtlpHeaders(read: EnvironmentReader, text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    if (pair.trim() === '') continue;
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator).trim().toLowerCase();
    if (separator <= 0 || !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) {
      // The pair may hold a key: never echo it.
      read.problems.push('OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas');
      return {};
    }
    try {
      headers[name] = decodeURIComponent(pair.slice(separator + 1).trim());
    } catch {
      read.problems.push(`OTEL_EXPORTER_OTLP_HEADERS: the value of ${name} is not percent-encoded correctly`);
      return {};
    }
  }
  return headers;
}
