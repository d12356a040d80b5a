import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

/**
 * A local server that speaks OKX v5 public: a WebSocket endpoint that acknowledges subscribe and
 * unsubscribe ops with `event` frames, answers the text `ping` with `pong`, and lets the test
 * script push any frame; and an HTTP endpoint for `GET /api/v5/market/books` answered by the
 * script. Both listen on 127.0.0.1, port 0.
 */

export interface OkxArgJson {
  channel: string;
  instId: string;
}

export interface OkxServerConnection {
  readonly socket: WebSocket;
  /** Every text frame the client sent, in order (ops as JSON text, `ping`). */
  readonly received: string[];
  /** `channel:instId` currently subscribed on this connection. */
  readonly subscriptions: Set<string>;
  /** Sends an object as JSON, or a string as it is. */
  send(frame: unknown): void;
}

export interface RestReply {
  readonly status?: number;
  readonly body: unknown;
}

export interface RestRequest {
  readonly instId: string | null;
  readonly sz: string | null;
}

export class OkxTestServer {
  readonly connections: OkxServerConnection[] = [];
  readonly restRequests: RestRequest[] = [];
  /** Answer the client's `ping` with `pong`. */
  answerPings = true;
  /** Acknowledge subscribe/unsubscribe ops. */
  acknowledge = true;
  /** Called after a subscription was acknowledged (e.g. to push a WebSocket snapshot). */
  onSubscribe: (connection: OkxServerConnection, arg: OkxArgJson) => void = () => undefined;
  /** Answers `GET /api/v5/market/books`; may wait (a promise) to play a race. */
  restBooks: (request: RestRequest) => RestReply | Promise<RestReply> = () => ({ status: 404, body: { code: '51001', msg: 'no script' } });

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly http: Server,
    readonly wsUrl: string,
    readonly restUrl: string,
  ) {
    wss.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<OkxTestServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    let server: OkxTestServer | undefined;
    const http = createServer((req, res) => void server?.answerHttp(req, res));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const wsPort = (wss.address() as AddressInfo).port;
    const httpPort = (http.address() as AddressInfo).port;
    server = new OkxTestServer(wss, http, `ws://127.0.0.1:${wsPort}/ws/v5/public`, `http://127.0.0.1:${httpPort}`);
    return server;
  }

  /** The newest connection. */
  get last(): OkxServerConnection {
    const c = this.connections.at(-1);
    if (!c) throw new Error('no client connected yet');
    return c;
  }

  /** Sends a frame to every open connection. */
  broadcast(frame: unknown): void {
    for (const c of this.connections) if (c.socket.readyState === c.socket.OPEN) c.send(frame);
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: OkxServerConnection = {
      socket,
      received: [],
      subscriptions: new Set(),
      send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    };
    this.connections.push(connection);
    socket.on('message', (data) => {
      const text = data.toString();
      connection.received.push(text);
      if (text === 'ping') {
        if (this.answerPings) socket.send('pong');
        return;
      }
      let op: { op?: string; args?: OkxArgJson[] };
      try {
        op = JSON.parse(text) as typeof op;
      } catch {
        socket.send(JSON.stringify({ event: 'error', code: '60012', msg: `Invalid request: ${text}`, connId: 'test' }));
        return;
      }
      for (const arg of op.args ?? []) {
        const key = `${arg.channel}:${arg.instId}`;
        if (op.op === 'subscribe') connection.subscriptions.add(key);
        if (op.op === 'unsubscribe') connection.subscriptions.delete(key);
        if (!this.acknowledge) continue;
        socket.send(JSON.stringify({ event: op.op, arg, connId: 'test' }));
        if (op.op === 'subscribe') this.onSubscribe(connection, arg);
      }
    });
  }

  private async answerHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v5/market/books') {
      res.writeHead(404).end();
      return;
    }
    const request = { instId: url.searchParams.get('instId'), sz: url.searchParams.get('sz') };
    this.restRequests.push(request);
    const reply = await this.restBooks(request);
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
    res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
  }
}
