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

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.connect(client));
  }

  static async start(targetUrl: string): Promise<TcpProxy> {
    const url = new URL(targetUrl);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
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
    upstream.on('data', (chunk) => {
      if (this.silent) return;
      if (this.delayMs > 0) setTimeout(() => client.write(chunk), this.delayMs);
      else client.write(chunk);
    });
  }
}
