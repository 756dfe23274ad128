import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, on a registry of its own (not prom-client's global one), so two
 * applications in one process (the tests) never count into each other. Features record into it; the
 * exposition is MetricsController or MetricsServer.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  /** By the route's pattern (`/api/v1/users/:id`), never the raw URL, so the label set stays bounded. */
  readonly httpRequests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long each took',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Every committed audit event: LOGIN_SUCCEEDED, LOGIN_FAILED, LOGIN_LOCKED, REFRESH_TOKEN_REUSED, ... */
  readonly authEvents = new Counter({
    name: 'auth_events_total',
    help: 'Security events recorded in the audit trail, by type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  readonly refreshes = new Counter({
    name: 'auth_refreshes_total',
    help: 'Refresh-token exchanges by outcome: rotated, reused (the session was revoked), invalid',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Set by the Redis connection when REDIS_URL is; absent otherwise. */
  readonly redisConnected = new Gauge({
    name: 'redis_connected',
    help: '1 while the shared Redis connection is ready, 0 while it is not',
    registers: [this.registry],
  });

  /** Node's own: event-loop lag, heap, GC, handles, CPU and resident memory (prom-client's defaults). */
  collectProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }
}
