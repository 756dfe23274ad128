import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Client, Notification } from 'pg';
import { AppConfig } from '../../config/app-config';
import { Prisma } from '../../generated/prisma/client';
import { PrismaService } from '../../prisma/prisma.service';

const CHANNEL = 'session_revoked';
const RECONNECT_DELAY_MS = 1_000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * The sessions revoked within the last access-token lifetime, held in memory on every instance so
 * the bearer check refuses their access tokens without a database query. Revocations travel
 * between instances through Postgres NOTIFY, sent in the revoking transaction (so only committed
 * revocations are announced); after a lost connection the set is reloaded from the table.
 */
@Injectable()
export class RevokedSessionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevokedSessionsService.name);
  private readonly revokedUntil = new Map<string, number>();
  private listener: Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly retentionMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly config: AppConfig,
  ) {
    // An access token outlives its session's revocation by at most its own lifetime plus clock skew.
    this.retentionMs = (config.accessToken.ttlSeconds + 60) * 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS).unref();
    await this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
  }

  isRevoked(sessionId: string): boolean {
    const until = this.revokedUntil.get(sessionId);
    return until !== undefined && until > Date.now();
  }

  /** Queues the announcement to every instance; Postgres delivers it only if the transaction commits. */
  async announceOnCommit(sessionIds: readonly string[], transaction: Prisma.TransactionClient): Promise<void> {
    if (sessionIds.length === 0) return;
    await transaction.$executeRaw`SELECT pg_notify(${CHANNEL}, ${sessionIds.join(',')})`;
  }

  /** Refuses the sessions' access tokens on this instance at once, without waiting for the notification. */
  remember(sessionIds: readonly string[]): void {
    const until = Date.now() + this.retentionMs;
    for (const id of sessionIds) this.revokedUntil.set(id, until);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.config.database.url });
    client.on('notification', (message: Notification) => {
      if (message.channel === CHANNEL && message.payload) this.remember(message.payload.split(','));
    });
    client.on('error', (error) => {
      this.logger.warn(`Revocation listener lost its connection: ${error.message}`);
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
      // Listen first, then load: a revocation committed in between is seen at least once.
      await this.reload();
    } catch (error) {
      this.logger.warn(`Revocation listener could not start: ${(error as Error).message}; retrying`);
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: Client): void {
    if (this.stopped || this.reconnectTimer) return;
    void client.end().catch(() => undefined);
    if (this.listener === client) this.listener = undefined;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen();
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }

  private async reload(): Promise<void> {
    const since = new Date(Date.now() - this.retentionMs);
    const rows = await this.prisma.session.findMany({ where: { revokedAt: { gt: since } }, select: { id: true } });
    this.remember(rows.map((row) => row.id));
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, until] of this.revokedUntil) if (until <= now) this.revokedUntil.delete(id);
  }
}
