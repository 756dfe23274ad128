import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service';

export interface InstanceCount {
  /** Instances seen within the window, this one included. */
  readonly live: number;
  /** Of those, the ones running without REDIS_URL. */
  readonly withoutRedis: number;
}

/** The owner of service_instances: one row per running instance, refreshed while it runs. */
@Injectable()
export class ServiceInstancesRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts or refreshes this instance's row (one statement: the heartbeat). */
  async beat(instance: { id: string; hostname: string; usesRedis: boolean; startedAt: Date }): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO service_instances (id, hostname, uses_redis, started_at, seen_at)
      VALUES (${instance.id}::uuid, ${instance.hostname}, ${instance.usesRedis}, ${instance.startedAt}, now())
      ON CONFLICT (id) DO UPDATE SET seen_at = now()`;
  }

  /** How many instances refreshed their row within the last `windowSeconds`: one indexed count. */
  async countLive(windowSeconds: number): Promise<InstanceCount> {
    const [row] = await this.prisma.$queryRaw<Array<{ live: number; without_redis: number }>>`
      SELECT count(*)::int AS live, (count(*) FILTER (WHERE NOT uses_redis))::int AS without_redis
      FROM service_instances WHERE seen_at > now() - make_interval(secs => ${windowSeconds})`;
    return { live: row.live, withoutRedis: row.without_redis };
  }

  async remove(id: string): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM service_instances WHERE id = ${id}::uuid`;
  }

  /** Rows of instances that stopped without removing theirs (killed, crashed), after a day. */
  async purgeStale(): Promise<void> {
    await this.prisma.$executeRaw`DELETE FROM service_instances WHERE seen_at < now() - interval '1 day'`;
  }
}
