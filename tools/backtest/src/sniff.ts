// What a CSV file of market data holds, read from its header and first rows: bars, trades, quotes
// or book levels; which column is the time and in what unit; the bar interval; the symbol column.
// Everything guessed here can be given explicitly in a data spec instead.
import { open } from 'node:fs/promises';
import { InvalidRequestError } from './errors';

export type CsvKind = 'bars' | 'trades' | 'quotes' | 'book';
export type TimeUnit = 'ns' | 'us' | 'ms' | 's' | 'iso';

export interface CsvSniff {
  readonly delimiter: string;
  readonly header: readonly string[];
  readonly kind: CsvKind;
  readonly timeColumn: string;
  readonly timeUnit: TimeUnit;
  /** Bars: the smallest positive spacing of the first rows, as an interval token (`1m`, `1d`). */
  readonly interval: string | undefined;
  readonly timeMarks: 'start' | 'end';
  readonly symbolColumn: string | undefined;
  /** Column names of the fields the engine reads, where they differ from its defaults. */
  readonly columns: Readonly<Record<string, string>>;
}

const HEAD_BYTES = 64 * 1024;
const TIME_NAMES = /^(ts|ts_ns|ts_us|ts_ms|time|timestamp|date|datetime|open_time|open_time_ms|open_time_utc|close_time|close_time_ms|end_time|start_time|unix|t)$/i;

async function head(path: string, field: string): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InvalidRequestError(field, `cannot read ${JSON.stringify(path)}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    // The last piece may be cut in the middle of a row.
    if (bytesRead === HEAD_BYTES) lines.pop();
    return lines.filter((l) => l.trim() !== '');
  } finally {
    await handle.close();
  }
}

/** The unit of a time cell: digits by their magnitude, anything else ISO 8601. */
export function timeUnitOf(cell: string): TimeUnit {
  const t = cell.trim();
  if (/^\d+$/.test(t)) {
    if (t.length >= 18) return 'ns';
    if (t.length >= 15) return 'us';
    if (t.length >= 12) return 'ms';
    return 's';
  }
  if (/^\d+\.\d+$/.test(t)) return 's';
  return 'iso';
}

/** Milliseconds of a time cell in its unit (for spacing only; the engine parses the times exactly). */
function timeMs(cell: string, unit: TimeUnit): number {
  const t = cell.trim();
  switch (unit) {
    case 'ns':
      return Number(BigInt(t) / 1_000_000n);
    case 'us':
      return Number(BigInt(t) / 1_000n);
    case 'ms':
      return Number(t);
    case 's':
      return Number(t) * 1000;
    case 'iso':
      return Date.parse(t.includes('T') ? t : t.replace(' ', 'T'));
  }
}

/** The canonical bar interval token of a spacing in ms (`60000` → `1m`). */
export function intervalToken(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Reads the header and first rows of a CSV file and says what it holds. `field` names the spec in errors. */
export async function sniffCsv(path: string, field: string): Promise<CsvSniff> {
  const lines = await head(path, field);
  if (lines.length === 0) throw new InvalidRequestError(field, `${path} is empty`);
  const first = lines[0]!;
  const delimiter = first.includes(',') ? ',' : first.includes(';') ? ';' : first.includes('\t') ? '\t' : ',';
  const header = first.split(delimiter).map((h) => h.trim());
  const lower = new Map(header.map((h) => [h.toLowerCase(), h]));
  const rows = lines.slice(1, 200).map((l) => l.split(delimiter));
  if (rows.length === 0) throw new InvalidRequestError(field, `${path} has a header and no rows`);
  const has = (...names: string[]) => names.every((n) => lower.has(n));
  const pick = (...names: string[]) => names.map((n) => lower.get(n)).find((n) => n !== undefined);

  const timeColumn = header.find((h) => TIME_NAMES.test(h));
  if (timeColumn === undefined) {
    throw new InvalidRequestError(field, `${path} has no time column (looked for ts, time, timestamp, date, open_time, unix…; its columns are ${header.join(', ')}): give data.time { column, unit }`);
  }
  const timeIndex = header.indexOf(timeColumn);
  const timeUnit = timeUnitOf(rows[0]![timeIndex] ?? '');
  const symbolColumn = pick('symbol', 'instrument', 'ticker');
  const symbolIndex = symbolColumn === undefined ? -1 : header.indexOf(symbolColumn);

  const columns: Record<string, string> = {};
  let kind: CsvKind;
  if (has('open', 'high', 'low', 'close')) {
    kind = 'bars';
    for (const k of ['open', 'high', 'low', 'close']) if (lower.get(k) !== k) columns[k] = lower.get(k)!;
    const volume = pick('volume') ?? header.find((h) => /^volume/i.test(h));
    if (volume === undefined) throw new InvalidRequestError(field, `${path} looks like bars but has no volume column (${header.join(', ')})`);
    if (volume !== 'volume') columns.volume = volume;
    const trades = pick('trades', 'trade_count', 'tradecount', 'count', 'number_of_trades');
    if (trades !== undefined && trades !== 'trades') columns.trades = trades;
  } else if (has('bid', 'ask') || has('bid_price', 'ask_price')) {
    kind = 'quotes';
    const map: Record<string, string | undefined> = {
      bid: pick('bid', 'bid_price'),
      ask: pick('ask', 'ask_price'),
      bidSize: pick('bidsize', 'bid_size', 'bid_qty', 'bid_quantity'),
      askSize: pick('asksize', 'ask_size', 'ask_qty', 'ask_quantity'),
    };
    for (const [k, v] of Object.entries(map)) {
      if (v === undefined) throw new InvalidRequestError(field, `${path} looks like quotes but has no ${k} column (${header.join(', ')})`);
      if (v !== k) columns[k] = v;
    }
  } else if (lower.has('price')) {
    const size = pick('size', 'qty', 'quantity', 'amount', 'volume');
    if (size === undefined) throw new InvalidRequestError(field, `${path} has a price column but no size, qty, quantity, amount or volume (${header.join(', ')})`);
    if (size !== 'size') columns.size = size;
    if (lower.get('price') !== 'price') columns.price = lower.get('price')!;
    const side = pick('side');
    const sideIndex = side === undefined ? -1 : header.indexOf(side);
    const sideValue = sideIndex < 0 ? '' : (rows[0]![sideIndex] ?? '').trim().toLowerCase();
    if (sideValue === 'bid' || sideValue === 'ask') {
      kind = 'book';
      if (side !== 'side') columns.side = side!;
      const type = pick('type');
      if (type !== undefined) columns.type = type;
    } else {
      kind = 'trades';
      if (side !== undefined) columns.side = side;
      const id = pick('id', 'trade_id', 'tradeid');
      if (id !== undefined) columns.id = id;
    }
  } else {
    throw new InvalidRequestError(field, `${path}: cannot tell bars, trades, quotes or book levels from the columns ${header.join(', ')} (bars need open, high, low, close, volume)`);
  }

  let interval: string | undefined;
  if (kind === 'bars') {
    // The smallest positive spacing between rows of one symbol: weekends and gaps only widen it.
    const last = new Map<string, number>();
    let min = Number.POSITIVE_INFINITY;
    for (const r of rows) {
      const t = timeMs(r[timeIndex] ?? '', timeUnit);
      const s = symbolIndex < 0 ? '' : (r[symbolIndex] ?? '');
      const prev = last.get(s);
      if (prev !== undefined && Number.isFinite(t) && t > prev && t - prev < min) min = t - prev;
      if (Number.isFinite(t)) last.set(s, t);
    }
    if (Number.isFinite(min) && Number.isSafeInteger(min) && min > 0) interval = intervalToken(min);
  }
  const timeMarks = /close|end/i.test(timeColumn) ? 'end' : 'start';
  return { delimiter, header, kind, timeColumn, timeUnit, interval, timeMarks, symbolColumn, columns };
}
