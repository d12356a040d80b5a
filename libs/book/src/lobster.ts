// LOBSTER (lobsterdata.com) message and orderbook files: parsing and streaming.
//
// Self-contained on purpose: it imports only @meridian/domain and node built-ins, so the ingestion
// service can reuse it for LOBSTER replay without pulling in the books.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Decimal, DomainError } from '@meridian/domain';

/** LOBSTER prices are US dollars times 10,000: integer prices with 4 implied decimals. */
export const LOBSTER_PRICE_SCALE = 4;
/** One LOBSTER price unit, $0.0001: the tick size of a book fed LOBSTER prices unchanged. */
export const LOBSTER_TICK_SIZE = Decimal.fromUnits(1n, LOBSTER_PRICE_SCALE);
/** The price of an empty ask level in an orderbook file (its size is 0). */
export const LOBSTER_EMPTY_ASK_PRICE = 9999999999;
/** The price of an empty bid level in an orderbook file (its size is 0). */
export const LOBSTER_EMPTY_BID_PRICE = -9999999999;

/** Message file column names, in file order (1-based column = index + 1). */
export const LOBSTER_MESSAGE_COLUMNS = ['time', 'type', 'order_id', 'size', 'price', 'direction'] as const;

/**
 * LOBSTER event types: 1 submission, 2 partial cancellation, 3 deletion, 4 execution of a visible
 * order, 5 execution of a hidden order, 6 cross trade (auction; in later LOBSTER versions),
 * 7 trading halt indicator.
 */
export type LobsterEventType = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type LobsterEventKind = 'submit' | 'cancel' | 'delete' | 'execute' | 'execute_hidden' | 'cross_trade' | 'halt';

const KINDS: Record<LobsterEventType, LobsterEventKind> = {
  1: 'submit',
  2: 'cancel',
  3: 'delete',
  4: 'execute',
  5: 'execute_hidden',
  6: 'cross_trade',
  7: 'halt',
};

/** One row of a message file. */
export interface LobsterMessage {
  /** 1-based line number in the file (or as given to the parser). */
  readonly line: number;
  /** Nanoseconds after midnight (the file gives seconds with up to 9 decimals; longer float artefacts are rounded). */
  readonly timeNs: bigint;
  readonly type: LobsterEventType;
  readonly kind: LobsterEventKind;
  /** Exchange order reference; 0 for hidden executions and halts. */
  readonly orderId: number;
  /** Shares; 0 for halts. */
  readonly size: number;
  /** Dollars × 10,000 (see `lobsterPrice`). For halts -1 (halt), 0 (quote resumption) or 1 (trade resumption). */
  readonly price: number;
  /** 1 buy limit order, -1 sell limit order (for an execution: the side of the resting order). */
  readonly direction: 1 | -1;
  /** The book side the message acts on: direction 1 is the bid side, -1 the ask side. */
  readonly side: 'bid' | 'ask';
}

export interface LobsterLevel {
  /** Dollars × 10,000. */
  readonly price: number;
  /** Shares. */
  readonly size: number;
}

/** One row of an orderbook file: the book after the message of the same row, best level first. */
export interface LobsterBookRow {
  readonly line: number;
  /** Occupied ask levels, best (lowest) first; the file's empty-level placeholders are dropped. */
  readonly asks: LobsterLevel[];
  /** Occupied bid levels, best (highest) first. */
  readonly bids: LobsterLevel[];
}

/** A LOBSTER row that does not follow the format; names the file (when known), line and column. */
export class LobsterFormatError extends DomainError {
  constructor(
    readonly line: number,
    /** 1-based column, or 0 when the problem is the row as a whole. */
    readonly column: number,
    readonly value: string,
    reason: string,
    readonly file?: string,
  ) {
    const where = `${file === undefined ? '' : `${file} `}line ${line}${column > 0 ? ` column ${column}` : ''}`;
    super('LOBSTER_FORMAT', `LOBSTER ${where}: ${JSON.stringify(value)} ${reason}`);
  }
}

/** A LOBSTER integer price (dollars × 10,000) as an exact Decimal. */
export function lobsterPrice(price: number): Decimal {
  if (!Number.isSafeInteger(price)) throw new LobsterFormatError(0, 0, String(price), 'is not a LOBSTER integer price');
  return Decimal.fromUnits(BigInt(price), LOBSTER_PRICE_SCALE);
}

const INTEGER = /^-?\d+$/;
/** The most fraction digits a time may have (Decimal's largest scale); float artefacts have at most 17 significant digits. */
const MAX_TIME_FRACTION_DIGITS = 36;
const TIME = /^\d+(?:\.\d+)?$/;

/** Parses one message file row. `line` is its 1-based line number, used in errors. */
export function parseLobsterMessage(text: string, line: number, file?: string): LobsterMessage {
  const fields = splitRow(text, line, file);
  if (fields.length !== 6) {
    throw new LobsterFormatError(line, 0, text, `has ${fields.length} columns, a message row has 6 (${LOBSTER_MESSAGE_COLUMNS.join(',')})`, file);
  }
  const time = fields[0]!;
  if (!TIME.test(time)) throw new LobsterFormatError(line, 1, time, 'is not a time in seconds after midnight', file);
  const dot = time.indexOf('.');
  if (dot >= 0 && time.length - dot - 1 > MAX_TIME_FRACTION_DIGITS) {
    // Longer than any float prints, and longer than Decimal holds: refused here, with its line and column.
    throw new LobsterFormatError(line, 1, time, `has more than ${MAX_TIME_FRACTION_DIGITS} fraction digits`, file);
  }
  const timeNs = nanoseconds(time);

  const typeNumber = integer(fields[1]!, line, 2, file);
  if (!(typeNumber in KINDS)) throw new LobsterFormatError(line, 2, fields[1]!, 'is not an event type (1, 2, 3, 4, 5, 6 or 7)', file);
  const type = typeNumber as LobsterEventType;
  const orderId = integer(fields[2]!, line, 3, file);
  const size = integer(fields[3]!, line, 4, file);
  const price = integer(fields[4]!, line, 5, file);
  const direction = integer(fields[5]!, line, 6, file);
  if (direction !== 1 && direction !== -1) throw new LobsterFormatError(line, 6, fields[5]!, 'is not a direction (1 buy, -1 sell)', file);

  if (type === 7) {
    if (price !== -1 && price !== 0 && price !== 1) {
      throw new LobsterFormatError(line, 5, fields[4]!, 'is not a halt indicator price (-1 halt, 0 quoting resumes, 1 trading resumes)', file);
    }
  } else {
    if (orderId < 0) throw new LobsterFormatError(line, 3, fields[2]!, 'is not an order id (non-negative integer)', file);
    if (size <= 0) throw new LobsterFormatError(line, 4, fields[3]!, 'is not a size (positive number of shares)', file);
    if (price <= 0) throw new LobsterFormatError(line, 5, fields[4]!, 'is not a price (positive dollars x 10000)', file);
  }
  return { line, timeNs, type, kind: KINDS[type], orderId, size, price, direction, side: direction === 1 ? 'bid' : 'ask' };
}

/**
 * Parses one orderbook file row (`ask_px_1, ask_sz_1, bid_px_1, bid_sz_1, ask_px_2, …`). `levels`
 * is the file's level count when known (the row must then have 4 × levels columns). Empty levels
 * (9999999999 / -9999999999 with size 0) are dropped; they may only follow the occupied ones, and
 * occupied levels must be strictly ordered best first.
 */
export function parseLobsterBookRow(text: string, line: number, levels?: number, file?: string): LobsterBookRow {
  const fields = splitRow(text, line, file);
  if (fields.length === 0 || fields.length % 4 !== 0) {
    throw new LobsterFormatError(line, 0, text, `has ${fields.length} columns, an orderbook row has 4 per level`, file);
  }
  if (levels !== undefined && fields.length !== levels * 4) {
    throw new LobsterFormatError(line, 0, text, `has ${fields.length} columns, expected ${levels * 4} for ${levels} levels`, file);
  }
  const asks: LobsterLevel[] = [];
  const bids: LobsterLevel[] = [];
  let asksEnded = false;
  let bidsEnded = false;
  for (let level = 0; level < fields.length / 4; level++) {
    const column = level * 4 + 1;
    asksEnded = bookLevel(fields, column, line, file, 'ask', asks, asksEnded);
    bidsEnded = bookLevel(fields, column + 2, line, file, 'bid', bids, bidsEnded);
  }
  return { line, asks, bids };
}

/** Reads one price/size pair into `into`; returns whether the side has reached its empty levels. */
function bookLevel(
  fields: string[],
  column: number,
  line: number,
  file: string | undefined,
  side: 'ask' | 'bid',
  into: LobsterLevel[],
  ended: boolean,
): boolean {
  const price = integer(fields[column - 1]!, line, column, file);
  const size = integer(fields[column]!, line, column + 1, file);
  const empty = side === 'ask' ? LOBSTER_EMPTY_ASK_PRICE : LOBSTER_EMPTY_BID_PRICE;
  if (price === empty) {
    if (size !== 0) throw new LobsterFormatError(line, column + 1, fields[column]!, `is the size of an empty ${side} level, must be 0`, file);
    return true;
  }
  if (ended) throw new LobsterFormatError(line, column, fields[column - 1]!, `is an occupied ${side} level after an empty one`, file);
  if (price <= 0 || price >= LOBSTER_EMPTY_ASK_PRICE) {
    throw new LobsterFormatError(line, column, fields[column - 1]!, `is not a price for the ${side} side (positive dollars x 10000)`, file);
  }
  if (size <= 0) throw new LobsterFormatError(line, column + 1, fields[column]!, `is not the size of an occupied ${side} level (positive)`, file);
  const previous = into[into.length - 1];
  if (previous !== undefined && (side === 'ask' ? price <= previous.price : price >= previous.price)) {
    throw new LobsterFormatError(line, column, fields[column - 1]!, `is not ${side === 'ask' ? 'above' : 'below'} the previous ${side} level ${previous.price}`, file);
  }
  into.push({ price, size });
  return false;
}

/**
 * Seconds after midnight as exact nanoseconds. LOBSTER times have at most 9 decimals, but some
 * files carry float-printing artefacts (`35821.088778456004`): those are rounded half-even to the ns.
 */
function nanoseconds(seconds: string): bigint {
  const ns = Decimal.parse(seconds).round(9, 'half-even');
  return ns.coef * 10n ** BigInt(9 - ns.scale);
}

function splitRow(text: string, line: number, file: string | undefined): string[] {
  if (typeof text !== 'string') throw new LobsterFormatError(line, 0, String(text), 'is not a text row', file);
  const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (trimmed.length === 0) throw new LobsterFormatError(line, 0, text, 'is an empty row', file);
  return trimmed.split(',');
}

function integer(field: string, line: number, column: number, file: string | undefined): number {
  if (!INTEGER.test(field)) throw new LobsterFormatError(line, column, field, 'is not an integer', file);
  const n = Number(field);
  if (!Number.isSafeInteger(n)) throw new LobsterFormatError(line, column, field, 'is beyond the safe integer range', file);
  return n;
}

/** A file's lines with their 1-based numbers, read as a stream (no need to hold the file in memory). */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { text, line };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** Streams a message file as parsed rows; a bad row throws `LobsterFormatError` naming the file, line and column. */
export async function* readLobsterMessages(path: string): AsyncGenerator<LobsterMessage> {
  for await (const { text, line } of readLines(path)) yield parseLobsterMessage(text, line, path);
}

/** Streams an orderbook file as parsed rows (`levels` checks the column count when given). */
export async function* readLobsterBookRows(path: string, levels?: number): AsyncGenerator<LobsterBookRow> {
  for await (const { text, line } of readLines(path)) yield parseLobsterBookRow(text, line, levels, path);
}
