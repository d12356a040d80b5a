import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Level } from '@meridian/book';
import { EventFormatError } from './errors';

// The market events a backtest replays. Prices and sizes are exact (`Decimal`), times are
// nanoseconds since the epoch (`bigint`). An event happens at `tsNs`: a bar at its end, when it is
// known, as the platform publishes it.

/** A time or volume bar, at its end. */
export interface BarEvent {
  readonly kind: 'bar';
  readonly symbol: string;
  readonly tsNs: bigint;
  /** The canonical interval token (`1m`, `100ms`, `v10`). */
  readonly interval: string;
  readonly startNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly trades: number;
  /** 0 when first published; a correction re-publishes with a higher revision (the live models skip those). */
  readonly revision: number;
}

/** A trade printed by the market. */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly symbol: string;
  readonly tsNs: bigint;
  readonly price: Decimal;
  readonly size: Decimal;
  /** The side that took liquidity, when the source says. */
  readonly aggressor: Side | undefined;
  readonly tradeId: string | undefined;
}

/** The best bid and offer. */
export interface QuoteEvent {
  readonly kind: 'quote';
  readonly symbol: string;
  readonly tsNs: bigint;
  readonly bid: Level | undefined;
  readonly ask: Level | undefined;
}

/** An L2 book change: a snapshot, or the levels that changed (size 0 removes a level). */
export interface BookEvent {
  readonly kind: 'book';
  readonly symbol: string;
  readonly tsNs: bigint;
  /** Contiguous per symbol: a delta must follow `seq − 1`; a snapshot may restart the numbering. */
  readonly seq: bigint;
  readonly snapshot: boolean;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

export type MarketEvent = BarEvent | TradeEvent | QuoteEvent | BookEvent;
export type MarketEventKind = MarketEvent['kind'];

// ---- JSON: one event per line, decimals and nanoseconds as strings (exact through JSON).

type Json = Record<string, unknown>;

function levelsToJson(levels: readonly Level[]): [string, string][] {
  return levels.map((l) => [l.price.toString(), l.size.toString()]);
}

/** The JSON form of an event (what `jsonlSource` reads back). */
export function eventToJson(e: MarketEvent): Json {
  switch (e.kind) {
    case 'bar':
      return {
        kind: 'bar',
        symbol: e.symbol,
        tsNs: e.tsNs.toString(),
        interval: e.interval,
        startNs: e.startNs.toString(),
        open: e.open.toString(),
        high: e.high.toString(),
        low: e.low.toString(),
        close: e.close.toString(),
        volume: e.volume.toString(),
        trades: e.trades,
        revision: e.revision,
      };
    case 'trade':
      return {
        kind: 'trade',
        symbol: e.symbol,
        tsNs: e.tsNs.toString(),
        price: e.price.toString(),
        size: e.size.toString(),
        ...(e.aggressor !== undefined ? { aggressor: e.aggressor } : {}),
        ...(e.tradeId !== undefined ? { tradeId: e.tradeId } : {}),
      };
    case 'quote':
      return {
        kind: 'quote',
        symbol: e.symbol,
        tsNs: e.tsNs.toString(),
        bid: e.bid === undefined ? null : [e.bid.price.toString(), e.bid.size.toString()],
        ask: e.ask === undefined ? null : [e.ask.price.toString(), e.ask.size.toString()],
      };
    case 'book':
      return { kind: 'book', symbol: e.symbol, tsNs: e.tsNs.toString(), seq: e.seq.toString(), snapshot: e.snapshot, bids: levelsToJson(e.bids), asks: levelsToJson(e.asks) };
  }
}

/** Reads one event from its JSON form; `where` names the source and line in errors. */
export function eventFromJson(value: unknown, source: string, line: number): MarketEvent {
  const bad = (field: string, v: unknown, reason: string, cause?: unknown) => new EventFormatError(source, line, field, v, reason, cause === undefined ? undefined : { cause });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad('event', value, 'is not a JSON object');
  const o = value as Json;
  const str = (field: string): string => {
    const v = o[field];
    if (typeof v !== 'string' || v === '') throw bad(field, v, 'must be a non-empty string');
    return v;
  };
  const ns = (field: string): bigint => {
    const v = str(field);
    if (!/^\d+$/.test(v)) throw bad(field, v, 'must be a non-negative integer of nanoseconds, as a string');
    return BigInt(v);
  };
  const dec = (field: string, v: unknown = o[field]): Decimal => {
    if (typeof v !== 'string') throw bad(field, v, 'must be a decimal string');
    try {
      return Decimal.parse(v);
    } catch (err) {
      throw bad(field, v, 'is not a decimal', err);
    }
  };
  const level = (field: string, v: unknown): Level => {
    if (!Array.isArray(v) || v.length !== 2) throw bad(field, v, 'must be [price, size]');
    return { price: dec(`${field}[0]`, v[0]), size: dec(`${field}[1]`, v[1]) };
  };
  const levels = (field: string): Level[] => {
    const v = o[field];
    if (!Array.isArray(v)) throw bad(field, v, 'must be an array of [price, size]');
    return v.map((l, i) => level(`${field}[${i}]`, l));
  };
  const int = (field: string, fallback: number): number => {
    const v = o[field] ?? fallback;
    if (!Number.isSafeInteger(v) || (v as number) < 0) throw bad(field, v, 'must be a non-negative integer');
    return v as number;
  };
  const kind = o.kind;
  const symbol = str('symbol');
  const tsNs = ns('tsNs');
  switch (kind) {
    case 'bar':
      return {
        kind,
        symbol,
        tsNs,
        interval: str('interval'),
        startNs: ns('startNs'),
        open: dec('open'),
        high: dec('high'),
        low: dec('low'),
        close: dec('close'),
        volume: dec('volume'),
        trades: int('trades', 0),
        revision: int('revision', 0),
      };
    case 'trade': {
      const aggressor = o.aggressor;
      if (aggressor !== undefined && aggressor !== 'BUY' && aggressor !== 'SELL') throw bad('aggressor', aggressor, 'must be BUY or SELL');
      const tradeId = o.tradeId;
      if (tradeId !== undefined && typeof tradeId !== 'string') throw bad('tradeId', tradeId, 'must be a string');
      return { kind, symbol, tsNs, price: dec('price'), size: dec('size'), aggressor, tradeId };
    }
    case 'quote':
      return { kind, symbol, tsNs, bid: o.bid == null ? undefined : level('bid', o.bid), ask: o.ask == null ? undefined : level('ask', o.ask) };
    case 'book': {
      const snapshot = o.snapshot;
      if (typeof snapshot !== 'boolean') throw bad('snapshot', snapshot, 'must be true or false');
      return { kind, symbol, tsNs, seq: ns('seq'), snapshot, bids: levels('bids'), asks: levels('asks') };
    }
    default:
      throw bad('kind', kind, 'must be bar, trade, quote or book');
  }
}
