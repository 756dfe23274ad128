import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AppConfig } from '../../config/app-config';
import { InstanceCount, ServiceInstancesRepository } from './service-instances.repository';

const HEARTBEAT_MS = 10_000;
/** An instance whose row is older than three heartbeats has stopped. */
const LIVE_WINDOW_SECONDS = 30;

/**
 * Each instance keeps a row in service_instances while it runs, so that instances sharing a database
 * without Redis learn of each other: each then counts rate limits and lockouts on its own, so a limit
 * of 20 lets up to 20 per instance through. Warned when the count changes, and reported by readiness.
 */
@Injectable()
export class InstanceRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(InstanceRegistry.name);
  private readonly instance: { id: string; hostname: string; usesRedis: boolean; startedAt: Date };
  private timer: NodeJS.Timeout | undefined;
  private warnedAbout: number | undefined;

  constructor(
    config: AppConfig,
    private readonly instances: ServiceInstancesRepository,
  ) {
    this.instance = {
      id: randomUUID(),
      hostname: hostname(),
      usesRedis: config.redisUrl !== undefined,
      startedAt: new Date(),
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.instances.remove(this.instance.id).catch(() => undefined);
  }

  /** What readiness should report about the instances on this database; undefined when nothing. */
  async problem(): Promise<string | undefined> {
    return describe(await this.instances.countLive(LIVE_WINDOW_SECONDS));
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.instances.beat(this.instance);
      const count = await this.instances.countLive(LIVE_WINDOW_SECONDS);
      const problem = describe(count);
      if (problem && this.warnedAbout !== count.live) this.logger.warn(`${problem}; set REDIS_URL on every instance`);
      this.warnedAbout = problem ? count.live : undefined;
      await this.instances.purgeStale();
    } catch {
      // The database is down: readiness says so; the next heartbeat writes the row again.
    }
  }
}

function describe({ live, withoutRedis }: InstanceCount): string | undefined {
  if (live < 2 || withoutRedis === 0) return undefined;
  return `${live} instances share this database and ${withoutRedis} of them run without Redis: those count rate limits and lockouts on their own`;
}
