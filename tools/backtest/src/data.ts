// The market data of a run, as JSON specs: what the CLI's --data and --pg-* options and the API's
// `data` field say, resolved once (paths made absolute and checked against the allowed roots,
// CSV layouts sniffed) into specs a worker thread can open without guessing again.
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join as joinPath, resolve, sep } from 'node:path';
import { arraySource, csvSource, eventFromJson, jsonlSource, lobsterSource, postgresBarSource, postgresTradeSource, syntheticBars } from '@meridian/backtest';
import type { CsvSourceOptions, EventSource, MarketEvent } from '@meridian/backtest';
import { Decimal } from '@meridian/domain';
import type { Database } from '@meridian/store';
import { InvalidRequestError, shown } from './errors';
import { array, decimal, integer, isObject, join, number, object, oneOf, optional, string } from './json-fields';
import type { Json } from './json-fields';
import { sniffCsv } from './sniff';
import type { CsvKind, TimeUnit } from './sniff';

export interface CsvSpec {
  readonly kind: 'csv';
  readonly path: string;
  readonly type: CsvKind;
  /** A fixed symbol, or the column naming each row's. */
  readonly symbol?: string;
  readonly symbolColumn?: string;
  readonly time: { readonly column: string; readonly unit: TimeUnit };
  readonly interval?: string;
  readonly timeMarks?: 'start' | 'end';
  readonly columns?: Readonly<Record<string, string>>;
  readonly delimiter?: string;
}

export interface JsonlSpec {
  readonly kind: 'jsonl';
  readonly path: string;
}

export interface LobsterSpec {
  readonly kind: 'lobster';
  readonly messages: string;
  readonly orderbook: string;
  readonly symbol: string;
  readonly levels: number;
  readonly date: string;
  readonly utcOffsetMinutes?: number;
  readonly maxRows?: number;
}

export interface PostgresSpec {
  readonly kind: 'postgres';
  readonly type: 'bars' | 'trades';
  readonly venue: string;
  readonly symbol: string;
  /** Bars only. */
  readonly interval?: string;
  /** Inclusive start and exclusive end, ms since the epoch. */
  readonly fromMs?: number;
  readonly toMs?: number;
}

export interface SyntheticSpec {
  readonly kind: 'synthetic';
  readonly symbols: readonly string[];
  readonly bars: number;
  readonly seed: number;
  readonly interval?: string;
  readonly startMs?: number;
  readonly tickSize?: string;
  readonly startTicks?: number;
  readonly volatility?: number;
}

/** Events given inline, in `eventToJson`'s form (a client that has its data in memory). */
export interface EventsSpec {
  readonly kind: 'events';
  readonly events: readonly unknown[];
}

export type DataSpec = CsvSpec | JsonlSpec | LobsterSpec | PostgresSpec | SyntheticSpec | EventsSpec;

export interface ResolveOptions {
  /** Relative paths are taken from here. */
  readonly baseDir: string;
  /** When set, every file must lie under one of these directories (the server's data roots). */
  readonly roots?: readonly string[];
  /** The run's instruments: a file without a symbol column is the only instrument's. */
  readonly symbols: readonly string[];
}

const LOBSTER_NAME = /^([A-Za-z0-9.]+)_(\d{4}-\d{2}-\d{2})_\d+_\d+_message_(\d+)(.*)$/;
const MAX_INLINE_EVENTS = 1_000_000;

/** A file path, absolute, existing, and under an allowed root. */
function filePath(field: string, v: unknown, o: ResolveOptions): string {
  const given = string(field, v);
  const abs = isAbsolute(given) ? given : resolve(o.baseDir, given);
  let real: string;
  try {
    real = realpathSync(abs);
    if (!statSync(real).isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new InvalidRequestError(field, `cannot read ${JSON.stringify(given)}: ${(err as Error).message}`, { cause: err });
  }
  if (o.roots !== undefined) {
    const inside = o.roots.some((root) => {
      const r = realpathSync(root);
      return real === r || real.startsWith(r.endsWith(sep) ? r : r + sep);
    });
    if (!inside) throw new InvalidRequestError(field, `${JSON.stringify(given)} is outside the data roots this server reads (${o.roots.join(', ')})`);
  }
  return real;
}

function symbolOf(field: string, given: unknown, o: ResolveOptions, fallback?: string): string {
  if (given !== undefined) return string(field, given);
  if (o.symbols.length === 1) return o.symbols[0]!;
  if (fallback !== undefined) return fallback;
  throw new InvalidRequestError(field, `is required: the data names no symbol and the run has ${o.symbols.length} instruments (${o.symbols.join(', ')}); write SYMBOL=path or give "symbol"`);
}

/** A time given as ms since the epoch or an ISO 8601 date-time. */
export function parseTimeMs(field: string, v: unknown): number {
  if (typeof v === 'number') return integer(field, v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return integer(field, Number(v));
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms;
  }
  throw new InvalidRequestError(field, `must be a time: ms since the epoch or an ISO 8601 date (2024-01-31, 2024-01-31T12:00:00Z), got ${shown(v)}`);
}

async function resolveCsv(field: string, o: Json, opts: ResolveOptions): Promise<CsvSpec> {
  object(field, o, ['kind', 'path', 'type', 'symbol', 'symbolColumn', 'time', 'interval', 'timeMarks', 'columns', 'delimiter']);
  const path = filePath(join(field, 'path'), o.path, opts);
  const s = await sniffCsv(path, join(field, 'path'));
  const type = o.type === undefined ? s.kind : oneOf(join(field, 'type'), o.type, ['bars', 'trades', 'quotes', 'book'] as const);
  const timeJson = o.time === undefined ? undefined : object(join(field, 'time'), o.time, ['column', 'unit']);
  const time = {
    column: timeJson?.column === undefined ? s.timeColumn : string(join(join(field, 'time'), 'column'), timeJson.column),
    unit: timeJson?.unit === undefined ? s.timeUnit : oneOf(join(join(field, 'time'), 'unit'), timeJson.unit, ['ns', 'us', 'ms', 's', 'iso'] as const),
  };
  const symbolColumn = optional(o, 'symbolColumn', field, string) ?? (o.symbol === undefined ? s.symbolColumn : undefined);
  const symbol = symbolColumn === undefined ? symbolOf(join(field, 'symbol'), o.symbol, opts) : undefined;
  const columns: Record<string, string> = { ...s.columns };
  if (o.columns !== undefined) {
    const c = object(join(field, 'columns'), o.columns, ['open', 'high', 'low', 'close', 'volume', 'trades', 'price', 'size', 'side', 'id', 'bid', 'bidSize', 'ask', 'askSize', 'type']);
    for (const [k, v] of Object.entries(c)) columns[k] = string(join(join(field, 'columns'), k), v);
  }
  const interval = type === 'bars' ? (optional(o, 'interval', field, string) ?? s.interval) : undefined;
  if (type === 'bars' && interval === undefined) throw new InvalidRequestError(join(field, 'interval'), `is required: the bar spacing of ${path} cannot be read from its first rows`);
  return {
    kind: 'csv',
    path,
    type,
    ...(symbol !== undefined ? { symbol } : { symbolColumn }),
    time,
    ...(interval !== undefined ? { interval } : {}),
    ...(type === 'bars' ? { timeMarks: o.timeMarks === undefined ? s.timeMarks : oneOf(join(field, 'timeMarks'), o.timeMarks, ['start', 'end'] as const) } : {}),
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
    ...(s.delimiter !== ',' || o.delimiter !== undefined ? { delimiter: o.delimiter === undefined ? s.delimiter : string(join(field, 'delimiter'), o.delimiter) } : {}),
  };
}

function resolveLobster(field: string, o: Json, opts: ResolveOptions): LobsterSpec {
  object(field, o, ['kind', 'messages', 'orderbook', 'symbol', 'levels', 'date', 'utcOffsetMinutes', 'maxRows']);
  const messages = filePath(join(field, 'messages'), o.messages, opts);
  const m = LOBSTER_NAME.exec(basename(messages));
  const orderbook =
    o.orderbook !== undefined
      ? filePath(join(field, 'orderbook'), o.orderbook, opts)
      : m
        ? filePath(join(field, 'orderbook'), joinPath(dirname(messages), basename(messages).replace('_message_', '_orderbook_')), opts)
        : undefined;
  if (orderbook === undefined) throw new InvalidRequestError(join(field, 'orderbook'), `is required: ${basename(messages)} is not named like a LOBSTER message file (TICKER_DATE_start_end_message_LEVELS.csv)`);
  const date = o.date === undefined ? m?.[2] : string(join(field, 'date'), o.date);
  if (date === undefined) throw new InvalidRequestError(join(field, 'date'), 'is required: the file name does not carry the trading day');
  const levels = o.levels === undefined ? (m ? Number(m[3]) : undefined) : integer(join(field, 'levels'), o.levels, { min: 1 });
  if (levels === undefined) throw new InvalidRequestError(join(field, 'levels'), 'is required: the file name does not carry the number of levels');
  return {
    kind: 'lobster',
    messages,
    orderbook,
    symbol: symbolOf(join(field, 'symbol'), o.symbol, opts, m?.[1]),
    levels,
    date,
    ...(o.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: integer(join(field, 'utcOffsetMinutes'), o.utcOffsetMinutes, { min: -1440, max: 1440 }) } : {}),
    ...(o.maxRows !== undefined ? { maxRows: integer(join(field, 'maxRows'), o.maxRows, { min: 1 }) } : {}),
  };
}

function resolvePostgres(field: string, o: Json, opts: ResolveOptions): PostgresSpec {
  object(field, o, ['kind', 'type', 'venue', 'symbol', 'interval', 'from', 'to']);
  const type = o.type === undefined ? 'bars' : oneOf(join(field, 'type'), o.type, ['bars', 'trades'] as const);
  const fromMs = o.from === undefined ? undefined : parseTimeMs(join(field, 'from'), o.from);
  const toMs = o.to === undefined ? undefined : parseTimeMs(join(field, 'to'), o.to);
  if (fromMs !== undefined && toMs !== undefined && toMs <= fromMs) throw new InvalidRequestError(join(field, 'to'), `must be after from (${new Date(fromMs).toISOString()})`);
  return {
    kind: 'postgres',
    type,
    venue: string(join(field, 'venue'), o.venue ?? 'sim'),
    symbol: symbolOf(join(field, 'symbol'), o.symbol, opts),
    ...(type === 'bars' ? { interval: string(join(field, 'interval'), o.interval ?? '1m') } : {}),
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
  };
}

function resolveSynthetic(field: string, o: Json, opts: ResolveOptions): SyntheticSpec {
  object(field, o, ['kind', 'symbols', 'bars', 'seed', 'interval', 'start', 'tickSize', 'startTicks', 'volatility']);
  const symbols = o.symbols === undefined ? [...opts.symbols] : array(join(field, 'symbols'), o.symbols, { nonEmpty: true }).map((s, i) => string(join(join(field, 'symbols'), i), s));
  return {
    kind: 'synthetic',
    symbols,
    bars: integer(join(field, 'bars'), o.bars, { min: 1, max: 50_000_000 }),
    seed: integer(join(field, 'seed'), o.seed ?? 1, { min: 0 }),
    ...(o.interval !== undefined ? { interval: string(join(field, 'interval'), o.interval) } : {}),
    ...(o.start !== undefined ? { startMs: parseTimeMs(join(field, 'start'), o.start) } : {}),
    ...(o.tickSize !== undefined ? { tickSize: decimal(join(field, 'tickSize'), o.tickSize, { positive: true }).toString() } : {}),
    ...(o.startTicks !== undefined ? { startTicks: integer(join(field, 'startTicks'), o.startTicks, { min: 1 }) } : {}),
    ...(o.volatility !== undefined ? { volatility: number(join(field, 'volatility'), o.volatility) } : {}),
  };
}

function resolveEvents(field: string, o: Json): EventsSpec {
  object(field, o, ['kind', 'events']);
  const events = array(join(field, 'events'), o.events, { nonEmpty: true });
  if (events.length > MAX_INLINE_EVENTS) throw new InvalidRequestError(join(field, 'events'), `holds ${events.length} events; at most ${MAX_INLINE_EVENTS} are taken inline (put more in a file)`);
  // Parsed now so that a bad event is a bad request, not a failed run.
  events.forEach((e, i) => {
    try {
      eventFromJson(e, join(field, 'events'), i);
    } catch (err) {
      throw new InvalidRequestError(join(join(field, 'events'), i), (err as Error).message, { cause: err });
    }
  });
  return { kind: 'events', events };
}

/** One entry of `data`: a path (its kind told by its name), `SYMBOL=path`, or a spec object. */
export async function resolveDataSpec(field: string, v: unknown, opts: ResolveOptions): Promise<DataSpec> {
  if (typeof v === 'string') {
    const eq = /^([A-Za-z0-9_-]+)=(.+)$/.exec(v);
    const symbol = eq?.[1];
    const path = eq?.[2] ?? v;
    if (/\.(jsonl|ndjson)$/i.test(path)) return { kind: 'jsonl', path: filePath(field, path, opts) };
    if (LOBSTER_NAME.test(basename(path))) return resolveLobster(field, { kind: 'lobster', messages: path, ...(symbol ? { symbol } : {}) }, opts);
    return resolveCsv(field, { kind: 'csv', path, ...(symbol ? { symbol } : {}) }, opts);
  }
  if (!isObject(v)) throw new InvalidRequestError(field, `must be a file path or a data spec object, got ${shown(v)}`);
  switch (v.kind) {
    case 'csv':
      return resolveCsv(field, v, opts);
    case 'jsonl':
      object(field, v, ['kind', 'path']);
      return { kind: 'jsonl', path: filePath(join(field, 'path'), v.path, opts) };
    case 'lobster':
      return resolveLobster(field, v, opts);
    case 'postgres':
      return resolvePostgres(field, v, opts);
    case 'synthetic':
      return resolveSynthetic(field, v, opts);
    case 'events':
      return resolveEvents(field, v);
    default:
      throw new InvalidRequestError(join(field, 'kind'), `must be csv, jsonl, lobster, postgres, synthetic or events, got ${shown(v.kind)}`);
  }
}

export async function resolveData(v: unknown, opts: ResolveOptions, field = 'data'): Promise<DataSpec[]> {
  const items = array(field, v, { nonEmpty: true });
  const out: DataSpec[] = [];
  for (let i = 0; i < items.length; i++) out.push(await resolveDataSpec(join(field, i), items[i], opts));
  for (const [i, spec] of out.entries()) {
    const symbols = spec.kind === 'synthetic' ? spec.symbols : 'symbol' in spec && spec.symbol !== undefined ? [spec.symbol] : [];
    for (const s of symbols) {
      if (!opts.symbols.includes(s)) throw new InvalidRequestError(join(join(field, i), 'symbol'), `${JSON.stringify(s)} is not one of the run's instruments (${opts.symbols.join(', ')})`);
    }
  }
  return out;
}

/** Where the source may read from in time: whole, or a walk-forward window's part [fromMs, toMs). */
export interface TimeWindow {
  readonly fromMs?: number;
  readonly toMs?: number;
}

const nsOf = (ms: number | undefined) => (ms === undefined ? undefined : BigInt(ms) * 1_000_000n);

/** Keeps the events in [from, to) and stops reading at the first event past it (sources are in time order). */
export function windowed(source: EventSource, w: TimeWindow): EventSource {
  const from = nsOf(w.fromMs);
  const to = nsOf(w.toMs);
  if (from === undefined && to === undefined) return source;
  return {
    name: source.name,
    async *chunks() {
      for await (const chunk of source.chunks() as AsyncIterable<readonly MarketEvent[]>) {
        let start = 0;
        let end = chunk.length;
        if (from !== undefined) while (start < end && chunk[start]!.tsNs < from) start++;
        let done = false;
        if (to !== undefined) {
          let k = start;
          while (k < end && chunk[k]!.tsNs < to) k++;
          done = k < end;
          end = k;
        }
        if (end > start) yield start === 0 && end === chunk.length ? chunk : chunk.slice(start, end);
        if (done) return;
      }
    },
  };
}

/** Opens a resolved spec as an event source (`db` for PostgreSQL specs), limited to the window. */
export function openSource(spec: DataSpec, w: TimeWindow, db: Database | undefined): EventSource {
  switch (spec.kind) {
    case 'csv': {
      const options = {
        kind: spec.type,
        path: spec.path,
        symbol: spec.symbol ?? { column: spec.symbolColumn! },
        time: spec.time,
        ...(spec.interval !== undefined ? { interval: spec.interval } : {}),
        ...(spec.timeMarks !== undefined ? { timeMarks: spec.timeMarks } : {}),
        ...(spec.columns !== undefined ? { columns: spec.columns } : {}),
        ...(spec.delimiter !== undefined ? { delimiter: spec.delimiter } : {}),
      } as CsvSourceOptions;
      return windowed(csvSource(options), w);
    }
    case 'jsonl':
      return windowed(jsonlSource(spec.path), w);
    case 'lobster':
      return windowed(lobsterSource(spec), w);
    case 'postgres': {
      if (db === undefined) throw new InvalidRequestError('data', 'a postgres source needs DATABASE_URL');
      const from = Math.max(spec.fromMs ?? Number.NEGATIVE_INFINITY, w.fromMs ?? Number.NEGATIVE_INFINITY);
      const to = Math.min(spec.toMs ?? Number.POSITIVE_INFINITY, w.toMs ?? Number.POSITIVE_INFINITY);
      const series = {
        venue: spec.venue,
        symbol: spec.symbol,
        ...(Number.isFinite(from) ? { fromTsNs: BigInt(from) * 1_000_000n } : {}),
        ...(Number.isFinite(to) ? { toTsNs: BigInt(to) * 1_000_000n } : {}),
      };
      // Bars are selected by their start; the engine sees a bar at its end, so the window cuts by event time too.
      return spec.type === 'bars' ? windowed(postgresBarSource(db, { ...series, interval: spec.interval! }), w) : postgresTradeSource(db, series);
    }
    case 'synthetic':
      return windowed(
        syntheticBars({
          symbols: spec.symbols,
          bars: spec.bars,
          seed: spec.seed,
          ...(spec.interval !== undefined ? { interval: spec.interval } : {}),
          ...(spec.startMs !== undefined ? { startNs: BigInt(spec.startMs) * 1_000_000n } : {}),
          ...(spec.tickSize !== undefined ? { tickSize: Decimal.parse(spec.tickSize) } : {}),
          ...(spec.startTicks !== undefined ? { startTicks: spec.startTicks } : {}),
          ...(spec.volatility !== undefined ? { volatility: spec.volatility } : {}),
        }),
        w,
      );
    case 'events':
      return windowed(
        arraySource(
          'inline events',
          spec.events.map((e, i) => eventFromJson(e, 'inline events', i)),
        ),
        w,
      );
  }
}

/** A short name of a spec for titles and logs. */
export function describeSpec(spec: DataSpec): string {
  switch (spec.kind) {
    case 'csv':
      return `${basename(spec.path)} (${spec.type}${spec.interval ? ` ${spec.interval}` : ''})`;
    case 'jsonl':
      return basename(spec.path);
    case 'lobster':
      return `${basename(spec.messages)} (LOBSTER L${spec.levels})`;
    case 'postgres':
      return `postgres ${spec.type} ${spec.venue}/${spec.symbol}${spec.interval ? `/${spec.interval}` : ''}`;
    case 'synthetic':
      return `synthetic ${spec.symbols.join(',')} × ${spec.bars} bars`;
    case 'events':
      return `${spec.events.length} inline events`;
  }
}
