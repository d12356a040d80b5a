import { ReconnectingWebSocket } from '@meridian/venues';
import type { AlpacaTradingConfig } from './options';

export interface TradeUpdatesHandlers {
  /** The connection listens to `trade_updates` (after every (re)connect). */
  onListening(): void;
  /** One `trade_updates` event's `data`, in arrival order. */
  onUpdate(data: Record<string, unknown>): void;
  /** Alpaca refused the keys. */
  onUnauthorized(): void;
  onDisconnected(detail: string): void;
  /** A frame the adapter cannot read (counted and logged by the owner). */
  onUnreadable(detail: string): void;
}

/**
 * The `trade_updates` stream on a `ReconnectingWebSocket`: on every connection it authenticates
 * (`{"action":"auth",key,secret}`) and, once authorized, listens to `trade_updates`. Frames
 * arrive binary on Alpaca's paper endpoint and text elsewhere; both are read as UTF-8 JSON.
 */
export class TradeUpdatesClient {
  private readonly ws: ReconnectingWebSocket;

  constructor(
    config: AlpacaTradingConfig,
    private readonly handlers: TradeUpdatesHandlers,
  ) {
    this.ws = new ReconnectingWebSocket(
      config.streamUrl,
      {
        onOpen: (connection) => connection.send(JSON.stringify({ action: 'auth', key: config.key, secret: config.secret })),
        onMessage: (text) => this.onFrame(text),
        onClose: ({ code, reason, delayMs }) => this.handlers.onDisconnected(`closed (${code}${reason ? `: ${reason}` : ''})${delayMs === undefined ? '' : `, reconnecting in ${delayMs} ms`}`),
      },
      { name: `${config.venue}-trade-updates`, backoff: config.streamBackoff, heartbeat: config.heartbeat, random: config.random },
    );
  }

  get reconnects(): number {
    return this.ws.reconnects;
  }

  start(): void {
    this.ws.start();
  }

  stop(): Promise<void> {
    return this.ws.stop();
  }

  /** Drops the connection (it comes back after the backoff delay). */
  reconnect(reason: string): void {
    this.ws.reconnect(reason);
  }

  private onFrame(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.handlers.onUnreadable(`not JSON: ${text.slice(0, 120)}`);
      return;
    }
    if (typeof msg !== 'object' || msg === null) {
      this.handlers.onUnreadable(`not an object: ${text.slice(0, 120)}`);
      return;
    }
    const { stream, data } = msg as { stream?: unknown; data?: unknown };
    const body = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    if (stream === 'trade_updates') {
      this.handlers.onUpdate(body);
    } else if (stream === 'authorization') {
      if (body['status'] === 'authorized') this.ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
      else this.handlers.onUnauthorized();
    } else if (stream === 'listening') {
      const streams = Array.isArray(body['streams']) ? body['streams'] : [];
      if (streams.includes('trade_updates')) this.handlers.onListening();
      else this.handlers.onUnreadable(`listening without trade_updates: ${text.slice(0, 120)}`);
    } else {
      this.handlers.onUnreadable(`unexpected frame: ${text.slice(0, 120)}`);
    }
  }
}
