import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What pg's Pool counts of its connections. */
export interface DatabasePoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

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

  /**
   * On each instance, from another's revocation of a session (its clock) until this one refuses the
   * session's access tokens: through the channel (NOTIFY or Redis), or with the resync when the
   * announcement never arrived. Its tail is how long a revoked access token may still be accepted.
   */
  readonly revocationPropagation = new Histogram({
    name: 'auth_revocation_propagation_seconds',
    help: "From a session's revocation on one instance until another refuses its access tokens, by how it arrived",
    labelNames: ['via'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });

  /** Set by the Redis connection when REDIS_URL is; absent otherwise. */
  readonly redisConnected = new Gauge({
    name: 'redis_connected',
    help: '1 while the shared Redis connection is ready, 0 while it is not',
    registers: [this.registry],
  });

  /** What the PostgreSQL pool holds, read at each scrape once observeDatabasePool has named the pool. */
  private databasePool: DatabasePoolCounts | undefined;

  readonly databasePoolConnections = new Gauge({
    name: 'db_pool_connections',
    help: 'PostgreSQL pool connections: busy (lent to a query or transaction) or idle',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const pool = this.databasePool;
      if (pool === undefined) return;
      this.databasePoolConnections.set({ state: 'busy' }, pool.totalCount - pool.idleCount);
      this.databasePoolConnections.set({ state: 'idle' }, pool.idleCount);
    },
  });

  readonly databasePoolWaiting = new Gauge({
    name: 'db_pool_waiting_requests',
    help: 'Queries and transactions waiting for a PostgreSQL connection because every one is busy',
    registers: [this.registry],
    collect: () => {
      if (this.databasePool) this.databasePoolWaiting.set(this.databasePool.waitingCount);
    },
  });

  readonly databasePoolSize = new Gauge({
    name: 'db_pool_max_connections',
    help: 'The most connections the PostgreSQL pool opens (DATABASE_POOL_SIZE)',
    registers: [this.registry],
  });

  observeDatabasePool(pool: DatabasePoolCounts, size: number): void {
    this.databasePool = pool;
    this.databasePoolSize.set(size);
  }

  /** Node's own: event-loop lag, heap, GC, handles, CPU and resident memory (prom-client's defaults). */
  collectProcessMetrics(): this {
    collectDefaultMetrics({ register: this.registry });
    return this;
  }
}
