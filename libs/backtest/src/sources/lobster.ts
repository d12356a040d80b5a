import { Decimal } from '@meridian/domain';
import { lobsterPrice, readLobsterBookRows, readLobsterMessages } from '@meridian/book';
import type { Level, LobsterLevel } from '@meridian/book';
import { BacktestConfigError, EventFormatError } from '../errors';
import type { MarketEvent } from '../events';
import type { EventSource } from './source';

export interface LobsterSourceOptions {
  /** The message file and its orderbook file (row i of the orderbook is the book after message i). */
  readonly messages: string;
  readonly orderbook: string;
  readonly symbol: string;
  /** Levels per side in the orderbook file (checks its column count). */
  readonly levels: number;
  /** The trading day, `YYYY-MM-DD`: LOBSTER times are seconds after its midnight. */
  readonly date: string;
  /** Offset of the exchange's clock from UTC, minutes (New York: -300 in winter, -240 in summer); default 0. */
  readonly utcOffsetMinutes?: number;
  /** Read at most this many rows (default: all). */
  readonly maxRows?: number;
  readonly chunkSize?: number;
}

/**
 * A LOBSTER message file and its orderbook file as market events: visible and hidden executions
 * (types 4, 5) and cross trades (6) become trades (the aggressor is the side opposite the resting
 * order a visible execution names), and each orderbook row becomes a book event: the first row a
 * snapshot, every later one the levels that changed from the row before (a level that left the
 * top N has size 0). Prices in LOBSTER's unit, $0.0001 (`LOBSTER_TICK_SIZE`); sizes in shares.
 */
export function lobsterSource(options: LobsterSourceOptions): EventSource {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(options?.date ?? '');
  if (!m) throw new BacktestConfigError('lobster.date', options?.date, 'must be a date YYYY-MM-DD');
  const midnightMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - (options.utcOffsetMinutes ?? 0) * 60_000;
  if (!Number.isFinite(midnightMs)) throw new BacktestConfigError('lobster.date', options.date, 'is not a calendar date');
  if (!Number.isSafeInteger(options.levels) || options.levels < 1) throw new BacktestConfigError('lobster.levels', options.levels, 'must be a positive integer');
  const dayNs = BigInt(midnightMs) * 1_000_000n;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const chunkSize = options.chunkSize ?? 4096;
  return {
    name: options.messages,
    async *chunks() {
      const messages = readLobsterMessages(options.messages)[Symbol.asyncIterator]();
      const rows = readLobsterBookRows(options.orderbook, options.levels)[Symbol.asyncIterator]();
      let previous: { bids: Map<number, number>; asks: Map<number, number> } | undefined;
      let seq = 0n;
      let out: MarketEvent[] = [];
      try {
        for (let i = 0; i < maxRows; i++) {
          const [msg, row] = await Promise.all([messages.next(), rows.next()]);
          if (msg.done || row.done) {
            if (msg.done !== row.done) {
              throw new EventFormatError(msg.done ? options.orderbook : options.messages, i + 1, 'row', '', `has no counterpart: the message file has ${msg.done ? i : 'more'} rows, the orderbook file ${row.done ? i : 'more'}`);
            }
            break;
          }
          const message = msg.value;
          const tsNs = dayNs + message.timeNs;
          if (message.type === 4 || message.type === 5 || message.type === 6) {
            out.push({
              kind: 'trade',
              symbol: options.symbol,
              tsNs,
              price: lobsterPrice(message.price),
              size: Decimal.from(message.size),
              aggressor: message.type === 6 ? undefined : message.direction === 1 ? 'SELL' : 'BUY',
              tradeId: `${message.line}`,
            });
          }
          const now = { bids: sizes(row.value.bids), asks: sizes(row.value.asks) };
          if (previous === undefined) {
            out.push({ kind: 'book', symbol: options.symbol, tsNs, seq: ++seq, snapshot: true, bids: levels(now.bids), asks: levels(now.asks) });
          } else {
            const bids = delta(previous.bids, now.bids);
            const asks = delta(previous.asks, now.asks);
            if (bids.length > 0 || asks.length > 0) out.push({ kind: 'book', symbol: options.symbol, tsNs, seq: ++seq, snapshot: false, bids, asks });
          }
          previous = now;
          if (out.length >= chunkSize) {
            yield out;
            out = [];
          }
        }
        if (out.length > 0) yield out;
      } finally {
        await Promise.all([messages.return?.(undefined), rows.return?.(undefined)]);
      }
    },
  };
}

const sizes = (levels: readonly LobsterLevel[]): Map<number, number> => new Map(levels.map((l) => [l.price, l.size]));
const levels = (m: Map<number, number>): Level[] => [...m].map(([price, size]) => ({ price: lobsterPrice(price), size: Decimal.from(size) }));

/** The levels that changed from one row to the next (size 0: gone from the top N). */
function delta(before: Map<number, number>, after: Map<number, number>): Level[] {
  const out: Level[] = [];
  for (const [price, size] of after) if (before.get(price) !== size) out.push({ price: lobsterPrice(price), size: Decimal.from(size) });
  for (const price of before.keys()) if (!after.has(price)) out.push({ price: lobsterPrice(price), size: Decimal.ZERO });
  return out;
}
