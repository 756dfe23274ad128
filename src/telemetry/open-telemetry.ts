import { Logger } from '@nestjs/common';
import { diag, DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import {
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import { BatchSpanProcessor, ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OtlpExport, TracingConfig } from '../config/tracing-config';
import { METRICS_PATH } from '../common/http/http-constants';
import { isHealthProbe, withoutQuery } from '../common/http/request-paths';

const FLUSH_LIMIT_MS = 2_000;

/** The span attributes that can hold a request's query string: a reset token or an authorization code. */
const URL_ATTRIBUTES = ['http.target', 'http.url', 'url.full'] as const;

/**
 * Query strings never leave in a span: the hosted pages receive reset and verification tokens in
 * theirs, the single sign-on callback an authorization code. Runs before the exporting processor.
 */
class QueryRedaction implements SpanProcessor {
  onStart(span: Span): void {
    for (const key of URL_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value === 'string') span.setAttribute(key, withoutQuery(value));
    }
    if (span.attributes['url.query'] !== undefined) span.setAttribute('url.query', 'REDACTED');
  }
  onEnd(_span: ReadableSpan): void {}
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const REPEAT_AFTER_MS = 60_000;

/**
 * The SDK's own warnings and errors (a collector that refuses or cannot be reached) into the service's
 * log, each distinct message at most once a minute: a failing export otherwise repeats every batch.
 */
class ThrottledDiagnostics implements DiagLogger {
  private readonly lastLogged = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  error(message: string, ...details: unknown[]): void {
    this.log(message, details);
  }
  warn(message: string, ...details: unknown[]): void {
    this.log(message, details);
  }
  info(): void {}
  debug(): void {}
  verbose(): void {}

  private log(message: string, details: unknown[]): void {
    const text = [message, ...details].map(readable).join(' ');
    const now = Date.now();
    if (now - (this.lastLogged.get(text) ?? -Infinity) < REPEAT_AFTER_MS) return;
    this.lastLogged.set(text, now);
    this.logger.warn(`Trace export: ${text}`);
  }
}

/** An error's message: the SDK hands some over as the JSON of the error, stack included. */
function readable(item: unknown): string {
  if (item instanceof Error) return item.message;
  if (typeof item !== 'string') return String(item);
  try {
    const parsed: unknown = JSON.parse(item);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) return String(parsed.message);
  } catch {
    // Not JSON: the message itself.
  }
  return item;
}

function exporterFor(target: OtlpExport) {
  const options = { url: target.tracesUrl, headers: { ...target.headers } };
  return target.protocol === 'http/json' ? new OtlpJsonExporter(options) : new OtlpProtobufExporter(options);
}

/**
 * The tracer provider, its OTLP exporter and the instrumentations of node:http (server spans, and
 * client spans inside a traced request), pg and ioredis (only inside a traced request, so background
 * jobs such as the revocation resync do not each open a trace). Health probes and /metrics are not
 * traced. Sampling, propagation and extra resource attributes follow the SDK's standard variables
 * (OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS, OTEL_RESOURCE_ATTRIBUTES).
 */
export function startOpenTelemetry(config: TracingConfig & { export: OtlpExport }) {
  diag.setLogger(new ThrottledDiagnostics(new Logger('OpenTelemetry')), DiagLogLevel.WARN);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }).merge(
      detectResources({ detectors: [envDetector, hostDetector, processDetector] }),
    ),
    spanProcessors: [new QueryRedaction(), new BatchSpanProcessor(exporterFor(config.export))],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: ({ url = '' }) => isHealthProbe(url) || withoutQuery(url) === `/${METRICS_PATH}`,
        requireParentforOutgoingSpans: true,
      }),
      new PgInstrumentation({ requireParentSpan: true }),
      // Keys name users and addresses (rate-limit and lockout counters): record the command alone.
      new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
    ],
  });
  return {
    async shutdown(): Promise<void> {
      unregister();
      // A collector that does not answer must not hold the exit past the shutdown grace.
      await Promise.race([provider.shutdown(), sleep(FLUSH_LIMIT_MS)]);
    },
  };
}
