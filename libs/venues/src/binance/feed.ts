import { setTimeout as sleep } from 'node:timers/promises';
import { Backoff } from '../backoff';
import type { BackoffOptions } from '../backoff';
import { excerpt, parseJson, record, string } from '../decode';
import { FeedConfigError, FrameRejectedError, VenueRequestError } from '../errors';
import { FeedStatusTable } from '../feed-status';
import { SymbolBook, rejectReasonFor } from '../symbol-book';
import type { FeedSink, FeedSymbolStatus, MarketFeed, RejectReason } from '../types';
import { ReconnectingWebSocket } from '../ws-connection';
import type { HeartbeatOptions } from '../ws-connection';
import { decodeAggTrade, decodeDepthEvent, decodeDepthSnapshot, decodeKline, decodeTrade } from './decode';
import { DepthSynchroniser } from './depth-sync';
import type { DepthSyncAction } from './depth-sync';
import { BinanceHttpError, BinanceRestClient } from './rest';
import { BinanceSymbols } from './symbols';
import { depthRequestWeight } from './weight-budget';
import type { FrameRecorder } from '../replay/recording-writer';

export interface BinanceSpotFeedOptions {
  /** Platform symbols (`BTC-USDT`), or any spelling `parseSymbol` accepts (`btc/usdt`, `BTCUSDT`). */
  readonly symbols: readonly string[];
  /** Binance's symbol per platform symbol where dropping the dash is not it (`{ 'BTC-USDT': 'BTCUSDT' }`). */
  readonly venueSymbols?: Readonly<Record<string, string>>;
  /** Venue id on every event; `binance` (a Binance.US feed would say `binance-us`). */
  readonly venue?: string;
  /** WebSocket base, without path: `wss://stream.binance.com:9443`. */
  readonly wsUrl?: string;
  /** REST base: `https://api.binance.com`. */
  readonly restUrl?: string;
  /** Diff-depth push interval. */
  readonly depthInterval?: '100ms' | '1000ms';
  /** Snapshot depth (`limit`): 1000 costs 50 weight. */
  readonly depthLimit?: number;
  /** Which trade stream: every trade (`trade`), aggregated trades (`aggTrade`), or none. */
  readonly trades?: 'trade' | 'aggTrade' | 'none';
  /** Kline intervals to subscribe (`1m`…); empty for none. */
  readonly klineIntervals?: readonly string[];
  /** Our share of the IP's REST weight per minute (Binance allows 6000 per IP). */
  readonly restWeightPerMinute?: number;
  readonly ipWeightLimitPerMinute?: number;
  readonly requestTimeoutMs?: number;
  /** Wait after a 429/418 without a usable `Retry-After`. */
  readonly defaultRetryAfterMs?: number;
  /** Binance closes a connection after 24 h; we reconnect on our own schedule a little before. */
  readonly maxConnectionAgeMs?: number;
  /** Reconnect delays of the WebSocket. */
  readonly backoff?: BackoffOptions;
  /** Delays between failed snapshot requests (network errors, 5xx); 429/418 wait as the venue says. */
  readonly restBackoff?: BackoffOptions;
  readonly heartbeat?: HeartbeatOptions;
  /** Events kept per symbol while a snapshot is on its way. */
  readonly maxBufferedEvents?: number;
  readonly random?: () => number;
  /** Records the session (frames and REST snapshots) for a later replay. */
  readonly recorder?: FrameRecorder;
}

const DEFAULTS = {
  venue: 'binance',
  wsUrl: 'wss://stream.binance.com:9443',
  restUrl: 'https://api.binance.com',
  depthInterval: '100ms',
  depthLimit: 1000,
  trades: 'trade',
  klineIntervals: ['1m'],
  // 40% of the IP's 6000: room for other processes on the IP and for a resync storm's tail.
  restWeightPerMinute: 2400,
  ipWeightLimitPerMinute: 6000,
  requestTimeoutMs: 10_000,
  defaultRetryAfterMs: 60_000,
  maxConnectionAgeMs: 23 * 3600_000 + 50 * 60_000,
  restBackoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
  // Binance pings every 20 s; a link silent for 60 s gets our ping, and 15 s more without any frame drops it.
  heartbeat: { idleMs: 60_000, timeoutMs: 15_000, ping: 'frame' },
} as const;

const KLINE_INTERVALS = new Set(['1s', '1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M']);

interface SymbolState {
  readonly platform: string;
  readonly venueSymbol: string;
  readonly book: SymbolBook;
  readonly sync: DepthSynchroniser;
  fetching: AbortController | undefined;
}

/**
 * Binance spot public market data: diff-depth books kept in sync by Binance's documented
 * procedure (see `DepthSynchroniser`), trades, and klines, from one combined-stream connection.
 * Every book update leaves through the symbol's `SymbolBook`, so downstream sees one contiguous
 * sequence per symbol across gaps, resyncs and reconnects.
 */
export class BinanceSpotFeed implements MarketFeed {
  readonly venue: string;
  readonly source = 'binance';
  readonly symbols: readonly string[];
  private readonly table: FeedStatusTable;
  private readonly names: BinanceSymbols;
  private readonly states = new Map<string, SymbolState>();
  private readonly rest: BinanceRestClient;
  private readonly ws: ReconnectingWebSocket;
  private readonly depthLimit: number;
  private readonly depthInterval: '100ms' | '1000ms';
  private readonly restBackoff: BackoffOptions;
  private readonly maxConnectionAgeMs: number;
  private readonly random: () => number;
  private readonly tasks = new Set<Promise<void>>();
  private ageTimer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(private readonly options: BinanceSpotFeedOptions) {
    this.venue = options.venue ?? DEFAULTS.venue;
    this.names = new BinanceSymbols(options.symbols, options.venueSymbols);
    this.symbols = this.names.platformSymbols;
    this.depthLimit = options.depthLimit ?? DEFAULTS.depthLimit;
    depthRequestWeight(this.depthLimit); // validates the limit
    this.depthInterval = options.depthInterval ?? DEFAULTS.depthInterval;
    if (this.depthInterval !== '100ms' && this.depthInterval !== '1000ms') {
      throw new FeedConfigError('depthInterval', this.depthInterval, "must be '100ms' or '1000ms'");
    }
    const trades = options.trades ?? DEFAULTS.trades;
    if (trades !== 'trade' && trades !== 'aggTrade' && trades !== 'none') throw new FeedConfigError('trades', trades, "must be 'trade', 'aggTrade' or 'none'");
    for (const interval of options.klineIntervals ?? DEFAULTS.klineIntervals) {
      if (!KLINE_INTERVALS.has(interval)) throw new FeedConfigError('klineIntervals', interval, `must be one of ${[...KLINE_INTERVALS].join(', ')}`);
    }
    this.maxConnectionAgeMs = options.maxConnectionAgeMs ?? DEFAULTS.maxConnectionAgeMs;
    if (!(this.maxConnectionAgeMs > 0)) throw new FeedConfigError('maxConnectionAgeMs', this.maxConnectionAgeMs, 'must be positive');
    this.restBackoff = options.restBackoff ?? DEFAULTS.restBackoff;
    this.random = options.random ?? Math.random;
    new Backoff(this.restBackoff); // validates the options now rather than at the first failure

    this.table = new FeedStatusTable(this.venue, this.source, this.symbols);
    for (const platform of this.symbols) {
      this.states.set(platform, {
        platform,
        venueSymbol: this.names.venueSymbol(platform),
        book: new SymbolBook(this.venue, platform, (u) => this.table.book(u)),
        sync: new DepthSynchroniser({ chaining: 'spot', maxBuffered: options.maxBufferedEvents }),
        fetching: undefined,
      });
    }
    this.rest = new BinanceRestClient({
      venue: this.venue,
      baseUrl: stripSlash(options.restUrl ?? DEFAULTS.restUrl),
      weightPerMinute: options.restWeightPerMinute ?? DEFAULTS.restWeightPerMinute,
      ipWeightLimitPerMinute: options.ipWeightLimitPerMinute ?? DEFAULTS.ipWeightLimitPerMinute,
      requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      defaultRetryAfterMs: options.defaultRetryAfterMs ?? DEFAULTS.defaultRetryAfterMs,
      recorder: options.recorder,
    });
    this.ws = new ReconnectingWebSocket(
      this.streamUrl(),
      {
        onOpen: () => this.onOpen(),
        onMessage: (text, receivedTsNs) => this.onMessage(text, receivedTsNs),
        onClose: (info) => this.onClose(info),
      },
      {
        name: `${this.venue}-public`,
        backoff: options.backoff,
        heartbeat: options.heartbeat ?? DEFAULTS.heartbeat,
        random: this.random,
        recorder: options.recorder,
      },
    );
  }

  /** The combined-stream URL: every stream is named in it, so a reconnect resubscribes by itself. */
  streamUrl(): string {
    const streams: string[] = [];
    const trades = this.options.trades ?? DEFAULTS.trades;
    for (const platform of this.symbols) {
      const s = this.names.streamSymbol(platform);
      streams.push(`${s}@depth@${this.depthInterval}`);
      if (trades !== 'none') streams.push(`${s}@${trades}`);
      for (const interval of this.options.klineIntervals ?? DEFAULTS.klineIntervals) streams.push(`${s}@kline_${interval}`);
    }
    return `${stripSlash(this.options.wsUrl ?? DEFAULTS.wsUrl)}/stream?streams=${streams.join('/')}`;
  }

  async start(sink: FeedSink): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.table.attach(sink);
    this.table.setState(undefined, 'connecting', `connecting to ${stripSlash(this.options.wsUrl ?? DEFAULTS.wsUrl)}`);
    this.ws.start();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.ageTimer);
    for (const s of this.states.values()) this.abandonFetch(s);
    await this.ws.stop();
    await Promise.all([...this.tasks]);
    this.table.setState(undefined, 'stopped', 'feed stopped');
  }

  status(): FeedSymbolStatus[] {
    return this.table.snapshot();
  }

  /** The adapter's local book of a symbol (for checks and tests). */
  localBook(symbol: string): SymbolBook | undefined {
    return this.states.get(symbol)?.book;
  }

  /** The synchroniser of a symbol, for its counters. */
  depthSync(symbol: string): DepthSynchroniser | undefined {
    return this.states.get(symbol)?.sync;
  }

  private onOpen(): void {
    const reconnected = this.ws.reconnects > 0;
    if (reconnected) this.table.countReconnect();
    for (const s of this.states.values()) {
      // A new connection starts a new event stream: whatever was buffered or applied no longer chains.
      this.abandonFetch(s);
      s.book.invalidate();
      s.sync.restart();
      this.table.setState(s.platform, 'syncing', `${reconnected ? 'reconnected' : 'connected'}: buffering depth events until a snapshot joins them`);
    }
    clearTimeout(this.ageTimer);
    this.ageTimer = setTimeout(() => this.ws.reconnect(`connection is ${this.maxConnectionAgeMs} ms old (Binance closes at 24 h)`), this.maxConnectionAgeMs);
  }

  private onClose(info: { code: number; reason: string; delayMs: number | undefined }): void {
    clearTimeout(this.ageTimer);
    for (const s of this.states.values()) this.abandonFetch(s);
    if (info.delayMs === undefined) return;
    this.table.setState(undefined, 'connecting', `connection closed (${info.code} ${info.reason}); reconnecting in ${info.delayMs} ms`);
  }

  private onMessage(text: string, receivedTsNs: bigint): void {
    if (this.stopped) return; // closing: nothing more reaches the sink
    let symbol: string | undefined;
    try {
      const frame = record(parseJson(text), 'frame');
      if (frame['stream'] !== undefined) {
        const stream = string(frame['stream'], 'stream');
        const at = stream.indexOf('@');
        if (at <= 0) throw new FrameRejectedError('schema', `stream ${JSON.stringify(stream)}: expected <symbol>@<kind>`);
        const kind = stream.slice(at + 1);
        symbol = this.names.platformOf(stream.slice(0, at));
        if (symbol === undefined) throw new FrameRejectedError('unknown_symbol', `stream ${stream}: symbol ${stream.slice(0, at)} is not configured`);
        this.onData(symbol, kind, record(frame['data'], `${stream} data`), receivedTsNs);
      } else if (frame['id'] !== undefined && 'result' in frame) {
        // The answer to a SUBSCRIBE/LIST_SUBSCRIPTIONS request: nothing to emit.
      } else if (frame['code'] !== undefined) {
        throw new FrameRejectedError('venue_error', `Binance error ${JSON.stringify(frame['code'])}: ${JSON.stringify(frame['msg'])}`);
      } else {
        throw new FrameRejectedError('schema', 'expected a combined-stream frame {stream, data}');
      }
    } catch (err) {
      this.rejectError(err, symbol, text);
    }
  }

  private onData(symbol: string, kind: string, data: Record<string, unknown>, receivedTsNs: bigint): void {
    const s = data['s'];
    if (s !== undefined && (typeof s !== 'string' || this.names.platformOf(s) !== symbol)) {
      throw new FrameRejectedError('schema', `data.s ${JSON.stringify(s)} does not match the stream's symbol ${this.names.venueSymbol(symbol)}`, symbol);
    }
    if (kind.startsWith('depth')) {
      const state = this.states.get(symbol)!;
      this.run(state, state.sync.onEvent(decodeDepthEvent(data, receivedTsNs)));
    } else if (kind === 'trade' || kind === 'aggTrade') {
      const t = kind === 'trade' ? decodeTrade(data) : decodeAggTrade(data);
      this.table.trade({ venue: this.venue, symbol, ...t, receivedTsNs });
    } else if (kind.startsWith('kline_')) {
      const k = decodeKline(data);
      this.table.bar({ venue: this.venue, symbol, ...k, receivedTsNs });
    } else if (kind === 'bookTicker') {
      // Not subscribed by this feed (the depth book carries the best levels); tolerated if a proxy adds it.
    } else {
      throw new FrameRejectedError('schema', `stream kind ${JSON.stringify(kind)} is not one this feed subscribes to`, symbol);
    }
  }

  /** Carries out the synchroniser's actions against the local book and the REST client. */
  private run(s: SymbolState, actions: readonly DepthSyncAction[]): void {
    for (const action of actions) {
      switch (action.kind) {
        case 'fetch_snapshot':
          this.requestSnapshot(s);
          break;
        case 'drop_book':
          s.book.invalidate();
          if (action.cause === 'gap') this.reject(s.platform, 'out_of_order', action.detail);
          this.table.setState(s.platform, 'resyncing', action.detail);
          break;
        case 'snapshot': {
          const snap = action.snapshot;
          const r = s.book.snapshot(snap.bids, snap.asks, snap.tsNs, snap.receivedTsNs);
          if (!r.ok) return this.refused(s, r.reason, r.detail);
          this.table.setState(s.platform, 'live', `book synced at lastUpdateId=${snap.lastUpdateId}`);
          break;
        }
        case 'delta': {
          const e = action.event;
          const r = s.book.delta(e.bids, e.asks, e.tsNs, e.receivedTsNs);
          if (!r.ok) return this.refused(s, r.reason, `event U=${e.firstUpdateId} u=${e.finalUpdateId}: ${r.detail}`);
          break;
        }
      }
    }
  }

  /** The book refused a snapshot or an event: count it and start over from a new snapshot. */
  private refused(s: SymbolState, reason: Parameters<typeof rejectReasonFor>[0], detail: string): void {
    this.reject(s.platform, rejectReasonFor(reason), detail);
    s.book.invalidate();
    this.table.setState(s.platform, 'resyncing', detail);
    // The rest of the actions belonged to the refused book; the restart asks for a fresh snapshot.
    this.run(s, s.sync.restart(true, 'the book refused an update'));
  }

  private requestSnapshot(s: SymbolState): void {
    if (s.fetching !== undefined || this.stopped) return;
    const controller = new AbortController();
    s.fetching = controller;
    const task = this.fetchSnapshot(s, controller).finally(() => {
      if (s.fetching === controller) s.fetching = undefined;
      this.tasks.delete(task);
    });
    this.tasks.add(task);
  }

  /** Gets a snapshot, retrying until one arrives or the request is abandoned (reconnect, stop). */
  private async fetchSnapshot(s: SymbolState, controller: AbortController): Promise<void> {
    const { signal } = controller;
    const backoff = new Backoff(this.restBackoff, this.random);
    for (;;) {
      let delayMs: number;
      try {
        const { text, receivedTsNs } = await this.rest.depth(s.venueSymbol, this.depthLimit, signal);
        if (signal.aborted) return;
        const snapshot = decodeDepthSnapshot(parseJson(text), receivedTsNs);
        // Free the slot first: the synchroniser may ask for another snapshot straight away.
        s.fetching = undefined;
        this.run(s, s.sync.onSnapshot(snapshot));
        return;
      } catch (err) {
        if (signal.aborted) return;
        delayMs = this.snapshotFailed(s, err, backoff);
      }
      try {
        await sleep(delayMs, undefined, { signal });
      } catch (err) {
        if (signal.aborted) return; // abandoned while waiting (reconnect or stop): the new connection asks again
        throw err;
      }
    }
  }

  /** Counts a failed snapshot request and says how long to wait before the next. */
  private snapshotFailed(s: SymbolState, err: unknown, backoff: Backoff): number {
    if (err instanceof FrameRejectedError) {
      this.reject(s.platform, err.reason, `depth snapshot: ${err.detail}`);
    } else if (err instanceof VenueRequestError) {
      this.reject(s.platform, 'venue_error', err.message);
      // After a 429/418 the REST client holds every request until Retry-After has passed.
      if (err instanceof BinanceHttpError && err.retryAfterMs !== undefined) return 0;
    } else {
      this.reject(s.platform, 'venue_error', `depth snapshot: unexpected error: ${(err as Error)?.message ?? String(err)}`);
    }
    return backoff.next();
  }

  /** Abandons a symbol's snapshot request; its task sees the abort and touches nothing. */
  private abandonFetch(s: SymbolState): void {
    s.fetching?.abort();
    s.fetching = undefined;
  }

  private reject(symbol: string | undefined, reason: RejectReason, detail: string, raw?: string): void {
    if (this.stopped) return;
    this.table.reject({ venue: this.venue, symbol, reason, detail, raw });
  }

  private rejectError(err: unknown, symbol: string | undefined, text: string): void {
    if (err instanceof FrameRejectedError) {
      this.reject(err.symbol ?? symbol, err.reason, err.detail, excerpt(text));
      return;
    }
    // A bug in this adapter must not kill the socket's event loop; it is counted and shown instead.
    this.reject(symbol, 'schema', `unexpected error decoding the frame: ${(err as Error)?.stack ?? String(err)}`, excerpt(text));
  }
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
