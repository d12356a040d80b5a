import { Decimal } from '@meridian/domain';
import type { Level } from '@meridian/book';
import type { BacktestConfig, BarEvent, BookEvent, MarketEvent, QuoteEvent, TradeEvent } from '../src';

export const d = Decimal.parse;
export const MIN = 60_000_000_000n;
/** 2024-01-01T00:00Z. */
export const T0 = 1_704_067_200_000_000_000n;

export function instrument(symbol: string, tick = '0.01', lot = '0.001') {
  const [base, quote] = symbol.split('-');
  return { symbol, baseCurrency: base!, quoteCurrency: quote ?? 'USD', tickSize: d(tick), lotSize: d(lot) };
}

export function config(symbols: string[], overrides: Partial<BacktestConfig> = {}): BacktestConfig {
  return {
    instruments: symbols.map((s) => instrument(s)),
    seed: 1,
    venue: { fees: { maker: d('0.0002'), taker: d('0.0005'), scale: 8 }, account: { mode: 'margin', balances: { USDT: d('1000000') } } },
    risk: { limits: { global: { maxOrderQuantity: d('100'), maxOrderNotional: d('1000000'), maxPosition: d('100') } } },
    equityIntervalMs: 60_000,
    ...overrides,
  };
}

export function bar(symbol: string, minute: number, close: string, o: Partial<{ open: string; high: string; low: string; volume: string; interval: string }> = {}): BarEvent {
  const c = d(close);
  const open = d(o.open ?? close);
  return {
    kind: 'bar',
    symbol,
    tsNs: T0 + BigInt(minute + 1) * MIN,
    interval: o.interval ?? '1m',
    startNs: T0 + BigInt(minute) * MIN,
    open,
    high: d(o.high ?? Decimal.max(open, c).toString()),
    low: d(o.low ?? Decimal.min(open, c).toString()),
    close: c,
    volume: d(o.volume ?? '10'),
    trades: 1,
    revision: 0,
  };
}

export function trade(symbol: string, tsNs: bigint, price: string, size: string, aggressor?: 'BUY' | 'SELL'): TradeEvent {
  return { kind: 'trade', symbol, tsNs, price: d(price), size: d(size), aggressor, tradeId: undefined };
}

export function quote(symbol: string, tsNs: bigint, bid: [string, string] | undefined, ask: [string, string] | undefined): QuoteEvent {
  const l = (x: [string, string] | undefined): Level | undefined => (x === undefined ? undefined : { price: d(x[0]), size: d(x[1]) });
  return { kind: 'quote', symbol, tsNs, bid: l(bid), ask: l(ask) };
}

export function book(symbol: string, tsNs: bigint, seq: bigint, snapshot: boolean, bids: [string, string][], asks: [string, string][]): BookEvent {
  const l = (xs: [string, string][]): Level[] => xs.map(([p, s]) => ({ price: d(p), size: d(s) }));
  return { kind: 'book', symbol, tsNs, seq, snapshot, bids: l(bids), asks: l(asks) };
}

/** A random walk of closes, deterministic. */
export function walk(symbol: string, bars: number, seed: number, start = 100): BarEvent[] {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: BarEvent[] = [];
  let price = start * 100;
  for (let i = 0; i < bars; i++) {
    const open = price;
    price = Math.max(100, price + Math.round((random() - 0.48) * 60));
    out.push(bar(symbol, i, (price / 100).toFixed(2), { open: (open / 100).toFixed(2), volume: (1 + Math.floor(random() * 50)).toString() }));
  }
  return out;
}

export const events = (...xs: MarketEvent[][]): MarketEvent[] => xs.flat();
