import WebSocket from 'ws';
import { nowNanos } from '@meridian/domain';
import { Backoff, DEFAULT_BACKOFF } from './backoff';
import type { BackoffOptions } from './backoff';
import { FeedConfigError } from './errors';
import type { FrameRecorder } from './replay/recording-writer';

/**
 * Keeping a silent connection honest. Venues drop idle clients (OKX after 30 s without a
 * message) and a half-open TCP connection can look alive for minutes, so after `idleMs` of
 * silence we ping, and if nothing at all arrives within `timeoutMs` we drop and reconnect.
 */
export interface HeartbeatOptions {
  readonly idleMs: number;
  readonly timeoutMs: number;
  /** `frame`: a WebSocket ping control frame (Binance, Alpaca); a string: that text frame (OKX: `ping`). */
  readonly ping: 'frame' | string;
  /** A text frame that only answers our ping and carries no data (OKX: `pong`). */
  readonly pong?: string;
}

export interface ConnectionOptions {
  /** For logs and errors: `okx-public`… */
  readonly name: string;
  readonly backoff?: BackoffOptions;
  readonly heartbeat?: HeartbeatOptions;
  /** A connection open this long counts as healthy: the next outage starts from the first backoff delay. */
  readonly healthyAfterMs?: number;
  readonly connectTimeoutMs?: number;
  /** Jitter source; tests pass a seeded one. */
  readonly random?: () => number;
  /** Records the session's frames (both ways) for a later replay. */
  readonly recorder?: FrameRecorder;
}

export interface ConnectionHandlers {
  /** Called on every (re)connect: log in and (re)subscribe here. */
  onOpen(connection: { send(text: string): void }): void;
  /** One text frame and when it arrived. Must not throw (errors are the adapter's to count). */
  onMessage(text: string, receivedTsNs: bigint): void;
  /** The connection is gone; `delayMs` until the next attempt, or undefined after `stop()`. */
  onClose?(info: { code: number; reason: string; delayMs: number | undefined }): void;
}

/**
 * A WebSocket client that stays connected: reconnects with jittered exponential backoff,
 * heartbeats, and re-runs `onOpen` (login, subscriptions) on every new connection, so an
 * adapter only describes what it wants, never how to get it back after a drop.
 */
export class ReconnectingWebSocket {
  private socket: WebSocket | undefined;
  private readonly backoff: Backoff;
  private stopped = true;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private healthyTimer: NodeJS.Timeout | undefined;
  private lastFrameAt = 0;
  private pingSentAt = 0;
  private connects = 0;
  private dropReason: string | undefined;
  private closed: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string | (() => string),
    private readonly handlers: ConnectionHandlers,
    private readonly options: ConnectionOptions,
  ) {
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF, options.random);
    const hb = options.heartbeat;
    if (hb && !(hb.idleMs > 0 && hb.timeoutMs > 0)) {
      throw new FeedConfigError(`${options.name}.heartbeat`, hb, 'idleMs and timeoutMs must be positive');
    }
  }

  /** Times a connection was opened after the first one. */
  get reconnects(): number {
    return Math.max(0, this.connects - 1);
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Sends a text frame; false when there is no open connection (the next `onOpen` will resend state). */
  send(text: string): boolean {
    const socket = this.socket;
    if (socket?.readyState !== WebSocket.OPEN) return false;
    this.options.recorder?.record({ kind: 'sent', url: socket.url, tsNs: nowNanos(), text });
    socket.send(text);
    return true;
  }

  /** Drops the connection now and reconnects after the backoff delay (a venue asked us to, or the state is suspect). */
  reconnect(reason: string): void {
    if (this.socket === undefined) return; // already between connections: a reconnect is scheduled
    this.dropReason = reason;
    this.socket.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.clearTimers();
    const socket = this.socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      socket.close(1000, 'client stopping');
      // A peer that never answers the close handshake must not hold up shutdown.
      const force = setTimeout(() => socket.terminate(), 1_000);
      await this.closed;
      clearTimeout(force);
    }
  }

  private connect(): void {
    const url = typeof this.url === 'string' ? this.url : this.url();
    const recorder = this.options.recorder;
    const socket = new WebSocket(url, { handshakeTimeout: this.options.connectTimeoutMs ?? 10_000 });
    this.socket = socket;
    let resolveClosed!: () => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));

    socket.on('open', () => {
      this.connects++;
      this.lastFrameAt = Date.now();
      this.startHeartbeat();
      this.healthyTimer = setTimeout(() => this.backoff.reset(), this.options.healthyAfterMs ?? 5_000);
      recorder?.record({ kind: 'connect', url, tsNs: nowNanos() });
      this.handlers.onOpen({
        send: (text) => {
          if (socket.readyState !== WebSocket.OPEN) return;
          recorder?.record({ kind: 'sent', url, tsNs: nowNanos(), text });
          socket.send(text);
        },
      });
    });
    socket.on('message', (data, isBinary) => {
      const receivedTsNs = nowNanos();
      this.lastFrameAt = Date.now();
      this.pingSentAt = 0;
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      if (this.options.heartbeat?.pong !== undefined && text === this.options.heartbeat.pong) return;
      recorder?.record({ kind: 'received', url, tsNs: receivedTsNs, text });
      this.handlers.onMessage(text, receivedTsNs);
    });
    socket.on('pong', () => {
      this.lastFrameAt = Date.now();
      this.pingSentAt = 0;
    });
    // ws answers the venue's ping frames itself; any frame still proves the link is alive.
    socket.on('ping', () => {
      this.lastFrameAt = Date.now();
    });
    // 'error' is always followed by 'close'; the close handler does the reconnecting.
    socket.on('error', () => undefined);
    socket.on('close', (code, reasonBuffer) => {
      this.clearTimers();
      if (this.socket === socket) this.socket = undefined;
      resolveClosed();
      const reason = this.dropReason ?? (reasonBuffer.toString() || 'connection closed');
      this.dropReason = undefined;
      if (this.stopped) {
        this.handlers.onClose?.({ code, reason, delayMs: undefined });
        return;
      }
      this.scheduleReconnect(code, reason);
    });
  }

  private scheduleReconnect(code: number, reason: string): void {
    const delayMs = this.backoff.next();
    this.handlers.onClose?.({ code, reason, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.connect();
    }, delayMs);
  }

  private startHeartbeat(): void {
    const hb = this.options.heartbeat;
    if (!hb) return;
    const tick = Math.max(10, Math.min(hb.idleMs, hb.timeoutMs) / 4);
    this.heartbeatTimer = setInterval(() => {
      const socket = this.socket;
      if (socket?.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      if (this.pingSentAt !== 0 && now - this.pingSentAt >= hb.timeoutMs) {
        // Nothing came back: the connection is dead even if TCP has not noticed.
        this.reconnect(`no frame for ${hb.timeoutMs} ms after a ping`);
        return;
      }
      if (this.pingSentAt === 0 && now - this.lastFrameAt >= hb.idleMs) {
        this.pingSentAt = now;
        if (hb.ping === 'frame') socket.ping();
        else socket.send(hb.ping);
      }
    }, tick);
  }

  private clearTimers(): void {
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.healthyTimer);
    this.heartbeatTimer = undefined;
    this.healthyTimer = undefined;
  }
}
