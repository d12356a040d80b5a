import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

/** How the local REST server answers one `GET /api/v3/depth`. */
export interface DepthReply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  /** A JSON value, or raw text. */
  readonly body: unknown;
}

export interface DepthRequest {
  readonly symbol: string;
  readonly limit: number;
  readonly atMs: number;
}

/**
 * A local stand-in for Binance's public endpoints, speaking the documented protocol: the
 * combined-stream WebSocket (`/stream?streams=a/b/c`, frames `{stream, data}`) and the REST depth
 * snapshot. Tests script what it sends and how it answers.
 */
export class BinanceTestServer {
  readonly connections: { socket: WebSocket; path: string; streams: string[] }[] = [];
  readonly depthRequests: DepthRequest[] = [];
  /** The answer to the n-th depth request (0-based) for a symbol; 404 with Binance's error body by default. */
  onDepth: (symbol: string, n: number) => DepthReply | Promise<DepthReply> = () => ({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly httpServer: http.Server,
  ) {
    wss.on('connection', (socket, request) => {
      const url = new URL(request.url ?? '/', 'ws://localhost');
      this.connections.push({ socket, path: url.pathname, streams: (url.searchParams.get('streams') ?? '').split('/').filter(Boolean) });
    });
    httpServer.on('request', (req, res) => void this.answer(req, res));
  }

  static async start(): Promise<BinanceTestServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const httpServer = http.createServer();
    httpServer.listen(0, '127.0.0.1');
    await once(httpServer, 'listening');
    return new BinanceTestServer(wss, httpServer);
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${(this.httpServer.address() as AddressInfo).port}`;
  }

  /** The newest connection that is still open. */
  get current(): WebSocket | undefined {
    const open = this.connections.filter((c) => c.socket.readyState === 1);
    return open.at(-1)?.socket;
  }

  /** Sends one combined-stream frame on the newest open connection. */
  send(stream: string, data: unknown): void {
    this.sendRaw(JSON.stringify({ stream, data }));
  }

  sendRaw(text: string): void {
    const socket = this.current;
    if (!socket) throw new Error('no open connection to send on');
    socket.send(text);
  }

  /** Drops every connection without a close handshake, as a network failure would. */
  dropAll(): void {
    for (const c of this.connections) c.socket.terminate();
  }

  depthRequestsFor(symbol: string): DepthRequest[] {
    return this.depthRequests.filter((r) => r.symbol === symbol);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.httpServer.closeAllConnections();
    await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v3/depth') {
      res.writeHead(404).end();
      return;
    }
    const symbol = url.searchParams.get('symbol') ?? '';
    const n = this.depthRequestsFor(symbol).length;
    this.depthRequests.push({ symbol, limit: Number(url.searchParams.get('limit')), atMs: Date.now() });
    const reply = await this.onDepth(symbol, n);
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  }
}

/** A spot `depthUpdate` event as Binance sends it. */
export function depthUpdate(symbol: string, U: number, u: number, bids: [string, string][] = [], asks: [string, string][] = [], E = 1_700_000_000_000 + u) {
  return { e: 'depthUpdate', E, s: symbol, U, u, b: bids, a: asks };
}

/** A `GET /api/v3/depth` body. */
export function depthSnapshot(lastUpdateId: number, bids: [string, string][], asks: [string, string][]) {
  return { lastUpdateId, bids, asks };
}

/** A promise with its resolve handle, for answers the test releases at a chosen moment. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
