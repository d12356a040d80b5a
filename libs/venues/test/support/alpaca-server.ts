import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

type Message = Record<string, unknown>;

export interface AlpacaConnection {
  readonly socket: WebSocket;
  readonly path: string;
  readonly openedAtMs: number;
  /** What the client sent, parsed. */
  readonly received: Message[];
  authenticated: boolean;
}

/**
 * A local stand-in for Alpaca's market-data stream, speaking the documented protocol: on connect
 * `[{"T":"success","msg":"connected"}]`; `{"action":"auth",key,secret}` answered `authenticated`
 * or error 402 (403 when already authenticated); `subscribe` before auth answered 401, after it
 * with the `subscription` confirmation. Tests can replace any answer for a given connection.
 */
export class AlpacaTestServer {
  readonly connections: AlpacaConnection[] = [];
  /** Overrides the answer to auth on connection n (0-based); undefined keeps the documented one. */
  authReply: (n: number, msg: Message) => Message[] | undefined = () => undefined;
  /** Overrides the answer to subscribe on connection n. */
  subscribeReply: (n: number, msg: Message) => Message[] | undefined = () => undefined;

  private constructor(
    private readonly wss: WebSocketServer,
    private readonly key: string,
    private readonly secret: string,
  ) {
    wss.on('connection', (socket, request) => {
      const connection: AlpacaConnection = { socket, path: request.url ?? '/', openedAtMs: Date.now(), received: [], authenticated: false };
      const n = this.connections.length;
      this.connections.push(connection);
      socket.on('message', (data) => this.answer(n, connection, JSON.parse(data.toString()) as Message));
      socket.send(JSON.stringify([{ T: 'success', msg: 'connected' }]));
    });
  }

  static async start(credentials: { key: string; secret: string }): Promise<AlpacaTestServer> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    return new AlpacaTestServer(wss, credentials.key, credentials.secret);
  }

  get baseUrl(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  get current(): AlpacaConnection | undefined {
    return this.connections.filter((c) => c.socket.readyState === 1).at(-1);
  }

  /** Sends one frame (an array of messages) on the newest open connection. */
  send(messages: unknown[]): void {
    this.sendRaw(JSON.stringify(messages));
  }

  sendRaw(text: string): void {
    const c = this.current;
    if (!c) throw new Error('no open connection to send on');
    c.socket.send(text);
  }

  dropAll(): void {
    for (const c of this.connections) c.socket.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private answer(n: number, c: AlpacaConnection, msg: Message): void {
    c.received.push(msg);
    const reply = (messages: Message[]) => c.socket.send(JSON.stringify(messages));
    if (msg['action'] === 'auth') {
      const scripted = this.authReply(n, msg);
      if (scripted) return reply(scripted);
      if (c.authenticated) return reply([{ T: 'error', code: 403, msg: 'already authenticated' }]);
      if (msg['key'] !== this.key || msg['secret'] !== this.secret) return reply([{ T: 'error', code: 402, msg: 'auth failed' }]);
      c.authenticated = true;
      return reply([{ T: 'success', msg: 'authenticated' }]);
    }
    if (msg['action'] === 'subscribe') {
      const scripted = this.subscribeReply(n, msg);
      if (scripted) return reply(scripted);
      if (!c.authenticated) return reply([{ T: 'error', code: 401, msg: 'not authenticated' }]);
      return reply([
        {
          T: 'subscription',
          trades: msg['trades'] ?? [],
          quotes: msg['quotes'] ?? [],
          bars: msg['bars'] ?? [],
          updatedBars: [],
          dailyBars: [],
          statuses: [],
          lulds: [],
          corrections: [],
          cancelErrors: [],
        },
      ]);
    }
    reply([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
  }
}
