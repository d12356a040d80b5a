import { InvalidPeriodError, InvalidSignalInputError, TimeBarBuilder } from '../src';
import type { Bar } from '../src';

const MIN = 60_000;

test('aggregates trades of one interval into OHLCV and closes it on the next trade', () => {
  const b = new TimeBarBuilder(MIN);
  expect(b.addTrade(100, 1, 10)).toEqual([]);
  expect(b.addTrade(103, 2, 20_000)).toEqual([]);
  expect(b.addTrade(99, 0.5, 30_000)).toEqual([]);
  expect(b.addTrade(101, 1.5, MIN - 1)).toEqual([]);
  const closed = b.addTrade(102, 1, MIN);
  expect(closed).toEqual<Bar[]>([
    { startMs: 0, endMs: MIN, open: 100, high: 103, low: 99, close: 101, volume: 5, trades: 4 },
  ]);
  expect(b.currentBarStartMs).toBe(MIN);
});

test('bars are aligned to the epoch, not to the first trade', () => {
  const b = new TimeBarBuilder(MIN);
  b.addTrade(100, 1, 5 * MIN + 12_345);
  const [bar] = b.addTrade(100, 1, 6 * MIN + 1);
  expect(bar?.startMs).toBe(5 * MIN);
  expect(bar?.endMs).toBe(6 * MIN);
});

test('empty intervals are emitted as flat zero-volume bars at the previous close', () => {
  const b = new TimeBarBuilder(MIN);
  b.addTrade(100, 1, 0);
  b.addTrade(105, 1, 1_000);
  const closed = b.addTrade(110, 2, 3 * MIN + 5);
  expect(closed).toEqual<Bar[]>([
    { startMs: 0, endMs: MIN, open: 100, high: 105, low: 100, close: 105, volume: 2, trades: 2 },
    { startMs: MIN, endMs: 2 * MIN, open: 105, high: 105, low: 105, close: 105, volume: 0, trades: 0 },
    { startMs: 2 * MIN, endMs: 3 * MIN, open: 105, high: 105, low: 105, close: 105, volume: 0, trades: 0 },
  ]);
  // The bar after the gap opens at the new trade, not at the stale close.
  const [next] = b.addTrade(111, 1, 4 * MIN);
  expect(next).toMatchObject({ startMs: 3 * MIN, open: 110, close: 110, volume: 2, trades: 1 });
});

test('consecutive emitted bars tile time without holes', () => {
  const b = new TimeBarBuilder(1_000);
  const bars: Bar[] = [];
  const times = [0, 10, 1_500, 7_200, 7_900, 8_000, 20_001, 20_002, 35_000];
  times.forEach((t, i) => bars.push(...b.addTrade(100 + i, 1, t)));
  expect(bars.length).toBe(35);
  bars.forEach((bar, i) => {
    expect(bar.startMs).toBe(i * 1_000);
    expect(bar.endMs).toBe(bar.startMs + 1_000);
    if (i > 0) expect(bar.open === bars[i - 1]!.close || bar.trades > 0).toBe(true);
  });
  expect(bars.reduce((v, bar) => v + bar.volume, 0)).toBe(times.length - 1);
});

test('late trades are counted and ignored; emitted bars are never revised', () => {
  const b = new TimeBarBuilder(MIN);
  b.addTrade(100, 1, 0);
  const [first] = b.addTrade(101, 1, MIN + 10);
  expect(b.addTrade(500, 9, MIN - 1)).toEqual([]);
  expect(b.addTrade(1, 9, 0)).toEqual([]);
  expect(b.lateTrades).toBe(2);
  expect(first).toMatchObject({ close: 100, volume: 1, high: 100, low: 100 });
  // A trade earlier than the last one but within the current bar still counts.
  b.addTrade(99, 1, MIN + 5);
  const [second] = b.addTrade(101, 1, 2 * MIN);
  expect(second).toMatchObject({ startMs: MIN, open: 101, low: 99, close: 99, volume: 2, trades: 2 });
  expect(b.lateTrades).toBe(2);
});

test('closeUntil closes bars on a clock when no trade arrives', () => {
  const b = new TimeBarBuilder(MIN);
  expect(b.closeUntil(10 * MIN)).toEqual([]);
  b.addTrade(100, 1, 10);
  expect(b.closeUntil(MIN - 1)).toEqual([]);
  const closed = b.closeUntil(3 * MIN);
  expect(closed.map((x) => [x.startMs, x.close, x.volume])).toEqual([
    [0, 100, 1],
    [MIN, 100, 0],
    [2 * MIN, 100, 0],
  ]);
  // The current interval is now [3m, 4m): a trade before it is late.
  expect(b.addTrade(1, 1, 3 * MIN - 1)).toEqual([]);
  expect(b.lateTrades).toBe(1);
  b.addTrade(102, 1, 3 * MIN + 1);
  expect(b.closeUntil(4 * MIN)).toEqual<Bar[]>([
    { startMs: 3 * MIN, endMs: 4 * MIN, open: 102, high: 102, low: 102, close: 102, volume: 1, trades: 1 },
  ]);
});

test('refuses bad intervals and trades with typed errors', () => {
  expect(() => new TimeBarBuilder(0)).toThrow(InvalidPeriodError);
  expect(() => new TimeBarBuilder(1.5)).toThrow('TimeBarBuilder intervalMs must be a positive integer, got 1.5');
  const b = new TimeBarBuilder(MIN);
  expect(() => b.addTrade(Number.NaN, 1, 0)).toThrow(InvalidSignalInputError);
  expect(() => b.addTrade(0, 1, 0)).toThrow('trade price 0 must be positive');
  expect(() => b.addTrade(100, -1, 0)).toThrow('trade size -1 must not be negative');
  expect(() => b.addTrade(100, 1, Number.POSITIVE_INFINITY)).toThrow('trade timestamp Infinity is not a finite number');
});
