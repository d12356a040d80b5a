import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { LatencyModel, SimulatedExchange, SimUpdate } from '../types';
import { OkxDesk } from './desk';
import { OkxServerConfigError } from './errors';
import { OkxFaults } from './faults';
import type { OkxApiKey } from './keys';
import { PrivateConnection } from './private-ws';
import { SlidingWindowCounters } from './rate-limits';
import { handleRest } from './rest';
import type { RestContext } from './rest';

export interface OkxServerOptions {
  readonly exchange: SimulatedExchange;
  readonly keys: readonly OkxApiKey[];
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Enforce OKX's published rate limits (default true). */
  readonly rateLimits?: boolean;
  /** Wall clock in ms, for timestamps and the 30 s signature window; default `Date.now`. */
  readonly clock?: () => number;
  /** Time each REST request takes to reach the exchange, drawn per request. */
  readonly latency?: LatencyModel;
  /** The latency model's random source (seed it for a repeatable run); default `Math.random`. */
  readonly random?: () => number;
  /** A private connection that sends nothing for this long is closed (OKX: 30 s). */
  readonly idleTimeoutMs?: number;
}

export const OKX_PRIVATE_WS_PATH = '/ws/v5/private';

/**
 * A local server that speaks OKX v5 over a `SimulatedExchange`: the REST trade, account and
 * public-instrument endpoints and the private WebSocket, both on one port, authenticated and
 * rate-limited as OKX documents, with faults injectable at run time (`faults`).
 */
export class OkxServer {
  readonly faults = new OkxFaults();
  private readonly connections = new Set<{ socket: WebSocket; connection: PrivateConnection }>();
  private readonly listeners = new Map<string, Set<(update: SimUpdate) => void>>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly subscribedAccounts = new Set<string>();
  private readonly answered = new Map<string, number>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
    readonly host: string,
  ) {}

  static async start(options: OkxServerOptions): Promise<OkxServer> {
    if (options.keys.length === 0) throw new OkxServerConfigError('keys', [], 'at least one API key is needed');
    const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
    if (!(idleTimeoutMs > 0)) throw new OkxServerConfigError('idleTimeoutMs', idleTimeoutMs, 'must be positive');
    const port = options.port ?? 0;
    if (!(Number.isInteger(port) && port >= 0 && port < 65_536)) throw new OkxServerConfigError('port', port, 'must be an integer in [0, 65535]');
    const host = options.host ?? '127.0.0.1';
    const nowMs = options.clock ?? Date.now;
    const keys = new Map(options.keys.map((k) => [k.apiKey, k]));
    const desk = new OkxDesk(options.exchange, nowMs);

    const http = createServer();
    const wss = new WebSocketServer({ noServer: true });
    http.listen(port, host);
    await once(http, 'listening');
    const server = new OkxServer(http, wss, (http.address() as AddressInfo).port, host);

    // One subscription per account, started now: the desk must see every fill (OKX reports an
    // order's last fill) whether or not a client is connected.
    for (const [index, key] of options.keys.entries()) {
      const account = key.account;
      if (server.subscribedAccounts.has(account)) continue;
      let unsubscribe: () => void;
      try {
        unsubscribe = options.exchange.subscribe(account, (update) => {
          desk.observe(update);
          for (const listener of server.listeners.get(account) ?? []) listener(update);
        });
      } catch (err) {
        await server.close();
        throw new OkxServerConfigError(`keys[${index}].account`, account, `cannot be traded: ${(err as Error).message}`);
      }
      server.subscribedAccounts.add(account);
      server.unsubscribes.push(unsubscribe);
    }

    const rest: RestContext = {
      exchange: options.exchange,
      desk,
      keys,
      limits: new SlidingWindowCounters(),
      rateLimited: options.rateLimits ?? true,
      faults: server.faults,
      nowMs,
      latency: options.latency ? { model: options.latency, random: options.random ?? Math.random } : undefined,
      answered: server.answered,
    };
    http.on('request', (req, res) => {
      handleRest(rest, req, res).catch((err: unknown) => {
        // A handler bug must show in the client as OKX's system error, not as a hung request.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: '50026', msg: `System error: ${(err as Error).message}`, data: [] }));
      });
    });
    const wsContext = {
      exchange: options.exchange,
      desk,
      keys,
      faults: server.faults,
      nowMs,
      idleTimeoutMs,
      listen: (account: string, listener: (update: SimUpdate) => void) => server.listen(account, listener),
    };
    http.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== OKX_PRIVATE_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const entry = { socket: ws, connection: new PrivateConnection(wsContext, ws) };
        server.connections.add(entry);
        ws.on('close', () => server.connections.delete(entry));
      });
    });
    return server;
  }

  /** `http://host:port`: the REST base URL. */
  get restUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  get privateWsUrl(): string {
    return `ws://${this.host}:${this.port}${OKX_PRIVATE_WS_PATH}`;
  }

  /** Answers with this OKX code (`"0"`, `"50011"`, `"50113"`…) since the start, including those whose client had gone. */
  answeredWith(code: string): number {
    return this.answered.get(code) ?? 0;
  }

  /** Open private WebSocket connections, and the account each is logged in as. */
  get privateConnections(): { connId: string; account: string | undefined }[] {
    return [...this.connections].map((c) => ({ connId: c.connection.connId, account: c.connection.account }));
  }

  /** Drops every private WebSocket connection at once (a venue-side disconnect). */
  dropConnections(): void {
    for (const c of this.connections) c.socket.terminate();
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.dropConnections();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private listen(account: string, listener: (update: SimUpdate) => void): () => void {
    let set = this.listeners.get(account);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(account, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }
}
