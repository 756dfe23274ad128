import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DomainError } from '../common/errors/domain.error';
import { EventLoopWatch } from '../lifecycle/event-loop-watch';
import { ShutdownState } from '../lifecycle/shutdown-state';
import { InstanceRegistry } from './instances/instance-registry';
import { RevokedSessionsService } from '../sessions/revocation/revoked-sessions.service';
import { PrismaService } from '../prisma/prisma.service';
import { RedisConnection } from '../redis/redis.module';
import { SsoProviders } from '../sso/sso-providers';

const shuttingDown = () => new DomainError('SERVICE_UNAVAILABLE', 'Not ready: shutting down');

// A dependency that answers slower than this is as good as down for a load balancer.
const CHECK_TIMEOUT_MS = 2_000;

/** Liveness (the process answers) and readiness (its dependencies answer). */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnection,
    private readonly shutdown: ShutdownState,
    private readonly ssoProviders: SsoProviders,
    private readonly revokedSessions: RevokedSessionsService,
    private readonly instanceRegistry: InstanceRegistry,
    private readonly eventLoop: EventLoopWatch,
  ) {}

  liveness(): Promise<HealthCheckResult> {
    const stalledMs = this.eventLoop.stalledMs();
    if (stalledMs !== undefined) {
      throw new DomainError('SERVICE_UNAVAILABLE', `Not live: the event loop stalled for ${stalledMs} ms`);
    }
    return this.reportShutdown(this.health.check([]));
  }

  async readiness(): Promise<HealthCheckResult> {
    if (this.shutdown.draining) throw shuttingDown();
    const checks: Array<() => PromiseLike<HealthIndicatorResult>> = [() => this.databaseCheck()];
    if (this.redis.client) checks.push(() => this.redisCheck());
    const results = await Promise.all(checks.map((check) => check()));
    const down = results.flatMap((result) =>
      Object.entries(result)
        .filter(([, value]) => value.status === 'down')
        .map(([key]) => key),
    );
    if (down.length > 0) {
      throw new DomainError('SERVICE_UNAVAILABLE', `Not ready: ${down.join(' and ')} unreachable`);
    }
    const ready = await this.reportShutdown(this.health.check(results.map((result) => () => result)));
    return this.withInstances(this.withRevocationChannel(this.withIdentityProviders(ready)));
  }

  /**
   * Providers whose discovery fails are reported, never counted against readiness: an identity
   * provider's outage must not take this instance out of rotation for every other sign-in.
   */
  private withIdentityProviders(ready: HealthCheckResult): HealthCheckResult {
    const problems = this.ssoProviders.problems();
    if (Object.keys(problems).length === 0) return ready;
    return { ...ready, details: { ...ready.details, sso: { status: 'degraded', providers: problems } } };
  }

  /** Reported, not failed: the instance still refuses what the resync brings, only later. */
  private withRevocationChannel(ready: HealthCheckResult): HealthCheckResult {
    const problem = this.revokedSessions.channelProblem();
    if (!problem) return ready;
    return { ...ready, details: { ...ready.details, revocations: { status: 'degraded', problem } } };
  }

  private async withInstances(ready: HealthCheckResult): Promise<HealthCheckResult> {
    const problem = await this.instanceRegistry.problem().catch(() => undefined);
    if (!problem) return ready;
    return { ...ready, details: { ...ready.details, instances: { status: 'degraded', problem } } };
  }

  // From SIGTERM on (and Terminus once the application closes) every check fails, so the load balancer
  // stops routing here while this instance still serves and drains.
  private async reportShutdown(check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      const result = await check;
      if (this.shutdown.draining) throw shuttingDown();
      return result;
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw shuttingDown();
      throw error;
    }
  }

  private databaseCheck(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.prisma.$queryRaw`SELECT 1`;
      })
      .withTimeout(CHECK_TIMEOUT_MS);
  }

  private redisCheck(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('redis')
      .attempt(() => this.redis.ping(CHECK_TIMEOUT_MS))
      .withTimeout(CHECK_TIMEOUT_MS);
  }
}
