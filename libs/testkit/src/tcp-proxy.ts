import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * What a cut proxy does with connections opened while it is cut:
 * - `reset`: accepts and destroys them at once (a server restarting: the client fails fast);
 * - `hold`: accepts and never answers (a partition: the client waits for its own timeout).
 *   Held connections are destroyed on `restore`, so the client retries on a live path.
 */
export type CutMode = 'reset' | 'hold';

export interface TcpProxyOptions {
  /** Where connections are forwarded. */
  targetHost: string;
  targetPort: number;
  /** Loopback port to listen on; 0 (the default) lets the kernel pick a free one. */
  port?: number;
}

/**
 * A TCP proxy on 127.0.0.1 that forwards to one target and can cut the path and restore it:
 * a dependency that becomes unreachable for a while (PostgreSQL restarted or partitioned away)
 * without touching the real server, which other tests share.
 */
export class TcpProxy {
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private readonly held = new Set<Socket>();
  private cutMode: CutMode | undefined;
  /** Connections forwarded since start (reconnects are visible as more). */
  connections = 0;
  /** Connections reset or held while cut. */
  refused = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: TcpProxyOptions,
  ) {}

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    const proxy = new TcpProxy(server, port, options);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** Whether the path is cut. */
  get isCut(): boolean {
    return this.cutMode !== undefined;
  }

  /** Connections being forwarded right now. */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** `url` with its host and port replaced by the proxy's (credentials, database and query kept). */
  rewriteUrl(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Closes every open connection; new ones are reset or held (see `CutMode`) until `restore`. */
  cut(mode: CutMode = 'reset'): void {
    this.cutMode = mode;
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** Forwards new connections again; connections held while cut are closed. */
  restore(): void {
    this.cutMode = undefined;
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  /** Stops listening and closes every connection. */
  async stop(): Promise<void> {
    this.cut('reset');
    this.restore();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.cutMode === 'reset') {
      this.refused += 1;
      client.resetAndDestroy();
      return;
    }
    if (this.cutMode === 'hold') {
      this.refused += 1;
      this.held.add(client);
      client.on('close', () => this.held.delete(client));
      return;
    }
    this.connections += 1;
    client.pause();
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    const pair = { client, upstream };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    upstream.on('close', close);
    client.on('close', close);
    upstream.once('connect', () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }
}
