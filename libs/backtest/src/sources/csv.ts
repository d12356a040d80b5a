import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Level } from '@meridian/book';
import { parseBarInterval } from '@meridian/signals';
import { BacktestConfigError, EventFormatError } from '../errors';
import type { BarEvent, BookEvent, MarketEvent, QuoteEvent, TradeEvent } from '../events';
import { lineChunks } from './lines';
import type { EventSource } from './source';

/** How a time column is written. `iso`: ISO 8601 (a space instead of the `T` is accepted). */
export type TimeUnit = 'ns' | 'us' | 'ms' | 's' | 'iso';

export interface CsvTime {
  readonly column: string;
  readonly unit: TimeUnit;
}

interface CsvCommon {
  readonly path: string;
  /** The symbol of every row, or the column that names it. */
  readonly symbol: string | { readonly column: string };
  readonly time: CsvTime;
  /** Default `,`. Every file has a header row naming its columns. */
  readonly delimiter?: string;
  /** Events per chunk handed to the merge (default 4096). */
  readonly chunkSize?: number;
}

/** OHLCV bars, one per row. */
export interface CsvBarsOptions extends CsvCommon {
  readonly kind: 'bars';
  /** A time-bar token (`1m`, `1h`): the bar's end is its start plus this. */
  readonly interval: string;
  /** Whether `time` is the bar's start (default) or its end. */
  readonly timeMarks?: 'start' | 'end';
  /** Column names; defaults open, high, low, close, volume. `trades` is optional. */
  readonly columns?: { readonly open?: string; readonly high?: string; readonly low?: string; readonly close?: string; readonly volume?: string; readonly trades?: string };
}

/** Trades, one per row. `side` (buy/sell, b/s, any case) is the aggressor, when the file has it. */
export interface CsvTradesOptions extends CsvCommon {
  readonly kind: 'trades';
  readonly columns?: { readonly price?: string; readonly size?: string; readonly side?: string; readonly id?: string };
}

/** Best bid and offer, one per row. */
export interface CsvQuotesOptions extends CsvCommon {
  readonly kind: 'quotes';
  readonly columns?: { readonly bid?: string; readonly bidSize?: string; readonly ask?: string; readonly askSize?: string };
}

/**
 * L2 book levels, one per row: `side` (bid/ask), `price`, `size` (0 removes the level) and
 * `type` (snapshot/delta, default delta). Consecutive rows of one symbol with the same time and
 * type form one book event; events are numbered per symbol from 1.
 */
export interface CsvBookOptions extends CsvCommon {
  readonly kind: 'book';
  readonly columns?: { readonly side?: string; readonly price?: string; readonly size?: string; readonly type?: string };
}

export type CsvSourceOptions = CsvBarsOptions | CsvTradesOptions | CsvQuotesOptions | CsvBookOptions;

const NS: Record<Exclude<TimeUnit, 'iso'>, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };

/** A CSV file of bars, trades, quotes or book levels as an event source (streamed, never held whole). */
export function csvSource(options: CsvSourceOptions): EventSource {
  if (options === null || typeof options !== 'object') throw new BacktestConfigError('csv', options, 'must be an options object');
  if (typeof options.path !== 'string' || options.path === '') throw new BacktestConfigError('csv.path', options.path, 'must be a file path');
  if (!['ns', 'us', 'ms', 's', 'iso'].includes(options.time?.unit)) throw new BacktestConfigError('csv.time.unit', options.time?.unit, 'must be ns, us, ms, s or iso');
  const intervalNs = options.kind === 'bars' ? barIntervalNs(options.interval) : 0n;
  return { name: options.path, chunks: () => readCsv(options, intervalNs) };
}

function barIntervalNs(token: string): bigint {
  let interval;
  try {
    interval = parseBarInterval(token);
  } catch (err) {
    throw new BacktestConfigError('csv.interval', token, (err as Error).message);
  }
  if (interval.kind !== 'time') throw new BacktestConfigError('csv.interval', token, 'must be a time bar interval (a CSV bar has a start time, not a volume)');
  return interval.ns;
}

async function* readCsv(o: CsvSourceOptions, intervalNs: bigint): AsyncGenerator<MarketEvent[]> {
  const delimiter = o.delimiter ?? ',';
  const chunkSize = o.chunkSize ?? 4096;
  let header: Map<string, number> | undefined;
  let rowOf: ((f: string[], line: number) => MarketEvent | undefined) | undefined;
  let out: MarketEvent[] = [];
  let book: BookGrouper | undefined;
  for await (const { lines, firstLine } of lineChunks(o.path)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      const line = firstLine + i;
      if (header === undefined) {
        header = new Map(text.split(delimiter).map((name, k) => [name.trim(), k]));
        rowOf = rowReader(o, header, intervalNs);
        if (o.kind === 'book') book = new BookGrouper(o, header);
        continue;
      }
      if (text === '') continue;
      const fields = text.split(delimiter);
      if (fields.length !== header.size) throw new EventFormatError(o.path, line, 'row', text, `has ${fields.length} columns, the header ${header.size}`);
      if (book !== undefined) {
        const done = book.add(fields, line);
        if (done !== undefined) out.push(done);
      } else {
        const e = rowOf!(fields, line);
        if (e !== undefined) out.push(e);
      }
      if (out.length >= chunkSize) {
        yield out;
        out = [];
      }
    }
  }
  if (header === undefined) throw new EventFormatError(o.path, 1, 'header', '', 'is missing: the file is empty');
  const last = book?.flush();
  if (last !== undefined) out.push(last);
  if (out.length > 0) yield out;
}

function column(o: CsvCommon, header: Map<string, number>, key: string, name: string | undefined, fallback: string, required = true): number {
  const wanted = name ?? fallback;
  const k = header.get(wanted);
  if (k === undefined && required) throw new BacktestConfigError(`csv.columns.${key}`, wanted, `is not a column of ${o.path} (it has ${[...header.keys()].join(', ')})`);
  return k ?? -1;
}

function rowReader(o: CsvSourceOptions, header: Map<string, number>, intervalNs: bigint): (f: string[], line: number) => MarketEvent | undefined {
  const timeCol = column(o, header, 'time', o.time.column, o.time.column);
  const symbolOf = symbolReader(o, header);
  const timeOf = (f: string[], line: number) => parseTime(o.path, line, o.time, f[timeCol]!);
  const dec = (f: string[], line: number, col: number, field: string) => parseDecimal(o.path, line, field, f[col]!);
  switch (o.kind) {
    case 'bars': {
      const c = o.columns ?? {};
      const [open, high, low, close, volume] = (['open', 'high', 'low', 'close', 'volume'] as const).map((k) => column(o, header, k, c[k], k));
      const trades = column(o, header, 'trades', c.trades, 'trades', false);
      const interval = parseBarInterval(o.interval).token;
      const atEnd = o.timeMarks === 'end';
      return (f, line): BarEvent => {
        const t = timeOf(f, line);
        const startNs = atEnd ? t - intervalNs : t;
        return {
          kind: 'bar',
          symbol: symbolOf(f, line),
          tsNs: startNs + intervalNs,
          interval,
          startNs,
          open: dec(f, line, open!, 'open'),
          high: dec(f, line, high!, 'high'),
          low: dec(f, line, low!, 'low'),
          close: dec(f, line, close!, 'close'),
          volume: dec(f, line, volume!, 'volume'),
          trades: trades < 0 ? 0 : parseCount(o.path, line, 'trades', f[trades]!),
          revision: 0,
        };
      };
    }
    case 'trades': {
      const c = o.columns ?? {};
      const price = column(o, header, 'price', c.price, 'price');
      const size = column(o, header, 'size', c.size, 'size');
      const side = column(o, header, 'side', c.side, 'side', c.side !== undefined);
      const id = column(o, header, 'id', c.id, 'id', c.id !== undefined);
      return (f, line): TradeEvent => ({
        kind: 'trade',
        symbol: symbolOf(f, line),
        tsNs: timeOf(f, line),
        price: dec(f, line, price, 'price'),
        size: dec(f, line, size, 'size'),
        aggressor: side < 0 ? undefined : parseSide(o.path, line, f[side]!),
        tradeId: id < 0 ? undefined : f[id],
      });
    }
    case 'quotes': {
      const c = o.columns ?? {};
      const [bid, bidSize, ask, askSize] = (['bid', 'bidSize', 'ask', 'askSize'] as const).map((k) => column(o, header, k, c[k], k));
      const level = (f: string[], line: number, p: number, s: number, side: string): Level | undefined => {
        if (f[p] === '' && f[s] === '') return undefined;
        return { price: dec(f, line, p, side), size: dec(f, line, s, `${side}Size`) };
      };
      return (f, line): QuoteEvent => ({
        kind: 'quote',
        symbol: symbolOf(f, line),
        tsNs: timeOf(f, line),
        bid: level(f, line, bid!, bidSize!, 'bid'),
        ask: level(f, line, ask!, askSize!, 'ask'),
      });
    }
    case 'book':
      return () => undefined;
  }
}

/** Builds book events from consecutive level rows of one symbol, time and type. */
class BookGrouper {
  private readonly seqs = new Map<string, bigint>();
  private current: { symbol: string; tsNs: bigint; snapshot: boolean; bids: Level[]; asks: Level[] } | undefined;
  private readonly time: number;
  private readonly side: number;
  private readonly price: number;
  private readonly size: number;
  private readonly type: number;
  private readonly symbolOf: (f: string[], line: number) => string;

  constructor(
    private readonly o: CsvBookOptions,
    header: Map<string, number>,
  ) {
    const c = o.columns ?? {};
    this.time = column(o, header, 'time', o.time.column, o.time.column);
    this.side = column(o, header, 'side', c.side, 'side');
    this.price = column(o, header, 'price', c.price, 'price');
    this.size = column(o, header, 'size', c.size, 'size');
    this.type = column(o, header, 'type', c.type, 'type', c.type !== undefined);
    this.symbolOf = symbolReader(o, header);
  }

  /** Adds a row; returns the previous event when this row starts a new one. */
  add(f: string[], line: number): BookEvent | undefined {
    const path = this.o.path;
    const symbol = this.symbolOf(f, line);
    const tsNs = parseTime(path, line, this.o.time, f[this.time]!);
    const typeText = this.type < 0 ? 'delta' : f[this.type]!.trim().toLowerCase();
    if (typeText !== 'snapshot' && typeText !== 'delta') throw new EventFormatError(path, line, 'type', typeText, 'must be snapshot or delta');
    const snapshot = typeText === 'snapshot';
    const sideText = f[this.side]!.trim().toLowerCase();
    if (sideText !== 'bid' && sideText !== 'ask') throw new EventFormatError(path, line, 'side', f[this.side], 'must be bid or ask');
    const level = { price: parseDecimal(path, line, 'price', f[this.price]!), size: parseDecimal(path, line, 'size', f[this.size]!) };
    let done: BookEvent | undefined;
    const c = this.current;
    if (c === undefined || c.symbol !== symbol || c.tsNs !== tsNs || c.snapshot !== snapshot) {
      done = this.flush();
      this.current = { symbol, tsNs, snapshot, bids: [], asks: [] };
    }
    (sideText === 'bid' ? this.current!.bids : this.current!.asks).push(level);
    return done;
  }

  flush(): BookEvent | undefined {
    const c = this.current;
    if (c === undefined) return undefined;
    this.current = undefined;
    const seq = (this.seqs.get(c.symbol) ?? 0n) + 1n;
    this.seqs.set(c.symbol, seq);
    return { kind: 'book', symbol: c.symbol, tsNs: c.tsNs, seq, snapshot: c.snapshot, bids: c.bids, asks: c.asks };
  }
}

function symbolReader(o: CsvCommon, header: Map<string, number>): (f: string[], line: number) => string {
  if (typeof o.symbol === 'string') {
    const symbol = o.symbol;
    return () => symbol;
  }
  const col = column(o, header, 'symbol', o.symbol.column, o.symbol.column);
  return (f, line) => {
    const s = f[col]!.trim();
    if (s === '') throw new EventFormatError(o.path, line, 'symbol', s, 'is empty');
    return s;
  };
}

const EXPONENT = /^([+-]?\d+(?:\.\d+)?)[eE]([+-]?\d+)$/;

/**
 * A decimal field, exactly. Scientific notation (`9e-05`, as pandas writes small floats) is taken
 * at its exact decimal value: the digits the file holds, shifted.
 */
export function parseDecimal(source: string, line: number, field: string, text: string): Decimal {
  try {
    const m = EXPONENT.exec(text.trim());
    if (m === null) return Decimal.parse(text);
    const mantissa = Decimal.parse(m[1]!);
    const exponent = Number(m[2]);
    return exponent >= 0 ? mantissa.mul(10n ** BigInt(exponent)) : Decimal.fromUnits(mantissa.coef, mantissa.scale - exponent);
  } catch (err) {
    throw new EventFormatError(source, line, field, text, 'is not a decimal', { cause: err });
  }
}

function parseCount(source: string, line: number, field: string, text: string): number {
  const n = Number(text);
  if (text === '' || text === 'NULL') return 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new EventFormatError(source, line, field, text, 'is not a count');
  return n;
}

function parseSide(source: string, line: number, text: string): Side | undefined {
  switch (text.trim().toLowerCase()) {
    case 'buy':
    case 'b':
      return 'BUY';
    case 'sell':
    case 's':
      return 'SELL';
    case '':
      return undefined;
    default:
      throw new EventFormatError(source, line, 'side', text, 'must be buy or sell (or b / s)');
  }
}

/** A time field as exact nanoseconds since the epoch. */
export function parseTime(source: string, line: number, time: CsvTime, text: string): bigint {
  const t = text.trim();
  if (time.unit === 'iso') {
    const ms = Date.parse(t.includes('T') ? t : t.replace(' ', 'T'));
    if (!Number.isFinite(ms)) throw new EventFormatError(source, line, time.column, text, 'is not an ISO 8601 time');
    return BigInt(ms) * 1_000_000n;
  }
  const scale = NS[time.unit];
  if (/^\d+$/.test(t)) return BigInt(t) * scale;
  let d: Decimal;
  try {
    d = Decimal.parse(t);
  } catch (err) {
    throw new EventFormatError(source, line, time.column, text, `is not a time in ${time.unit}`, { cause: err });
  }
  if (d.isNegative()) throw new EventFormatError(source, line, time.column, text, 'is before the epoch');
  const ns = d.mul(scale);
  if (ns.scale > 0) throw new EventFormatError(source, line, time.column, text, `is finer than a nanosecond`);
  return ns.coef;
}
