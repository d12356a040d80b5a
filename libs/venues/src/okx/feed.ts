import { nowNanos } from '@meridian/domain';
import { Backoff } from '../backoff';
import { excerpt } from '../decode';
import { FrameRejectedError } from '../errors';
import { FeedStatusTable } from '../feed-status';
import { SymbolBook, rejectReasonFor } from '../symbol-book';
import type { FeedSink, FeedSymbolStatus, MarketFeed, RejectReason, VenueBar } from '../types';
import { ReconnectingWebSocket } from '../ws-connection';
import { OkxBookSync } from './book-sync';
import type { BookSyncPhase, BookSyncStep } from './book-sync';
import { okxChecksum } from './checksum';
import { scanOkxPush } from './fast-push';
import type { FastRoute } from './fast-push';
import { parseOkxFeedOptions } from './config';
import type { OkxFeedConfig, OkxFeedOptions, OkxInstrumentConfig } from './config';
import {
  OKX_NOTICE_SERVICE_UPGRADE,
  candleBar,
  decodeBookData,
  decodeCandle,
  decodeFrame,
  decodeTrade,
  subscribeOp,
  unsubscribeOp,
} from './protocol';
import type { OkxArg, OkxBookData, OkxFrame, OkxTrade } from './protocol';
import { OkxRestClient } from './rest';

/** OKX caps one request at 64 KB; 50 subscriptions per `subscribe` op stays far below. */
const SUBSCRIBE_BATCH = 50;

/** The `data` elements of a book push (almost always one). */
function decodeAll(data: readonly unknown[], kind: 'snapshot' | 'delta'): OkxBookData[] {
  const books = new Array<OkxBookData>(data.length);
  for (let i = 0; i < data.length; i++) books[i] = decodeBookData(data[i], i === 0 ? 'data[0]' : `data[${i}]`, kind);
  return books;
}

interface InstrumentState {
  readonly config: OkxInstrumentConfig;
  readonly args: readonly OkxArg[];
  readonly bookArg: OkxArg | undefined;
  readonly book: SymbolBook | undefined;
  /** Only for the `books` channel; `books5` and `bbo-tbt` are snapshots every push. */
  readonly sync: OkxBookSync | undefined;
  readonly restBackoff: Backoff;
  restTimer: NodeJS.Timeout | undefined;
  restAbort: AbortController | undefined;
}

/** Where one instrument's `books` synchronisation stands (diagnostics and tests). */
export interface OkxBookDiagnostics {
  readonly phase: BookSyncPhase;
  readonly checksumsVerified: number;
  readonly bufferedDeltas: number;
}

/**
 * OKX v5 public market data (`wss://ws.okx.com:8443/ws/v5/public`): `books` kept in sync with
 * the REST snapshot and the seqId chain (or a WebSocket snapshot), `books5` and `bbo-tbt` as
 * snapshots, `trades`, and `candle<bar>` bars. Every frame is handled inside one guard: a frame
 * that is not what OKX documents becomes one counted rejection, never an exception.
 */
export class OkxPublicFeed implements MarketFeed {
  readonly venue: string;
  readonly source: string;
  readonly symbols: readonly string[];
  private readonly config: OkxFeedConfig;
  private readonly table: FeedStatusTable;
  private readonly byInstId = new Map<string, InstrumentState>();
  private readonly rest: OkxRestClient;
  private ws: ReconnectingWebSocket | undefined;
  private running = false;
  private opens = 0;

  constructor(options: OkxFeedOptions) {
    this.config = parseOkxFeedOptions(options);
    const c = this.config;
    this.venue = c.venue;
    this.source = c.source;
    this.symbols = c.instruments.map((i) => i.symbol);
    this.table = new FeedStatusTable(c.venue, c.source, this.symbols);
    this.rest = new OkxRestClient({
      venue: c.venue,
      baseUrl: c.restUrl,
      timeoutMs: c.restTimeoutMs,
      backoff: c.restBackoff,
      rateLimit: c.restRateLimit,
      random: c.random,
      onRetry: (err, delayMs) => c.onWarning(`${err.message}; retrying in ${delayMs} ms`),
      recorder: c.recorder,
    });
    for (const inst of c.instruments) {
      const bookArg = inst.book === undefined ? undefined : { channel: inst.book, instId: inst.instId };
      const args: OkxArg[] = [];
      if (bookArg) args.push(bookArg);
      if (inst.trades) args.push({ channel: 'trades', instId: inst.instId });
      for (const bar of inst.candles.keys()) args.push({ channel: `candle${bar}`, instId: inst.instId });
      const book = bookArg ? new SymbolBook(c.venue, inst.symbol, (u) => this.table.book(u)) : undefined;
      const sync =
        book && inst.book === 'books'
          ? new OkxBookSync(book, { restSnapshots: c.restSnapshots, maxBufferedDeltas: c.maxBufferedDeltas })
          : undefined;
      this.byInstId.set(inst.instId, {
        config: inst,
        args,
        bookArg,
        book,
        sync,
        restBackoff: new Backoff(c.restBackoff, c.random),
        restTimer: undefined,
        restAbort: undefined,
      });
    }
  }

  async start(sink: FeedSink): Promise<void> {
    if (this.running) return;
    this.table.attach(sink);
    this.running = true;
    const c = this.config;
    this.ws = new ReconnectingWebSocket(
      c.wsUrl,
      {
        onOpen: (connection) => this.onOpen(connection),
        onMessage: (text, receivedTsNs) => this.onMessage(text, receivedTsNs),
        onClose: (info) => this.onClose(info),
      },
      {
        name: `${c.source}-public`,
        backoff: c.backoff,
        heartbeat: { idleMs: c.heartbeat.idleMs, timeoutMs: c.heartbeat.timeoutMs, ping: 'ping', pong: 'pong' },
        healthyAfterMs: c.healthyAfterMs,
        random: c.random,
        recorder: c.recorder,
      },
    );
    this.ws.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const inst of this.byInstId.values()) this.cancelRest(inst);
    await this.ws?.stop();
    this.table.setState(undefined, 'stopped', 'feed stopped');
  }

  status(): FeedSymbolStatus[] {
    return this.table.snapshot();
  }

  /** The `books` synchronisation of a platform symbol, or undefined when it uses no `books` channel. */
  bookDiagnostics(symbol: string): OkxBookDiagnostics | undefined {
    for (const inst of this.byInstId.values()) {
      if (inst.config.symbol === symbol && inst.sync) {
        return { phase: inst.sync.phase, checksumsVerified: inst.sync.checksumsVerified, bufferedDeltas: inst.sync.bufferedDeltas };
      }
    }
    return undefined;
  }

  private onOpen(connection: { send(text: string): void }): void {
    if (this.opens++ > 0) this.table.countReconnect();
    for (const inst of this.byInstId.values()) {
      this.forgetBook(inst);
      this.table.setState(inst.config.symbol, inst.book ? 'syncing' : 'live', 'subscribing');
    }
    const args = [...this.byInstId.values()].flatMap((i) => i.args);
    for (let i = 0; i < args.length; i += SUBSCRIBE_BATCH) connection.send(subscribeOp(args.slice(i, i + SUBSCRIBE_BATCH)));
  }

  private onClose(info: { code: number; reason: string; delayMs: number | undefined }): void {
    for (const inst of this.byInstId.values()) this.forgetBook(inst);
    if (info.delayMs !== undefined && this.running) {
      this.table.setState(undefined, 'connecting', `connection closed (${info.code} ${info.reason}); reconnecting in ${info.delayMs} ms`);
    }
  }

  /** A new connection starts every book from a new snapshot. */
  private forgetBook(inst: InstrumentState): void {
    this.cancelRest(inst);
    if (inst.sync) inst.sync.restart();
    else inst.book?.invalidate();
  }

  /** How a push would be decoded, for the shortcut (`scanOkxPush`); undefined sends it the general way. Mirrors `onPush`. */
  private readonly fastRoute = (channel: string, instId: string, action: string | undefined): FastRoute | undefined => {
    const inst = this.byInstId.get(instId);
    if (inst === undefined) return undefined;
    if (inst.book && channel === inst.config.book) {
      if (!inst.sync) return 'snapshot';
      return action === 'snapshot' ? 'snapshot' : action === 'update' ? 'delta' : undefined;
    }
    return channel === 'trades' && inst.config.trades ? 'trades' : undefined;
  };

  private onMessage(text: string, receivedTsNs: bigint): void {
    if (!this.running) return;
    let inst: InstrumentState | undefined;
    let booksFrame = false;
    try {
      // Trades and book pushes that are exactly as documented skip the JSON object tree.
      const fast = scanOkxPush(text, this.fastRoute);
      if (fast !== undefined) {
        inst = this.byInstId.get(fast.instId)!;
        if (fast.route === 'trades') {
          this.onTrades(inst, fast.trades, receivedTsNs);
        } else if (inst.sync) {
          booksFrame = true;
          this.onBooks(inst, inst.sync, fast.route === 'snapshot', fast.books, text, receivedTsNs);
        } else {
          this.onBookSnapshots(inst, inst.book!, fast.books, text, receivedTsNs);
        }
        return;
      }
      const frame = decodeFrame(text);
      if (frame.kind !== 'push') {
        this.onEvent(frame, text);
        return;
      }
      inst = this.byInstId.get(frame.arg.instId);
      if (inst === undefined) {
        throw new FrameRejectedError('unknown_symbol', `instId ${JSON.stringify(frame.arg.instId)} (channel ${frame.arg.channel}) is not an instrument of this feed`);
      }
      booksFrame = inst.sync !== undefined && frame.arg.channel === inst.config.book;
      this.onPush(inst, frame, text, receivedTsNs);
    } catch (err) {
      const { reason, detail } = this.describeFailure(err);
      this.reject(inst, reason, detail, text);
      // A books delta that could not be read is an update the local book missed.
      if (booksFrame && inst?.sync) this.carryOut(inst, inst.sync.lost(`${reason} rejection: ${detail}`), text);
    }
  }

  private describeFailure(err: unknown): { reason: RejectReason; detail: string } {
    if (err instanceof FrameRejectedError) return { reason: err.reason, detail: err.detail };
    // A bug of ours, not the venue's: still one counted frame, and loud.
    const detail = `unexpected ${(err as Error)?.name ?? 'error'} handling the frame: ${(err as Error)?.message ?? String(err)}`;
    this.config.onWarning(detail);
    return { reason: 'schema', detail };
  }

  private onEvent(frame: Exclude<OkxFrame, { kind: 'push' }>, text: string): void {
    switch (frame.kind) {
      case 'subscribed':
      case 'unsubscribed':
      case 'info':
        return;
      case 'error':
        this.reject(this.mentionedInstrument(frame.msg), 'venue_error', `code ${frame.code}: ${frame.msg}`, text);
        return;
      case 'notice':
        this.config.onWarning(`venue notice ${frame.code}: ${frame.msg}`);
        if (frame.code === OKX_NOTICE_SERVICE_UPGRADE || /upgrade|reconnect/i.test(frame.msg)) {
          this.ws?.reconnect(`venue notice ${frame.code}: ${frame.msg}`);
        }
        return;
    }
  }

  /** OKX error events name the instrument only in their text (`…instId:BTC-USDT doesn't exist`). */
  private mentionedInstrument(msg: string): InstrumentState | undefined {
    let best: InstrumentState | undefined;
    for (const [instId, inst] of this.byInstId) {
      if (msg.includes(instId) && (best === undefined || instId.length > best.config.instId.length)) best = inst;
    }
    return best;
  }

  private onPush(inst: InstrumentState, frame: Extract<OkxFrame, { kind: 'push' }>, text: string, receivedTsNs: bigint): void {
    const { channel } = frame.arg;
    if (frame.data.length === 0) throw new FrameRejectedError('schema', `data: empty for channel ${channel}`);
    // Decode everything first: a frame is applied whole or rejected whole.
    if (inst.book && channel === inst.config.book) {
      if (inst.sync) {
        const action = frame.action;
        if (action !== 'snapshot' && action !== 'update') {
          throw new FrameRejectedError('schema', `action: expected "snapshot" or "update", got ${JSON.stringify(action) ?? 'nothing'}`);
        }
        this.onBooks(inst, inst.sync, action === 'snapshot', decodeAll(frame.data, action === 'snapshot' ? 'snapshot' : 'delta'), text, receivedTsNs);
      } else {
        this.onBookSnapshots(inst, inst.book, decodeAll(frame.data, 'snapshot'), text, receivedTsNs);
      }
      return;
    }
    if (channel === 'trades' && inst.config.trades) {
      const trades = new Array<OkxTrade>(frame.data.length);
      for (let i = 0; i < trades.length; i++) trades[i] = decodeTrade(frame.data[i], i);
      this.onTrades(inst, trades, receivedTsNs);
      return;
    }
    const bar = candleBar(channel);
    const interval = bar === undefined ? undefined : inst.config.candles.get(bar);
    if (interval !== undefined) {
      this.onCandles(inst, interval, frame.data, receivedTsNs);
      return;
    }
    throw new FrameRejectedError('schema', `channel ${JSON.stringify(channel)} was not subscribed for ${inst.config.instId}`);
  }

  /** A decoded `books` push: `action: "snapshot"` or `"update"`. */
  private onBooks(inst: InstrumentState, sync: OkxBookSync, snapshot: boolean, books: readonly OkxBookData[], text: string, receivedTsNs: bigint): void {
    for (const book of books) {
      this.carryOut(inst, snapshot ? sync.onSnapshot(book, receivedTsNs) : sync.onDelta(book, receivedTsNs), text);
    }
  }

  /** `books5` / `bbo-tbt`: each push is the whole (shallow) book. */
  private onBookSnapshots(inst: InstrumentState, book: SymbolBook, books: readonly OkxBookData[], text: string, receivedTsNs: bigint): void {
    const symbol = inst.config.symbol;
    for (const b of books) {
      const problem = this.snapshotChecksumProblem(b);
      if (problem !== undefined) {
        book.invalidate();
        this.reject(inst, 'checksum', problem, text);
        this.table.setState(symbol, 'resyncing', problem);
        continue;
      }
      const r = book.snapshot(b.bids, b.asks, b.tsNs, receivedTsNs);
      if (r.ok) {
        this.table.setState(symbol, 'live', `${inst.config.book} snapshot`);
      } else {
        this.reject(inst, rejectReasonFor(r.reason), r.detail, text);
        this.table.setState(symbol, 'resyncing', r.detail);
      }
    }
  }

  private snapshotChecksumProblem(b: OkxBookData): string | undefined {
    if (b.checksum === undefined || b.checksum === 0) return undefined;
    const bids = [...b.bids].sort((x, y) => y.price.cmp(x.price));
    const asks = [...b.asks].sort((x, y) => x.price.cmp(y.price));
    const computed = okxChecksum(bids, asks);
    return computed === b.checksum ? undefined : `snapshot: venue checksum ${b.checksum} != ${computed} computed on the book`;
  }

  /** The decoded trades of one push (all decoded before any is emitted: a frame is accepted whole or rejected whole). */
  private onTrades(inst: InstrumentState, trades: readonly OkxTrade[], receivedTsNs: bigint): void {
    const symbol = inst.config.symbol;
    for (let i = 0; i < trades.length; i++) {
      const t = trades[i]!;
      this.table.trade({ venue: this.venue, symbol, tradeId: t.tradeId, price: t.price, size: t.size, aggressor: t.side, tsNs: t.tsNs, receivedTsNs });
    }
  }

  private onCandles(inst: InstrumentState, interval: string, data: readonly unknown[], receivedTsNs: bigint): void {
    const bars: VenueBar[] = data.map((d, i) => {
      const c = decodeCandle(d, `data[${i}]`);
      return { venue: this.venue, symbol: inst.config.symbol, interval, ...c, receivedTsNs };
    });
    for (const b of bars) this.table.bar(b);
  }

  /** Carries out what the `books` synchronisation asked for. */
  private carryOut(inst: InstrumentState, step: BookSyncStep, raw: string | undefined): void {
    const symbol = inst.config.symbol;
    for (const r of step.rejections) this.reject(inst, r.reason, r.detail, raw);
    if (step.resync !== undefined) {
      this.cancelRest(inst);
      this.table.setState(symbol, 'resyncing', step.resync);
    }
    if (step.request === 'resubscribe' && inst.bookArg) {
      // OKX handles ops in order: the new subscription starts with a WebSocket snapshot.
      this.ws?.send(unsubscribeOp([inst.bookArg]));
      this.ws?.send(subscribeOp([inst.bookArg]));
    } else if (step.request === 'rest_snapshot') {
      if (step.retryAfterBackoff !== undefined) {
        const delayMs = inst.restBackoff.next();
        this.config.onWarning(`${inst.config.instId}: ${step.retryAfterBackoff}; fetching again in ${delayMs} ms`);
        this.requestSnapshot(inst, delayMs);
      } else {
        this.requestSnapshot(inst, 0);
      }
    }
    if (step.live) {
      this.cancelRest(inst);
      inst.restBackoff.reset();
      this.table.setState(symbol, 'live', 'book synced');
    }
  }

  private requestSnapshot(inst: InstrumentState, delayMs: number): void {
    const sync = inst.sync;
    if (!sync || !this.running) return;
    this.cancelRest(inst);
    const epoch = sync.epoch;
    const controller = new AbortController();
    inst.restAbort = controller;
    const run = (): void => {
      inst.restTimer = undefined;
      void this.fetchSnapshot(inst, sync, epoch, controller.signal);
    };
    if (delayMs > 0) inst.restTimer = setTimeout(run, delayMs);
    else run();
  }

  /** Never rejects: failures are retried inside the REST client, aborts mean the answer is no longer wanted. */
  private async fetchSnapshot(inst: InstrumentState, sync: OkxBookSync, epoch: number, signal: AbortSignal): Promise<void> {
    let book: OkxBookData;
    try {
      book = await this.rest.bookSnapshot(inst.config.instId, this.config.restDepth, signal);
    } catch (err) {
      if (signal.aborted) return;
      // Not a VenueRequestError (those are retried): a bug. Try again later rather than stay unsynced.
      const delayMs = inst.restBackoff.next();
      this.config.onWarning(`${inst.config.instId}: REST snapshot failed: ${(err as Error)?.message ?? String(err)}; again in ${delayMs} ms`);
      this.requestSnapshot(inst, delayMs);
      return;
    }
    if (!this.running || signal.aborted) return;
    this.carryOut(inst, sync.onRestSnapshot(epoch, book, nowNanos()), undefined);
  }

  private cancelRest(inst: InstrumentState): void {
    clearTimeout(inst.restTimer);
    inst.restTimer = undefined;
    inst.restAbort?.abort();
    inst.restAbort = undefined;
  }

  private reject(inst: InstrumentState | undefined, reason: RejectReason, detail: string, raw: string | undefined): void {
    this.table.reject({
      venue: this.venue,
      symbol: inst?.config.symbol,
      reason,
      detail,
      ...(raw === undefined ? {} : { raw: excerpt(raw) }),
    });
  }
}
