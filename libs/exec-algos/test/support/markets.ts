import { existsSync, readFileSync } from 'node:fs';
import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { Level } from '@meridian/book';
import { seededRandom, sharedDataPath } from '@meridian/testkit';
import type { ProfileBar } from '../../src';
import type { MarketEvent } from './venue-driver';

// Market data for the venue-driven tests: real bars turned into books and trades for the venue's
// market mirror, and a generated market so the tests never run on nothing.

const NS_PER_S = 1_000_000_000n;
const NS_PER_MS = 1_000_000n;

export interface Bar {
  readonly startNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

export const BTC_BARS_FILE = sharedDataPath('crypto_bars', 'binanceus_BTCUSDT_1m_20230301_20230321.csv');

/** A CSV number, exactly: plain decimals, and the exponent form some rows use (`9e-05`). */
export function parseCsvDecimal(text: string): Decimal {
  const m = /^([+-]?\d+(?:\.\d+)?)[eE]([+-]?\d+)$/.exec(text.trim());
  if (m === null) return Decimal.parse(text);
  const mantissa = Decimal.parse(m[1]!);
  const exponent = Number(m[2]);
  return exponent >= 0 ? mantissa.mul(10n ** BigInt(exponent)) : mantissa.mul(Decimal.fromUnits(1n, -exponent));
}

/** Binance.US 1m bars (`open_time,open,high,low,close,volume`, times `YYYY-MM-DD HH:MM:SS+00:00`). */
export function readBinanceBars(path: string): Bar[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const bars: Bar[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [time, open, high, low, close, volume] = line.split(',');
    const ms = Date.parse(time!.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw new Error(`bad bar time ${time} in ${path}`);
    const n = parseCsvDecimal;
    bars.push({ startNs: BigInt(ms) * NS_PER_MS, open: n(open!), high: n(high!), low: n(low!), close: n(close!), volume: n(volume!) });
  }
  return bars;
}

/** Lean minute files: `ms since midnight (New York)` then O,H,L,C in deci-cents, then volume. */
export function leanMinuteFile(ticker: string, yyyymmdd: string, kind: 'trade' | 'quote'): string {
  return sharedDataPath('equities_lean', 'minute', `${ticker}_${yyyymmdd}_${kind}.csv`);
}

/** Local midnight of a Lean file's day as a day index × 1 day: the bars' clock is New York local time. */
function dayStartNs(yyyymmdd: string): bigint {
  const ms = Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));
  return BigInt(ms) * NS_PER_MS;
}

const DECI_CENTS = 4;

export function readLeanTradeBars(ticker: string, yyyymmdd: string): Bar[] {
  const day = dayStartNs(yyyymmdd);
  return readFileSync(leanMinuteFile(ticker, yyyymmdd, 'trade'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [ms, o, h, l, c, v] = line.split(',');
      const price = (x: string) => Decimal.fromUnits(BigInt(x), DECI_CENTS);
      return { startNs: day + BigInt(ms!) * NS_PER_MS, open: price(o!), high: price(h!), low: price(l!), close: price(c!), volume: Decimal.parse(v!) };
    });
}

export interface QuoteBar {
  readonly startNs: bigint;
  readonly bid: Decimal;
  readonly bidSize: Decimal;
  readonly ask: Decimal;
  readonly askSize: Decimal;
}

/** Lean minute quotes: the bid and ask at the close of each minute and their sizes. */
export function readLeanQuoteBars(ticker: string, yyyymmdd: string): QuoteBar[] {
  const day = dayStartNs(yyyymmdd);
  return readFileSync(leanMinuteFile(ticker, yyyymmdd, 'quote'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const f = line.split(',');
      const price = (x: string) => Decimal.fromUnits(BigInt(x), DECI_CENTS);
      return { startNs: day + BigInt(f[0]!) * NS_PER_MS, bid: price(f[4]!), bidSize: Decimal.parse(f[5]!), ask: price(f[9]!), askSize: Decimal.parse(f[10]!) };
    });
}

export function profileBars(bars: readonly Bar[]): ProfileBar[] {
  return bars.map((b) => ({ startNs: b.startNs, volume: b.volume }));
}

export function dataPresent(...paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    // Tests that use the shared data skip with the reason, never fail for its absence.
    console.warn(`skipping: shared market data not found: ${missing.join(', ')}`);
    return false;
  }
  return true;
}

function levels(best: Decimal, side: 'bid' | 'ask', tick: Decimal, sizes: readonly Decimal[]): Level[] {
  return sizes.map((size, i) => ({ price: side === 'bid' ? best.sub(tick.mul(BigInt(i))) : best.add(tick.mul(BigInt(i))), size }));
}

export interface BarBookOptions {
  readonly tick: Decimal;
  readonly lot: Decimal;
  /** Levels per side. */
  readonly depth: number;
  /** Each level holds max(bar volume × fraction, floor) (the level ladder grows by one fraction per level). */
  readonly levelFraction: Decimal;
  readonly levelFloor: Decimal;
}

/**
 * One bar as four moments 15 s apart along the bar's path (open, then low and high in the order
 * that ends at the close, then the close). At each, a book around the price (best bid one tick
 * below it, best ask at it when buyers push up, and the reverse) and a trade of a quarter of the
 * bar's volume by the side that moved the price, at the touch it hits.
 */
export function barsToEvents(bars: readonly Bar[], o: BarBookOptions): MarketEvent[] {
  const events: MarketEvent[] = [];
  let previous: Decimal | undefined;
  for (const bar of bars) {
    const up = bar.close.gte(bar.open);
    const path = up ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close];
    const quarter = bar.volume.div(4n, 12, 'down').quantize(o.lot, 'floor');
    const sizes = Array.from({ length: o.depth }, (_, i) => Decimal.max(bar.volume.mul(o.levelFraction).mul(BigInt(i + 1)).quantize(o.lot, 'floor'), o.levelFloor));
    path.forEach((raw, k) => {
      const price = raw.quantize(o.tick, 'half-even');
      const aggressor: Side = previous === undefined || price.gte(previous) ? 'BUY' : 'SELL';
      previous = price;
      // The trade's side is at the traded price; the other side one tick away.
      const bid = aggressor === 'BUY' ? price.sub(o.tick) : price;
      const ask = aggressor === 'BUY' ? price : price.add(o.tick);
      const quantity = k === 3 ? bar.volume.sub(quarter.mul(3n)).quantize(o.lot, 'floor') : quarter;
      events.push({
        tsNs: bar.startNs + BigInt(k) * 15n * NS_PER_S,
        bids: levels(bid, 'bid', o.tick, sizes),
        asks: levels(ask, 'ask', o.tick, sizes),
        ...(quantity.isPositive() ? { trade: { price, quantity, aggressor } } : {}),
      });
    });
  }
  return events;
}

/**
 * Lean's minute quotes and trades of one day: at each minute the quoted touch with its real sizes,
 * deeper levels (not in the data) one tick apart with the same sizes, and the minute's volume
 * printed as one trade at the touch on the side the close moved toward.
 */
export function leanDayEvents(quotes: readonly QuoteBar[], trades: readonly Bar[], o: { tick: Decimal; depth: number; minSize: Decimal }): MarketEvent[] {
  const tradeAt = new Map(trades.map((t) => [t.startNs, t]));
  const events: MarketEvent[] = [];
  let previous: Decimal | undefined;
  for (const q of quotes) {
    if (!q.ask.gt(q.bid)) continue;
    const t = tradeAt.get(q.startNs);
    let trade: MarketEvent['trade'];
    if (t !== undefined && t.volume.isPositive()) {
      const aggressor: Side = previous === undefined || t.close.gte(previous) ? 'BUY' : 'SELL';
      previous = t.close;
      trade = { price: aggressor === 'BUY' ? q.ask : q.bid, quantity: t.volume, aggressor };
    }
    const bidSizes = Array.from({ length: o.depth }, () => Decimal.max(q.bidSize, o.minSize));
    const askSizes = Array.from({ length: o.depth }, () => Decimal.max(q.askSize, o.minSize));
    // The quote bar is stamped at the minute's start; its close is the touch at the minute's end.
    events.push({ tsNs: q.startNs + 59n * NS_PER_S, bids: levels(q.bid, 'bid', o.tick, bidSizes), asks: levels(q.ask, 'ask', o.tick, askSizes), ...(trade ? { trade } : {}) });
  }
  return events;
}

export interface GeneratedMarketOptions {
  readonly seed: number;
  readonly startNs: bigint;
  readonly stepNs: bigint;
  readonly steps: number;
  readonly start: Decimal;
  readonly tick: Decimal;
  readonly lot: Decimal;
  readonly depth: number;
}

/**
 * A seeded market: the price walks by -2..+2 ticks a step, each side shows `depth` levels of 1 to
 * 40 lots, and each step prints a trade of 1 to 30 lots at the touch, on a random side.
 */
export function generatedMarket(o: GeneratedMarketOptions): MarketEvent[] {
  const rand = seededRandom(o.seed);
  const events: MarketEvent[] = [];
  let mid = o.start.quantize(o.tick);
  const lots = (lo: number, hi: number) => o.lot.mul(BigInt(lo + Math.floor(rand() * (hi - lo + 1))));
  for (let k = 0; k < o.steps; k++) {
    mid = mid.add(o.tick.mul(BigInt(Math.floor(rand() * 5) - 2)));
    const bid = mid.sub(o.tick);
    const ask = mid;
    const aggressor: Side = rand() < 0.5 ? 'BUY' : 'SELL';
    events.push({
      tsNs: o.startNs + BigInt(k) * o.stepNs,
      bids: levels(bid, 'bid', o.tick, Array.from({ length: o.depth }, () => lots(1, 40))),
      asks: levels(ask, 'ask', o.tick, Array.from({ length: o.depth }, () => lots(1, 40))),
      trade: { price: aggressor === 'BUY' ? ask : bid, quantity: lots(1, 30), aggressor },
    });
  }
  return events;
}
