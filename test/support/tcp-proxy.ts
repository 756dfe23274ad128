import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL or Redis that a test can cut (refused), black-hole (half-open),
 * freeze, slow down or restore, to see how the service behaves when a dependency fails and comes back.
 */
export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private accepting = true;
  private delayMs = 0;
  /** Connections are accepted and kept, and nothing passes in either direction. */
  private silent = false;
  /** PostgreSQL's NotificationResponse messages are dropped on their way to the client, as PgBouncer in transaction mode loses them. */
  private droppingNotifications = false;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    /** A PostgreSQL target, whose messages dropNotifications can filter. */
    private readonly postgres: boolean,
  ) {
    this.server = createServer((client) => this.connect(client));
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const postgres = /^postgres(ql)?:$/.test(url.protocol);
    const proxy = new TcpProxy(url.hostname, Number(url.port || (postgres ? 5432 : 6379)), postgres);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The same database URL, routed through this proxy. */
  rewrite(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Drops every open connection and refuses new ones, as a database outage would. */
  cut(): void {
    this.accepting = false;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /**
   * Every connection, open or new, stays up and carries nothing either way: a database or Redis that
   * froze, or a network path that drops packets without resetting anything.
   */
  freeze(): void {
    this.silent = true;
  }

  /** Half-open: open connections are dropped, new ones are accepted and never answered. */
  blackhole(): void {
    this.cut();
    this.accepting = true;
    this.silent = true;
  }

  /** Back to normal. Connections that were silenced are reset, as a partition ends in resets. */
  restore(): void {
    if (this.silent) this.cut();
    this.silent = false;
    this.accepting = true;
  }

  /**
   * Drops every PostgreSQL notification (message type 'A') the server sends, and nothing else: a LISTEN
   * that stays connected and receives nothing. Only for a PostgreSQL target without TLS.
   */
  dropNotifications(dropping: boolean): void {
    this.droppingNotifications = dropping;
  }

  /** Holds every chunk from the database for this long before passing it on. */
  slowDown(delayMs: number): void {
    this.delayMs = delayMs;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connect(client: Socket): void {
    if (!this.accepting) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    this.sockets.add(client).add(upstream);
    if (this.silent) {
      // Accepted, never connected onwards: whatever the client sends goes nowhere.
      client.on('error', () => client.destroy()).on('close', () => this.sockets.delete(client));
      upstream.destroy();
      this.sockets.delete(upstream);
      return;
    }
    const forget = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    upstream.connect(this.targetPort, this.targetHost);
    client.on('data', (chunk) => {
      if (!this.silent) upstream.write(chunk);
    });
    // Message boundaries are tracked from the first byte, so dropping can start mid-connection.
    const messages = this.postgres ? new PostgresMessages() : undefined;
    upstream.on('data', (received: Buffer) => {
      if (this.silent) return;
      const chunk = messages ? messages.pass(received, this.droppingNotifications ? 'A' : undefined) : received;
      if (this.delayMs > 0) setTimeout(() => client.write(chunk), this.delayMs);
      else client.write(chunk);
    });
  }
}

/**
 * Splits what a PostgreSQL server sends into its messages (a type byte, then a length that counts
 * itself), so whole messages of one type can be left out while every other byte passes in order.
 */
class PostgresMessages {
  private pending: Buffer = Buffer.alloc(0);

  /** The whole messages received so far, less those of `dropType`; a partial one waits for its rest. */
  pass(received: Buffer, dropType: string | undefined): Buffer {
    this.pending = this.pending.length === 0 ? received : Buffer.concat([this.pending, received]);
    const kept: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 5) {
      const length = this.pending.readUInt32BE(offset + 1);
      if (this.pending.length - offset < 1 + length) break;
      const message = this.pending.subarray(offset, offset + 1 + length);
      if (String.fromCharCode(message[0]) !== dropType) kept.push(message);
      offset += 1 + length;
    }
    this.pending = Buffer.from(this.pending.subarray(offset));
    return Buffer.concat(kept);
  }
}
