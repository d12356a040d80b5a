import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LobsterFormatError, lobsterPrice, parseLobsterBookRow, parseLobsterMessage, readLines } from '@meridian/book';
import type { Level, LobsterBookRow, LobsterMessage } from '@meridian/book';
import { Decimal, nowNanos, parseSymbol } from '@meridian/domain';
import { FeedConfigError } from '../errors';
import { FeedStatusTable } from '../feed-status';
import { SymbolBook, rejectReasonFor } from '../symbol-book';
import type { FeedSink, FeedSymbolStatus, MarketFeed } from '../types';

export interface LobsterReplayOptions {
  /** 1 = recorded pace, 10 = ten times faster, 0 = as fast as possible. */
  readonly speed: number;
  /** Venue id of the events (LOBSTER samples are NASDAQ). */
  readonly venue?: string;
  /** With a paired orderbook file, re-snapshot the book from it every this many messages (0 = only at the start). */
  readonly snapshotEvery?: number;
}

const FILE_NAME = /^([A-Za-z0-9.]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_message_(\d+)\.[^/]*$/;

/** UTC nanoseconds of midnight in New York on `date` (LOBSTER times are seconds after local midnight). */
export function newYorkMidnightNs(date: string): bigint {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  // The New York wall-clock hour at UTC noon tells the offset of that day (EST -5 or EDT -4).
  const noon = new Date(utcMidnight + 12 * 3_600_000);
  const nyHour = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(noon));
  const offsetHours = 12 - nyHour;
  return BigInt(utcMidnight + offsetHours * 3_600_000) * 1_000_000n;
}

/** Shares are whole: sizes travel as integers. */
const shares = (n: number) => Decimal.fromUnits(BigInt(n), 0);

/**
 * A LOBSTER message file replayed as a venue feed: executions become trades, and the book moves
 * as an L2 venue feed would.
 *
 * A level-N file only shows events inside the top N levels: when a level empties, the one that
 * moves into the window from outside was never in the messages. So with the paired orderbook file
 * (same name, `orderbook` for `message`) the book is taken from it: a snapshot from its first row,
 * then after each message a delta of exactly the levels that row changed (refills included), and a
 * full snapshot every `snapshotEvery` messages as a venue's periodic snapshot. Without it, each
 * message changes its level by its size from an empty start; removals of orders that rested before
 * the file began are clamped at zero and counted as `stale` rejections.
 */
export class LobsterReplayFeed implements MarketFeed {
  readonly venue: string;
  readonly source: string;
  readonly symbols: readonly string[];
  private readonly symbol: string;
  private readonly midnightNs: bigint;
  private readonly bookPath: string | undefined;
  private readonly table: FeedStatusTable;
  private readonly book: SymbolBook;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private finishedWaiters: (() => void)[] = [];
  private finished = false;

  constructor(
    private readonly path: string,
    private readonly options: LobsterReplayOptions,
  ) {
    const m = FILE_NAME.exec(basename(path));
    if (!m) throw new FeedConfigError('replay', path, 'a LOBSTER message file is named <TICKER>_<yyyy-mm-dd>_<start>_<end>_message_<levels>.csv');
    this.symbol = parseSymbol(m[1]!);
    this.symbols = [this.symbol];
    this.midnightNs = newYorkMidnightNs(m[2]!);
    this.venue = options.venue ?? 'nasdaq';
    this.source = `replay:${path}`;
    const paired = join(dirname(path), basename(path).replace('_message_', '_orderbook_'));
    this.bookPath = existsSync(paired) ? paired : undefined;
    this.table = new FeedStatusTable(this.venue, this.source, this.symbols);
    this.book = new SymbolBook(this.venue, this.symbol, (u) => this.table.book(u));
  }

  start(sink: FeedSink): Promise<void> {
    this.table.attach(sink);
    this.running = true;
    this.table.setState(this.symbol, 'syncing', this.bookPath ? `book from ${basename(this.bookPath)}` : 'book starts empty (no paired orderbook file)');
    this.done = this.play().catch((err: unknown) => {
      this.table.reject({ venue: this.venue, symbol: this.symbol, reason: 'schema', detail: `replay of ${this.path} stopped: ${(err as Error).message}` });
      this.finish('stopped by an error');
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    if (!this.finished) this.table.setState(this.symbol, 'stopped', 'feed stopped');
  }

  whenFinished(): Promise<void> {
    return this.finished ? Promise.resolve() : new Promise((resolve) => this.finishedWaiters.push(resolve));
  }

  status(): FeedSymbolStatus[] {
    return this.table.snapshot();
  }

  private async play(): Promise<void> {
    const rows = this.bookPath ? readLines(this.bookPath)[Symbol.asyncIterator]() : undefined;
    const every = this.options.snapshotEvery ?? 1_000;
    let firstTimeNs: bigint | undefined;
    const startWall = performance.now();
    let n = 0;
    for await (const { text, line } of readLines(this.path)) {
      if (!this.running) return;
      const row = rows ? await rows.next() : undefined;
      let msg: LobsterMessage;
      try {
        msg = parseLobsterMessage(text, line, this.path);
      } catch (err) {
        if (!(err instanceof LobsterFormatError)) throw err;
        this.table.reject({ venue: this.venue, symbol: this.symbol, reason: 'schema', detail: err.message });
        continue;
      }
      n++;
      firstTimeNs ??= msg.timeNs;
      if (this.options.speed > 0) {
        const due = startWall + Number(msg.timeNs - firstTimeNs) / 1e6 / this.options.speed;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      } else if (n % 1024 === 0) {
        await new Promise((r) => setImmediate(r));
      }
      const tsNs = this.midnightNs + msg.timeNs;
      const bookRow = row && !row.done ? this.bookRow(row.value.text, row.value.line) : undefined;
      this.onTrade(msg, tsNs);
      if (bookRow === undefined) this.onMessage(msg, tsNs);
      else if (n === 1 || (every > 0 && n % every === 0)) this.replaceFrom(bookRow, tsNs, nowNanos());
      else this.moveTo(bookRow, tsNs);
    }
    this.finish(`replay of ${basename(this.path)} finished after ${n} messages`);
  }

  private bookRow(text: string, line: number): LobsterBookRow | undefined {
    try {
      return parseLobsterBookRow(text, line, undefined, this.bookPath);
    } catch (err) {
      if (!(err instanceof LobsterFormatError)) throw err;
      this.table.reject({ venue: this.venue, symbol: this.symbol, reason: 'schema', detail: err.message });
      return undefined;
    }
  }

  private onTrade(msg: LobsterMessage, tsNs: bigint): void {
    if (msg.kind === 'execute' || msg.kind === 'execute_hidden' || msg.kind === 'cross_trade') {
      // direction is the resting order's side: a buy order executed means a seller took it.
      this.table.trade({
        venue: this.venue,
        symbol: this.symbol,
        tradeId: `${msg.line}`,
        price: lobsterPrice(msg.price),
        size: shares(msg.size),
        aggressor: msg.direction === 1 ? 'SELL' : 'BUY',
        tsNs,
        receivedTsNs: nowNanos(),
      });
    }
  }

  /** Without a paired book: the message's level changes by its size. */
  private onMessage(msg: LobsterMessage, tsNs: bigint): void {
    const receivedTsNs = nowNanos();
    if (!this.book.synced) {
      const r = this.book.snapshot([], [], tsNs, receivedTsNs);
      if (!r.ok) return;
      this.table.setState(this.symbol, 'live', 'replaying from an empty book');
    }
    const change = msg.kind === 'submit' ? msg.size : msg.kind === 'cancel' || msg.kind === 'delete' || msg.kind === 'execute' ? -msg.size : 0;
    if (change === 0) return;
    const side = msg.direction === 1 ? this.bids : this.asks;
    const before = side.get(msg.price) ?? 0;
    let after = before + change;
    if (after < 0) {
      this.table.reject({
        venue: this.venue,
        symbol: this.symbol,
        reason: 'stale',
        detail: `line ${msg.line}: ${msg.kind} of ${msg.size} at ${lobsterPrice(msg.price)} exceeds the ${before} known there (an order from before the file began)`,
      });
      after = 0;
    }
    if (after === 0) side.delete(msg.price);
    else side.set(msg.price, after);
    const level: Level[] = [{ price: lobsterPrice(msg.price), size: shares(after) }];
    const r = msg.direction === 1 ? this.book.delta(level, [], tsNs, receivedTsNs) : this.book.delta([], level, tsNs, receivedTsNs);
    if (!r.ok) this.table.reject({ venue: this.venue, symbol: this.symbol, reason: rejectReasonFor(r.reason), detail: `line ${msg.line}: ${r.detail}` });
  }

  /** With a paired book: a delta of exactly the levels this row changed. */
  private moveTo(row: LobsterBookRow, tsNs: bigint): void {
    if (!this.book.synced) return; // waiting for the next snapshot row
    const bids = diffSide(this.bids, row.bids);
    const asks = diffSide(this.asks, row.asks);
    if (bids.length === 0 && asks.length === 0) return; // hidden executions, halts
    const r = this.book.delta(bids, asks, tsNs, nowNanos());
    if (!r.ok) this.table.reject({ venue: this.venue, symbol: this.symbol, reason: rejectReasonFor(r.reason), detail: `orderbook line ${row.line}: ${r.detail}` });
  }

  private replaceFrom(row: LobsterBookRow, tsNs: bigint, receivedTsNs: bigint): void {
    this.bids.clear();
    this.asks.clear();
    for (const l of row.bids) this.bids.set(l.price, l.size);
    for (const l of row.asks) this.asks.set(l.price, l.size);
    const toLevels = (levels: readonly { price: number; size: number }[]) => levels.map((l) => ({ price: lobsterPrice(l.price), size: shares(l.size) }));
    const r = this.book.snapshot(toLevels(row.bids), toLevels(row.asks), tsNs, receivedTsNs);
    if (r.ok) this.table.setState(this.symbol, 'live', `snapshot from orderbook line ${row.line}`);
    else this.table.reject({ venue: this.venue, symbol: this.symbol, reason: rejectReasonFor(r.reason), detail: `orderbook line ${row.line}: ${r.detail}` });
  }

  private finish(detail: string): void {
    if (this.finished) return;
    this.finished = true;
    this.table.setState(this.symbol, 'finished', detail);
    for (const w of this.finishedWaiters.splice(0)) w();
  }
}

/** The level changes that turn `side` into `levels` (size 0 removes), applied to `side` as well. */
function diffSide(side: Map<number, number>, levels: readonly { price: number; size: number }[]): Level[] {
  const changes: Level[] = [];
  const now = new Map<number, number>();
  for (const l of levels) now.set(l.price, l.size);
  for (const [price, size] of now) {
    if (side.get(price) !== size) changes.push({ price: lobsterPrice(price), size: shares(size) });
  }
  for (const price of side.keys()) if (!now.has(price)) changes.push({ price: lobsterPrice(price), size: shares(0) });
  side.clear();
  for (const [price, size] of now) side.set(price, size);
  return changes;
}
