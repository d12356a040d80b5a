import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import type { AlpacaAccountBook } from './account-book';
import type { TradeUpdateJson } from './protocol';

export const STREAM_PATH = '/stream';
const KNOWN_STREAMS = new Set(['trade_updates']);

interface Session {
  readonly socket: WebSocket;
  book: AlpacaAccountBook | undefined;
  listening: boolean;
  /** Events held back by a stream delay, in order, with the time each may leave. */
  readonly queue: { text: string; dueAt: number }[];
  timer: NodeJS.Timeout | undefined;
}

export interface TradeUpdatesOptions {
  /** The account a key pair opens, or undefined when the keys are wrong. */
  readonly authenticate: (key: unknown, secret: unknown) => AlpacaAccountBook | undefined;
  /** Alpaca's paper stream sends binary frames (its docs say so); `text` for the other behaviour. */
  readonly frames: 'binary' | 'text';
  readonly delayMs: () => number;
}

/**
 * The `trade_updates` WebSocket at `/stream`, as Alpaca documents it: `{"action":"auth",key,secret}`
 * (or the older `{"action":"authenticate","data":{key_id,secret_key}}`) is answered on the
 * `authorization` stream, `{"action":"listen","data":{"streams":[…]}}` on `listening` with the
 * streams granted (an empty list stops updates); then each order event of the account arrives as
 * `{"stream":"trade_updates","data":{event,…}}`.
 */
export class TradeUpdatesStream {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Set<Session>();

  constructor(private readonly options: TradeUpdatesOptions) {
    this.wss.on('connection', (socket: WebSocket) => this.accept(socket));
  }

  /** Connections open now (authenticated or not). */
  get connections(): number {
    return this.sessions.size;
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => this.wss.emit('connection', ws, request));
  }

  /** Sends an event to every connection of `account` listening to `trade_updates`. */
  publish(account: string, update: TradeUpdateJson): void {
    const text = JSON.stringify({ stream: 'trade_updates', data: update });
    for (const session of this.sessions) {
      if (session.listening && session.book?.account === account) this.enqueue(session, text);
    }
  }

  /** Terminates every connection (a test's network cut); clients must reconnect. */
  dropAll(): void {
    for (const session of this.sessions) session.socket.terminate();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const session: Session = { socket, book: undefined, listening: false, queue: [], timer: undefined };
    this.sessions.add(session);
    socket.on('message', (data) => this.onMessage(session, data.toString()));
    // 'error' is followed by 'close', which forgets the session.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(session.timer);
      this.sessions.delete(session);
    });
  }

  private onMessage(session: Session, text: string): void {
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('not an object');
      msg = parsed as Record<string, unknown>;
    } catch {
      this.send(session, { stream: 'error', data: { error_message: 'invalid syntax' } });
      return;
    }
    const action = msg['action'];
    const data = typeof msg['data'] === 'object' && msg['data'] !== null ? (msg['data'] as Record<string, unknown>) : {};
    if (action === 'auth' || action === 'authenticate') {
      const key = action === 'auth' ? msg['key'] : data['key_id'];
      const secret = action === 'auth' ? msg['secret'] : data['secret_key'];
      const book = this.options.authenticate(key, secret);
      if (book === undefined) {
        session.book = undefined;
        session.listening = false;
        this.send(session, { stream: 'authorization', data: { action: 'authenticate', status: 'unauthorized', message: 'access key verification failed' } });
        return;
      }
      session.book = book;
      this.send(session, { stream: 'authorization', data: { action: 'authenticate', status: 'authorized' } });
      return;
    }
    if (action === 'listen') {
      if (session.book === undefined) {
        this.send(session, { stream: 'authorization', data: { action: 'listen', status: 'unauthorized' } });
        return;
      }
      const asked = Array.isArray(data['streams']) ? (data['streams'] as unknown[]) : [];
      const streams = asked.filter((s): s is string => typeof s === 'string' && KNOWN_STREAMS.has(s));
      session.listening = streams.includes('trade_updates');
      this.send(session, { stream: 'listening', data: { streams } });
      return;
    }
    this.send(session, { stream: 'error', data: { error_message: `unknown action ${JSON.stringify(action)}` } });
  }

  private send(session: Session, message: unknown): void {
    this.write(session, JSON.stringify(message));
  }

  private enqueue(session: Session, text: string): void {
    const delay = this.options.delayMs();
    if (delay === 0 && session.queue.length === 0) {
      this.write(session, text);
      return;
    }
    session.queue.push({ text, dueAt: Date.now() + delay });
    this.schedule(session);
  }

  private schedule(session: Session): void {
    if (session.timer !== undefined || session.queue.length === 0) return;
    const wait = Math.max(0, session.queue[0]!.dueAt - Date.now());
    session.timer = setTimeout(() => {
      session.timer = undefined;
      const now = Date.now();
      // Later events never overtake an earlier delayed one.
      while (session.queue.length > 0 && session.queue[0]!.dueAt <= now) this.write(session, session.queue.shift()!.text);
      this.schedule(session);
    }, wait);
  }

  private write(session: Session, text: string): void {
    if (session.socket.readyState !== session.socket.OPEN) return;
    if (this.options.frames === 'binary') session.socket.send(Buffer.from(text, 'utf8'), { binary: true });
    else session.socket.send(text);
  }
}
