import type { TracingConfig } from '../config/tracing-config';

export interface Tracing {
  /** Exports the spans still buffered, then stops; after the application has closed. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { shutdown: () => Promise.resolve() };

/**
 * OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set. Call it before the application's modules
 * are loaded: the instrumentations wrap pg and ioredis as they are first required. Without an
 * endpoint the SDK is never loaded, so tracing off costs nothing.
 */
export async function startTracing(config: TracingConfig): Promise<Tracing> {
  const target = config.export;
  if (target === undefined) return OFF;
  const { startOpenTelemetry } = await import('./open-telemetry.js');
  return startOpenTelemetry({ ...config, export: target });
}
