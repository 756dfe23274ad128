import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DomainError } from '../common/errors/domain.error';
import { PrismaService } from '../prisma/prisma.service';
import { RedisConnection } from '../redis/redis.module';

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
  ) {}

  liveness(): Promise<HealthCheckResult> {
    return this.reportShutdown(this.health.check([]));
  }

  async readiness(): Promise<HealthCheckResult> {
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
    return this.reportShutdown(this.health.check(results.map((result) => () => result)));
  }

  // Terminus fails every check once shutdown began, so the load balancer stops routing here while in-flight requests drain.
  private async reportShutdown(check: Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      return await check;
    } catch (error) {
      if (error instanceof ServiceUnavailableException)
        throw new DomainError('SERVICE_UNAVAILABLE', 'Not ready: shutting down');
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
