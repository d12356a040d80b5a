import type { Level } from '@meridian/book';
import type { Decimal, Side } from '@meridian/domain';
import { array, decimal, millisToNanos, record, sequence, string } from '../decode';
import { FrameRejectedError } from '../errors';
import type { DepthEvent, DepthSnapshot } from './depth-sync';

/**
 * Readers for Binance's public market-data payloads (the `data` of a combined-stream frame, or a
 * REST body). Every field is checked; a bad one throws `FrameRejectedError` with the counted reason.
 */

/** `[["price", "qty"], …]` with absolute quantities; 0 removes the level. */
export function decodeLevels(value: unknown, what: string): Level[] {
  const rows = array(value, what);
  const levels: Level[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = array(rows[i], `${what}[${i}]`);
    if (row.length < 2) throw new FrameRejectedError('schema', `${what}[${i}]: expected [price, quantity], got ${row.length} element(s)`);
    levels[i] = { price: decimal(row[0], `${what}[${i}] price`, 'positive'), size: decimal(row[1], `${what}[${i}] quantity`, 'non_negative') };
  }
  return levels;
}

/** A `depthUpdate` event (spot `U`/`u`; futures add `pu`). */
export function decodeDepthEvent(data: Record<string, unknown>, receivedTsNs: bigint): DepthEvent {
  const firstUpdateId = sequence(data['U'], 'depthUpdate U');
  const finalUpdateId = sequence(data['u'], 'depthUpdate u');
  if (finalUpdateId < firstUpdateId) {
    throw new FrameRejectedError('schema', `depthUpdate: u=${finalUpdateId} is before U=${firstUpdateId}`);
  }
  return {
    firstUpdateId,
    finalUpdateId,
    previousFinalUpdateId: data['pu'] === undefined ? undefined : sequence(data['pu'], 'depthUpdate pu'),
    bids: decodeLevels(data['b'], 'depthUpdate b'),
    asks: decodeLevels(data['a'], 'depthUpdate a'),
    tsNs: millisToNanos(data['E'], 'depthUpdate E'),
    receivedTsNs,
  };
}

/** The body of `GET /api/v3/depth` (and futures `/fapi/v1/depth`, which adds `E`). */
export function decodeDepthSnapshot(body: unknown, receivedTsNs: bigint): DepthSnapshot {
  const data = record(body, 'depth snapshot');
  return {
    lastUpdateId: sequence(data['lastUpdateId'], 'depth snapshot lastUpdateId'),
    bids: decodeLevels(data['bids'], 'depth snapshot bids'),
    asks: decodeLevels(data['asks'], 'depth snapshot asks'),
    tsNs: data['E'] === undefined ? receivedTsNs : millisToNanos(data['E'], 'depth snapshot E'),
    receivedTsNs,
  };
}

export interface BinanceTrade {
  readonly tradeId: string;
  readonly price: Decimal;
  readonly size: Decimal;
  readonly aggressor: Side;
  readonly tsNs: bigint;
}

/** `m` is "the buyer is the maker": then the seller took liquidity. */
function aggressorOf(value: unknown, what: string): Side {
  if (typeof value !== 'boolean') throw new FrameRejectedError('schema', `${what} m: expected a boolean, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value ? 'SELL' : 'BUY';
}

/** A `trade` event: `t` id, `p`, `q`, `T` trade time, `m` buyer is maker. */
export function decodeTrade(data: Record<string, unknown>): BinanceTrade {
  return {
    tradeId: sequence(data['t'], 'trade t').toString(),
    price: decimal(data['p'], 'trade p', 'positive'),
    size: decimal(data['q'], 'trade q', 'positive'),
    aggressor: aggressorOf(data['m'], 'trade'),
    tsNs: millisToNanos(data['T'], 'trade T'),
  };
}

/** An `aggTrade` event: `a` aggregate id, `p`, `q`, `T`, `m`. */
export function decodeAggTrade(data: Record<string, unknown>): BinanceTrade {
  return {
    tradeId: sequence(data['a'], 'aggTrade a').toString(),
    price: decimal(data['p'], 'aggTrade p', 'positive'),
    size: decimal(data['q'], 'aggTrade q', 'positive'),
    aggressor: aggressorOf(data['m'], 'aggTrade'),
    tsNs: millisToNanos(data['T'], 'aggTrade T'),
  };
}

export interface BinanceKline {
  readonly interval: string;
  readonly startTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly closed: boolean;
}

/** A `kline` event: the bar in `k` (`t` start, `i` interval, OHLC, `v` base volume, `x` closed). */
export function decodeKline(data: Record<string, unknown>): BinanceKline {
  const k = record(data['k'], 'kline k');
  const closed = k['x'];
  if (typeof closed !== 'boolean') throw new FrameRejectedError('schema', `kline k.x: expected a boolean, got ${JSON.stringify(closed) ?? 'nothing'}`);
  const bar: BinanceKline = {
    interval: string(k['i'], 'kline k.i'),
    startTsNs: millisToNanos(k['t'], 'kline k.t'),
    open: decimal(k['o'], 'kline k.o', 'positive'),
    high: decimal(k['h'], 'kline k.h', 'positive'),
    low: decimal(k['l'], 'kline k.l', 'positive'),
    close: decimal(k['c'], 'kline k.c', 'positive'),
    volume: decimal(k['v'], 'kline k.v', 'non_negative'),
    closed,
  };
  if (bar.high.lt(bar.low) || bar.high.lt(bar.open) || bar.high.lt(bar.close) || bar.low.gt(bar.open) || bar.low.gt(bar.close)) {
    throw new FrameRejectedError('schema', `kline: high ${bar.high} / low ${bar.low} do not bound open ${bar.open} and close ${bar.close}`);
  }
  return bar;
}
