import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { AppConfig } from '../config/app-config';
import { Prisma, PrismaClient } from '../generated/prisma/client';

/** An open transaction, and a place for effects that must happen only once it has committed. */
export interface Transaction {
  readonly client: Prisma.TransactionClient;
  /** Runs `effect` right after the commit; never when the transaction rolls back. */
  afterCommit(effect: () => void): void;
}

/**
 * The Prisma client on a pg pool. It connects lazily, so the service boots while the database
 * is down and recovers by itself when it returns; the pool is closed only after HTTP has drained.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(config: AppConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.database.url,
        max: config.database.poolSize,
        connectionTimeoutMillis: config.database.connectTimeoutSeconds * 1000,
        idleTimeoutMillis: 30_000,
      }),
    });
  }

  /** Runs `work` in one transaction, then the effects it registered with afterCommit. */
  async transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    const effects: Array<() => void> = [];
    const result = await this.$transaction((client) =>
      work({ client, afterCommit: (effect) => void effects.push(effect) }),
    );
    for (const effect of effects) effect();
    return result;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
