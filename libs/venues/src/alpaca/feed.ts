import type { BackoffOptions } from '../backoff';
import { array, excerpt, parseJson, record, string } from '../decode';
import { FeedConfigError, FrameRejectedError } from '../errors';
import { FeedStatusTable } from '../feed-status';
import { SymbolBook, rejectReasonFor } from '../symbol-book';
import type { FeedSink, FeedSymbolStatus, MarketFeed, RejectReason } from '../types';
import { ReconnectingWebSocket } from '../ws-connection';
import type { HeartbeatOptions } from '../ws-connection';
import { decodeBar, decodeQuote, decodeTrade } from './decode';
import { alpacaErrorCode } from './protocol';
import { AlpacaSymbols } from './symbols';
import type { AlpacaMarket } from './symbols';

export type AlpacaStockFeed = 'iex' | 'sip' | 'delayed_sip' | 'boats' | 'overnight';

export interface AlpacaMarketDataFeedOptions {
  readonly market: AlpacaMarket;
  /** API key id and secret; the caller reads them from the environment or a secret file. Never logged. */
  readonly key: string;
  readonly secret: string;
  /** Platform symbols (`AAPL`, `BRK-B`; `BTC-USD`) or Alpaca's spelling of them (`BRK.B`; `BTC/USD`). */
  readonly symbols: readonly string[];
  /** Alpaca's symbol per platform symbol where the default (`-` → `.` for stocks, `-` → `/` for crypto) is not it. */
  readonly venueSymbols?: Readonly<Record<string, string>>;
  /** Stocks: which feed (`iex` is free; `sip` needs a paid plan). */
  readonly stockFeed?: AlpacaStockFeed;
  /** Crypto: the location in `/v1beta3/crypto/{location}`. */
  readonly cryptoLocation?: string;
  /** `wss://stream.data.alpaca.markets`; the path is added for the market. */
  readonly baseUrl?: string;
  readonly channels?: { readonly trades?: boolean; readonly quotes?: boolean; readonly bars?: boolean };
  readonly venue?: string;
  /** Reconnect delays after a dropped connection or a transient error. */
  readonly backoff?: BackoffOptions;
  /** Delays after a configuration error (bad keys, plan limits): minutes, not milliseconds. */
  readonly configRetry?: { readonly initialMs: number; readonly maxMs: number };
  readonly heartbeat?: HeartbeatOptions;
  readonly random?: () => number;
}

const DEFAULTS = {
  venue: 'alpaca',
  baseUrl: 'wss://stream.data.alpaca.markets',
  stockFeed: 'iex',
  cryptoLocation: 'us',
  configRetry: { initialMs: 60_000, maxMs: 15 * 60_000 },
  heartbeat: { idleMs: 30_000, timeoutMs: 10_000, ping: 'frame' },
} as const;

/** Messages we do not subscribe to but tolerate (updated/daily bars, statuses, LULDs, corrections, cancel errors, crypto order books). */
const IGNORED_TYPES = new Set(['u', 'd', 's', 'l', 'c', 'x', 'o']);

type Session = 'closed' | 'awaiting_connected' | 'authenticating' | 'subscribing' | 'streaming';

/**
 * Alpaca market data v2 over WebSocket, stocks (`/v2/{feed}`) or crypto (`/v1beta3/crypto/us`):
 * `connected` → auth → subscribe → trades, quotes and minute bars, redone on every connection.
 * A quote is the best bid and ask, so it leaves as a one-level book snapshot through the
 * symbol's `SymbolBook` (numbered like any book). Errors are handled as Alpaca documents them:
 * session errors reconnect at once, configuration errors (bad keys, plan limits) wait minutes
 * and say why. The key and secret never appear in anything this feed emits.
 */
export class AlpacaMarketDataFeed implements MarketFeed {
  readonly venue: string;
  /** `alpaca` (stocks) or `alpaca-crypto`, as `MARKET_SOURCE` names them. */
  readonly source: string;
  readonly symbols: readonly string[];
  readonly url: string;
  readonly #key: string;
  readonly #secret: string;
  private readonly names: AlpacaSymbols;
  private readonly table: FeedStatusTable;
  private readonly books = new Map<string, SymbolBook>();
  private readonly channels: { trades: boolean; quotes: boolean; bars: boolean };
  private readonly configRetry: { initialMs: number; maxMs: number };
  private readonly random: () => number;
  private readonly ws: ReconnectingWebSocket;
  private session: Session = 'closed';
  private stopped = true;
  private configFailures = 0;
  private configTimer: NodeJS.Timeout | undefined;
  private pausing: Promise<void> = Promise.resolve();
  private problem: string | undefined;

  constructor(options: AlpacaMarketDataFeedOptions) {
    if (options.market !== 'stocks' && options.market !== 'crypto') throw new FeedConfigError('market', options.market, "must be 'stocks' or 'crypto'");
    this.#key = credential('key', options.key);
    this.#secret = credential('secret', options.secret);
    this.venue = options.venue ?? DEFAULTS.venue;
    this.source = options.market === 'crypto' ? 'alpaca-crypto' : 'alpaca';
    this.names = new AlpacaSymbols(options.market, options.symbols, options.venueSymbols);
    this.symbols = this.names.platformSymbols;
    this.channels = { trades: options.channels?.trades ?? true, quotes: options.channels?.quotes ?? true, bars: options.channels?.bars ?? true };
    if (!this.channels.trades && !this.channels.quotes && !this.channels.bars) throw new FeedConfigError('channels', options.channels, 'at least one channel is needed');
    this.configRetry = options.configRetry ?? DEFAULTS.configRetry;
    if (!(this.configRetry.initialMs > 0 && this.configRetry.maxMs >= this.configRetry.initialMs)) {
      throw new FeedConfigError('configRetry', this.configRetry, 'initialMs must be positive and maxMs at least initialMs');
    }
    this.random = options.random ?? Math.random;
    const base = (options.baseUrl ?? DEFAULTS.baseUrl).replace(/\/+$/, '');
    if (options.market === 'stocks') {
      const feed = options.stockFeed ?? DEFAULTS.stockFeed;
      if (!['iex', 'sip', 'delayed_sip', 'boats', 'overnight'].includes(feed)) throw new FeedConfigError('stockFeed', feed, 'must be iex, sip, delayed_sip, boats or overnight');
      this.url = `${base}/v2/${feed}`;
    } else {
      const location = options.cryptoLocation ?? DEFAULTS.cryptoLocation;
      if (!/^[a-z0-9-]+$/.test(location)) throw new FeedConfigError('cryptoLocation', location, 'must be a location such as us');
      this.url = `${base}/v1beta3/crypto/${location}`;
    }

    this.table = new FeedStatusTable(this.venue, this.source, this.symbols);
    for (const symbol of this.symbols) this.books.set(symbol, new SymbolBook(this.venue, symbol, (u) => this.table.book(u)));
    this.ws = new ReconnectingWebSocket(
      this.url,
      {
        onOpen: () => this.onOpen(),
        onMessage: (text, receivedTsNs) => this.onMessage(text, receivedTsNs),
        onClose: (info) => this.onClose(info),
      },
      { name: `${this.venue}-${options.market}`, backoff: options.backoff, heartbeat: options.heartbeat ?? DEFAULTS.heartbeat, random: this.random },
    );
  }

  async start(sink: FeedSink): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.table.attach(sink);
    this.table.setState(undefined, 'connecting', `connecting to ${this.url}`);
    this.ws.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.configTimer);
    this.configTimer = undefined;
    await this.pausing;
    await this.ws.stop();
    this.session = 'closed';
    this.table.setState(undefined, 'stopped', 'feed stopped');
  }

  status(): FeedSymbolStatus[] {
    return this.table.snapshot();
  }

  /** Why the feed is waiting after a configuration error (bad keys, plan limits), or undefined. */
  get configProblem(): string | undefined {
    return this.problem;
  }

  /** The adapter's book of a symbol: the last quote as one level per side. */
  localBook(symbol: string): SymbolBook | undefined {
    return this.books.get(symbol);
  }

  private onOpen(): void {
    if (this.ws.reconnects > 0) this.table.countReconnect();
    this.session = 'awaiting_connected';
    this.table.setState(undefined, 'syncing', 'connected: authenticating and subscribing');
  }

  private onClose(info: { code: number; reason: string; delayMs: number | undefined }): void {
    this.session = 'closed';
    if (info.delayMs === undefined) return; // stop() or a configuration pause, which said why itself
    this.table.setState(undefined, 'connecting', this.redact(`connection closed (${info.code} ${info.reason}); reconnecting in ${info.delayMs} ms`));
  }

  private onMessage(text: string, receivedTsNs: bigint): void {
    if (this.stopped) return; // closing: nothing more reaches the sink
    let messages: unknown[];
    try {
      messages = array(parseJson(text), 'frame');
    } catch (err) {
      this.rejectError(err, undefined, text);
      return;
    }
    // Each message of the array stands alone: one bad trade does not cost the quotes beside it.
    for (const m of messages) {
      let symbol: string | undefined;
      try {
        const msg = record(m, 'message');
        const type = string(msg['T'], 'message T');
        if (type === 't' || type === 'q' || type === 'b') {
          const venueSymbol = string(msg['S'], `${type} S`);
          symbol = this.names.platformOf(venueSymbol);
          if (symbol === undefined) throw new FrameRejectedError('unknown_symbol', `message T=${type} for ${JSON.stringify(venueSymbol)}, which this feed did not subscribe`);
          this.onData(type, symbol, msg, receivedTsNs);
        } else if (type === 'success') {
          this.onSuccess(msg);
        } else if (type === 'error') {
          this.onError(msg);
        } else if (type === 'subscription') {
          this.onSubscription(msg);
        } else if (!IGNORED_TYPES.has(type)) {
          throw new FrameRejectedError('schema', `message type T=${JSON.stringify(type)} is not one Alpaca documents`);
        }
      } catch (err) {
        this.rejectError(err, symbol, JSON.stringify(m) ?? String(m));
      }
    }
  }

  private onData(type: 't' | 'q' | 'b', symbol: string, msg: Record<string, unknown>, receivedTsNs: bigint): void {
    if (type === 't') {
      this.table.trade({ venue: this.venue, symbol, ...decodeTrade(msg), receivedTsNs });
    } else if (type === 'q') {
      const q = decodeQuote(msg);
      const r = this.books.get(symbol)!.snapshot(q.bids, q.asks, q.tsNs, receivedTsNs);
      if (!r.ok) throw new FrameRejectedError(rejectReasonFor(r.reason), `quote: ${r.detail}`, symbol);
    } else {
      this.table.bar({ venue: this.venue, symbol, interval: '1m', ...decodeBar(msg), closed: true, receivedTsNs });
    }
  }

  private onSuccess(msg: Record<string, unknown>): void {
    const text = msg['msg'];
    if (text === 'connected' && this.session === 'awaiting_connected') {
      this.session = 'authenticating';
      this.ws.send(JSON.stringify({ action: 'auth', key: this.#key, secret: this.#secret }));
    } else if (text === 'authenticated' && this.session === 'authenticating') {
      this.session = 'subscribing';
      const venueSymbols = this.names.venueSymbols;
      const subscribe: Record<string, unknown> = { action: 'subscribe' };
      if (this.channels.trades) subscribe['trades'] = venueSymbols;
      if (this.channels.quotes) subscribe['quotes'] = venueSymbols;
      if (this.channels.bars) subscribe['bars'] = venueSymbols;
      this.ws.send(JSON.stringify(subscribe));
    }
  }

  private onError(msg: Record<string, unknown>): void {
    const code = msg['code'];
    if (typeof code !== 'number' || !Number.isInteger(code)) throw new FrameRejectedError('schema', `error message: code ${JSON.stringify(code)} is not an integer`);
    const info = alpacaErrorCode(code);
    const said = typeof msg['msg'] === 'string' ? msg['msg'] : info.meaning;
    const what = `Alpaca error ${code} (${info.meaning}): ${said}`;
    this.reject(undefined, 'venue_error', what, JSON.stringify(msg));
    if (info.handling === 'reconnect') {
      this.ws.reconnect(what);
    } else if (info.handling === 'config') {
      this.pauseForConfig(`${what}; ${info.advice ?? 'check the feed configuration'}`);
    }
  }

  private onSubscription(msg: Record<string, unknown>): void {
    const confirmed = new Set<string>();
    for (const channel of ['trades', 'quotes', 'bars'] as const) {
      if (!this.channels[channel]) continue;
      const list = msg[channel] === undefined ? [] : array(msg[channel], `subscription ${channel}`);
      for (const s of list) confirmed.add(string(s, `subscription ${channel} symbol`));
    }
    this.session = 'streaming';
    this.configFailures = 0;
    this.problem = undefined;
    for (const symbol of this.symbols) {
      const venueSymbol = this.names.venueSymbol(symbol);
      if (confirmed.has(venueSymbol) || confirmed.has('*')) {
        this.table.setState(symbol, 'live', 'subscribed');
      } else {
        this.reject(symbol, 'venue_error', `Alpaca did not confirm the subscription to ${venueSymbol}`);
      }
    }
  }

  /**
   * The venue refused the configuration: a new connection now would be refused again, so close,
   * say why in every symbol's state, and try again after minutes (the keys may be rotated, the
   * other client stopped). The pause doubles up to `configRetry.maxMs`.
   */
  private pauseForConfig(why: string): void {
    if (this.configTimer !== undefined || this.stopped) return;
    const cap = Math.min(this.configRetry.maxMs, this.configRetry.initialMs * 2 ** this.configFailures);
    this.configFailures++;
    // ±20% jitter: not from zero as for reconnects, because a short wait is the thing to avoid here.
    const delayMs = Math.round(cap * (0.8 + 0.4 * this.random()));
    this.problem = this.redact(why);
    this.table.setState(undefined, 'failed', `${this.problem}; next attempt in ${delayMs} ms`);
    this.session = 'closed';
    this.pausing = this.ws.stop();
    this.configTimer = setTimeout(() => {
      this.configTimer = undefined;
      void this.pausing.then(() => {
        if (!this.stopped) this.ws.start();
      });
    }, delayMs);
  }

  /** The key and secret never leave in a rejection, a state detail or a raw excerpt, even if a server echoes them. */
  private redact(text: string): string {
    let out = text;
    for (const secret of [this.#key, this.#secret]) out = out.split(secret).join('[redacted]');
    return out;
  }

  private reject(symbol: string | undefined, reason: RejectReason, detail: string, raw?: string): void {
    if (this.stopped) return;
    this.table.reject({ venue: this.venue, symbol, reason, detail: this.redact(detail), raw: raw === undefined ? undefined : excerpt(this.redact(raw)) });
  }

  private rejectError(err: unknown, symbol: string | undefined, raw: string): void {
    if (err instanceof FrameRejectedError) {
      this.reject(err.symbol ?? symbol, err.reason, err.detail, raw);
      return;
    }
    // A bug in this adapter must not kill the socket's event loop; it is counted and shown instead.
    this.reject(symbol, 'schema', `unexpected error decoding the message: ${(err as Error)?.stack ?? String(err)}`, raw);
  }
}

/** A credential must be a non-empty string; the error says which, never what it was. */
function credential(key: 'key' | 'secret', value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const shape = typeof value === 'string' ? `a string of ${value.length} blank character(s)` : typeof value;
    throw new FeedConfigError(key, `<${shape}>`, 'must be a non-empty string (read it from the environment or a secret file)');
  }
  return value;
}
