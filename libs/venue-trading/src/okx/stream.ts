import { ReconnectingWebSocket } from '@meridian/venues';
import type { OkxTradingConfig } from './config';
import { OkxAuthError } from './errors';
import { loginOp } from './signing';

/** WebSocket login failures (the credentials, their clock, their passphrase): retrying the same login cannot help. */
const LOGIN_FAILURES = new Set(['60004', '60005', '60006', '60007', '60009', '60024', '60032']);

export interface PrivateStreamHandlers {
  /** The `data` of an `orders` push. */
  onOrders(data: readonly unknown[]): void;
  /** Subscribed (again): `reconnect` is false the first time. */
  onReady(reconnect: boolean): void;
  /** The connection went down (`delayMs` until the next attempt). */
  onDown(detail: string): void;
}

/**
 * OKX's private WebSocket: on every connection, `login` (signed, Unix seconds), then once OKX
 * answers `login`, `subscribe` to `orders` for all spot instruments; ready when the subscription
 * is acknowledged. Reconnects (with backoff and heartbeats) come from `ReconnectingWebSocket`,
 * which re-runs the login on each new connection.
 */
export class OkxPrivateStream {
  private readonly socket: ReconnectingWebSocket;
  private readyOnce = false;
  private startWaiter: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private lastAuthError: OkxAuthError | undefined;

  constructor(
    private readonly config: OkxTradingConfig,
    private readonly handlers: PrivateStreamHandlers,
  ) {
    this.socket = new ReconnectingWebSocket(
      config.privateWsUrl,
      {
        onOpen: (connection) => connection.send(loginOp(config.credentials, config.clock())),
        onMessage: (text) => this.onMessage(text),
        onClose: ({ reason, delayMs }) => {
          if (delayMs === undefined) return;
          this.handlers.onDown(`${reason}; reconnecting in ${delayMs} ms`);
        },
      },
      {
        name: `${config.venue}-private`,
        backoff: config.reconnectBackoff,
        heartbeat: { ...config.heartbeat, ping: 'ping', pong: 'pong' },
        random: config.random,
      },
    );
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get reconnects(): number {
    return this.socket.reconnects;
  }

  /** Resolves once the first subscription is acknowledged; rejects with `OkxAuthError` if OKX refuses the login. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.startWaiter = { resolve, reject };
      this.socket.start();
    });
  }

  async stop(): Promise<void> {
    await this.socket.stop();
  }

  /** Drops the connection (it reconnects): the state is suspect. */
  reconnect(reason: string): void {
    this.socket.reconnect(reason);
  }

  private onMessage(text: string): void {
    let frame: { event?: unknown; code?: unknown; msg?: unknown; arg?: { channel?: unknown }; data?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      this.config.log('warn', `${this.config.venue}-private: a frame that is not JSON: ${text.slice(0, 120)}`);
      return;
    }
    if (frame.event === 'login') {
      if (String(frame.code) === '0') this.socket.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] }));
      return;
    }
    if (frame.event === 'subscribe') {
      if (frame.arg?.channel !== 'orders') return;
      const reconnect = this.readyOnce;
      this.readyOnce = true;
      this.lastAuthError = undefined;
      this.handlers.onReady(reconnect);
      this.startWaiter?.resolve();
      this.startWaiter = undefined;
      return;
    }
    if (frame.event === 'error') {
      const code = String(frame.code);
      const msg = typeof frame.msg === 'string' ? frame.msg : '';
      if (LOGIN_FAILURES.has(code)) {
        this.lastAuthError = new OkxAuthError(code, `${this.config.venue}-private login`, msg);
        this.config.log('warn', this.lastAuthError.message);
        if (this.startWaiter) {
          this.startWaiter.reject(this.lastAuthError);
          this.startWaiter = undefined;
          void this.socket.stop();
        } else {
          // Later logins may fail on clock skew that corrects itself: keep trying, with backoff.
          this.socket.reconnect(`login refused (${code})`);
        }
        return;
      }
      this.config.log('warn', `${this.config.venue}-private: OKX error ${code} ${msg}`);
      return;
    }
    if (frame.event === 'notice') {
      // 64008: the venue is about to close connections for an upgrade; move before it does.
      this.config.log('info', `${this.config.venue}-private: notice ${String(frame.code)} ${String(frame.msg)}`);
      this.socket.reconnect('venue notice');
      return;
    }
    if (frame.arg?.channel === 'orders' && Array.isArray(frame.data)) this.handlers.onOrders(frame.data);
  }
}
