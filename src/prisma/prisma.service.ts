import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { PrismaClient } from '../generated/prisma/client';

/**
 * The Prisma client on a pg pool. It connects lazily, so the service boots while the database
 * is down and recovers by itself when it returns; the pool is closed only after HTTP has drained.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(config: AppConfig, metrics: Metrics) {
    const pool = new Pool({
      connectionString: config.database.url,
      max: config.database.poolSize,
      connectionTimeoutMillis: config.database.connectTimeoutSeconds * 1000,
      idleTimeoutMillis: 30_000,
      // PostgreSQL cancels what runs too long; the client stops waiting for what it never answers.
      statement_timeout: config.database.statementTimeoutSeconds * 1000,
      query_timeout: (config.database.statementTimeoutSeconds + 1) * 1000,
    });
    // The pool is made here rather than by the adapter so that its counts can be scraped.
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    metrics.observeDatabasePool(pool, config.database.poolSize);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
