import { DomainError } from '@meridian/domain';
import {
  Atr,
  BollingerBands,
  BookImbalance,
  Ema,
  InvalidModelConfigError,
  InvalidPeriodError,
  InvalidSignalInputError,
  LogReturns,
  Macd,
  RealizedVolatility,
  Returns,
  RollingStd,
  RollingZScore,
  Rsi,
  Sma,
  Vwap,
} from '../src';
import type { Bar, Indicator } from '../src';
import { generatedBars } from './bars';

const bars = generatedBars(400, 3);

// Every indicator, fed the same bars: [name, factory, what it reads of a bar].
const cases: [string, () => Indicator<Bar, unknown>, number][] = [
  ['Sma(10)', () => wrap(new Sma(10)), 10],
  ['Ema(10)', () => wrap(new Ema(10)), 10],
  ['RollingStd(10)', () => wrap(new RollingStd(10)), 10],
  ['Rsi(14)', () => wrap(new Rsi(14)), 15],
  ['Returns(1)', () => wrap(new Returns()), 2],
  ['Returns(24)', () => wrap(new Returns(24)), 25],
  ['LogReturns(5)', () => wrap(new LogReturns(5)), 6],
  ['RealizedVolatility(24)', () => wrap(new RealizedVolatility(24)), 25],
  ['Macd(12, 26, 9)', () => wrap(new Macd(12, 26, 9)), 34],
  ['BollingerBands(20)', () => wrap(new BollingerBands(20)), 20],
  ['RollingZScore(20)', () => wrap(new RollingZScore(20)), 20],
  ['Atr(14)', () => new Atr(14), 15],
  ['Vwap({ period: 24 })', () => new Vwap({ period: 24 }), 24],
  ['Vwap({ sessionMs: 1 day })', () => new Vwap({ sessionMs: 86_400_000 }), 1],
];

/** A close-reading indicator seen as one reading bars, so every case runs alike. */
function wrap<Out>(ind: Indicator<number, Out>): Indicator<Bar, Out> {
  return {
    update: (bar) => ind.update(bar.close),
    get value() {
      return ind.value;
    },
    get ready() {
      return ind.ready;
    },
    warmup: ind.warmup,
  };
}

describe.each(cases)('%s', (_name, make, warmup) => {
  test(`warms on input ${warmup} exactly (its warmup), then stays warm`, () => {
    const ind = make();
    expect(ind.warmup).toBe(warmup);
    bars.forEach((bar, i) => {
      const v = ind.update(bar);
      expect(v === undefined).toBe(i < warmup - 1);
      expect(ind.ready).toBe(i >= warmup - 1);
      expect(ind.value).toBe(v);
    });
  });
});

describe('non-finite inputs are refused with a typed error', () => {
  test.each([
    ['Returns', () => new Returns(1).update(Number.NaN), 'Returns input NaN must be a positive finite number'],
    ['LogReturns', () => new LogReturns(1).update(Number.POSITIVE_INFINITY), 'LogReturns input Infinity must be a positive finite number'],
    ['RealizedVolatility', () => new RealizedVolatility(3).update(Number.NaN), 'RealizedVolatility input NaN must be a positive finite number'],
    ['Macd', () => new Macd(2, 3, 2).update(Number.NaN), 'Macd input NaN is not a finite number'],
    ['BollingerBands', () => new BollingerBands(3).update(Number.NEGATIVE_INFINITY), 'BollingerBands input -Infinity is not a finite number'],
    ['RollingZScore', () => new RollingZScore(3).update(Number.NaN), 'RollingZScore input NaN is not a finite number'],
    ['Atr', () => new Atr(3).update({ high: Number.NaN, low: 1, close: 1 }), 'Atr bar high NaN is not a finite number'],
    ['Vwap', () => new Vwap({ period: 3 }).update({ startMs: 0, high: 2, low: 1, close: Number.POSITIVE_INFINITY, volume: 1 }), 'Vwap bar close Infinity is not a finite number'],
    ['Vwap volume', () => new Vwap({ period: 3 }).update({ startMs: 0, high: 2, low: 1, close: 1, volume: Number.NaN }), 'Vwap bar volume NaN must be a non-negative finite number'],
    ['BookImbalance', () => BookImbalance.ofDepth({ bids: [{ size: 1 }, { size: Number.NaN }], asks: [] }, 5), 'bid level 2 size NaN must be a non-negative finite number'],
  ])('%s', (_name, call, message) => {
    expect(call).toThrow(InvalidSignalInputError);
    expect(call).toThrow(message);
  });

  test('a refused input leaves the state as it was', () => {
    const a = new Macd(3, 6, 4);
    const b = new Macd(3, 6, 4);
    bars.forEach((bar, i) => {
      if (i % 7 === 0) expect(() => a.update(Number.NaN)).toThrow(InvalidSignalInputError);
      expect(a.update(bar.close)).toEqual(b.update(bar.close));
    });
  });
});

describe('bad settings are refused with a typed error naming them', () => {
  test.each([
    ['Returns period must be a positive integer, got 0', () => new Returns(0), InvalidPeriodError],
    ['LogReturns period must be a positive integer, got 1.5', () => new LogReturns(1.5), InvalidPeriodError],
    ['periodsPerYear 0 must be a positive finite number', () => new RealizedVolatility(24, 0), InvalidModelConfigError],
    ['fastPeriod 26 must be shorter than slowPeriod 12', () => new Macd(26, 12, 9), InvalidModelConfigError],
    ['Macd signalPeriod must be a positive integer, got 0', () => new Macd(12, 26, 0), InvalidPeriodError],
    ['stdDevs -2 must be a positive finite number', () => new BollingerBands(20, -2), InvalidModelConfigError],
    ['Atr period must be a positive integer, got -1', () => new Atr(-1), InvalidPeriodError],
    ['sessionOffsetMs 1000 must be an integer in [0, sessionMs 1000)', () => new Vwap({ sessionMs: 1000, sessionOffsetMs: 1000 }), InvalidModelConfigError],
    ['Vwap period must be a positive integer, got 0', () => new Vwap({ period: 0 }), InvalidPeriodError],
    ['BookImbalance levels must be a positive integer, got 0', () => BookImbalance.ofDepth({ bids: [], asks: [] }, 0), InvalidPeriodError],
  ])('%s', (message, make, type) => {
    expect(make).toThrow(type);
    expect(make).toThrow(message);
    expect(make).toThrow(DomainError);
  });
});

test('returns and log returns look back exactly `period` inputs', () => {
  const r = new Returns(3);
  const l = new LogReturns(3);
  const xs = [100, 110, 121, 125, 99, 101];
  const got = xs.map((x) => [r.update(x), l.update(x)]);
  expect(got.slice(0, 3).flat()).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  expect(got[3]![0]).toBeCloseTo(125 / 100 - 1, 15);
  expect(got[4]![0]).toBeCloseTo(99 / 110 - 1, 15);
  expect(got[5]![1]).toBeCloseTo(Math.log(101 / 121), 15);
  expect(() => r.update(0)).toThrow('Returns input 0 must be a positive finite number');
});

test('realized volatility is the population σ of log returns, annualised by sqrt(periodsPerYear)', () => {
  const xs = [100, 101, 99, 102, 102];
  const rs = xs.slice(1).map((x, i) => Math.log(x / xs[i]!));
  const mean = rs.reduce((s, x) => s + x, 0) / 4;
  const sigma = Math.sqrt(rs.reduce((s, x) => s + (x - mean) ** 2, 0) / 4);
  const plain = new RealizedVolatility(4);
  const yearly = new RealizedVolatility(4, 252);
  xs.forEach((x) => {
    plain.update(x);
    yearly.update(x);
  });
  expect(plain.value).toBeCloseTo(sigma, 15);
  expect(yearly.value).toBeCloseTo(sigma * Math.sqrt(252), 14);
});

test('Bollinger reads %b 0.5 and bandwidth 0 on a flat window; %b is 1 at the upper band', () => {
  const bb = new BollingerBands(4, 2);
  for (let i = 0; i < 6; i++) bb.update(50);
  expect(bb.value).toEqual({ middle: 50, upper: 50, lower: 50, percentB: 0.5, bandwidth: 0 });
  const v = bb.update(54)!; // window 50 50 50 54: mean 51, σ √3
  expect(v.middle).toBe(51);
  expect(v.upper).toBeCloseTo(51 + 2 * Math.sqrt(3), 12);
  expect(v.percentB).toBeCloseTo((54 - v.lower) / (v.upper - v.lower), 15);
  expect(v.bandwidth).toBeCloseTo((4 * Math.sqrt(3)) / 51, 15);
});

test('z-score is 0 on a flat window (an outage of empty bars), and the distance in σ otherwise', () => {
  const z = new RollingZScore(5);
  [3, 1, 4, 1, 5, 0, 0, 0, 0, 0].forEach((x) => z.update(x));
  expect(z.value).toBe(0);
  expect(z.update(10)).toBeCloseTo((10 - 2) / 4, 15); // 0 0 0 0 10: mean 2, σ 4
});

test('ATR: the first bar only gives its close; true range counts gaps from the previous close', () => {
  const atr = new Atr(2);
  expect(atr.update({ high: 10, low: 9, close: 9.5 })).toBeUndefined();
  expect(atr.update({ high: 12, low: 11, close: 11.5 })).toBeUndefined(); // TR 2.5 (gap up)
  expect(atr.update({ high: 11.6, low: 11, close: 11.2 })).toBeCloseTo((2.5 + 0.6) / 2, 15); // TR 0.6
  expect(atr.update({ high: 11.2, low: 8.2, close: 9 })).toBeCloseTo(1.55 + (3 - 1.55) / 2, 15); // TR 3, Wilder step
  expect(() => atr.update({ high: 1, low: 2, close: 1.5 })).toThrow('Atr bar high 1 is below low 2');
});

describe('Vwap', () => {
  const bar = (startMs: number, price: number, volume: number) => ({ startMs, high: price, low: price, close: price, volume });

  test('session mode resets on the first bar of each session, offset from the epoch', () => {
    // Sessions of 10 ms starting at 3 ms past each multiple of 10: [3, 13), [13, 23)…
    const v = new Vwap({ sessionMs: 10, sessionOffsetMs: 3 });
    expect(v.update(bar(3, 10, 1))).toBe(10);
    expect(v.update(bar(8, 20, 3))).toBe((10 + 60) / 4);
    expect(v.update(bar(12, 30, 4))).toBe((10 + 60 + 120) / 8);
    expect(v.update(bar(13, 40, 1))).toBe(40); // new session
    expect(v.update(bar(20, 10, 1))).toBe(25);
    expect(() => v.update(bar(19, 10, 1))).toThrow("Vwap bar startMs 19 is before the previous bar's 20");
  });

  test('a window or session without volume reads the typical price of the current bar', () => {
    const rolling = new Vwap({ period: 2 });
    rolling.update(bar(0, 10, 5));
    expect(rolling.update(bar(1, 11, 0))).toBe(10);
    expect(rolling.update(bar(2, 12, 0))).toBe(12);
    expect(rolling.update({ startMs: 3, high: 15, low: 12, close: 12, volume: 0 })).toBe(13);
    expect(rolling.update(bar(4, 20, 2))).toBe(20);
    const session = new Vwap({ sessionMs: 100 });
    expect(session.update(bar(0, 10, 0))).toBe(10);
    expect(session.update(bar(1, 11, 0))).toBe(11);
    expect(session.update(bar(2, 12, 1))).toBe(12);
  });

  test('rolling mode is the volume-weighted typical price of the last `period` bars', () => {
    const v = new Vwap({ period: 3 });
    const bs = generatedBars(200, 11);
    bs.forEach((b, i) => {
      const got = v.update(b);
      if (i < 2) return expect(got).toBeUndefined();
      const w = bs.slice(i - 2, i + 1);
      const vol = w.reduce((s, x) => s + x.volume, 0);
      const tp = (x: Bar) => (x.high + x.low + x.close) / 3;
      const want = vol === 0 ? tp(b) : w.reduce((s, x) => s + tp(x) * x.volume, 0) / vol;
      expect(Math.abs(got! - want)).toBeLessThan(1e-12 * want);
    });
  });
});

test('BookImbalance.ofDepth sums the best `levels` sizes of each side', () => {
  const book = { bids: [{ size: 3 }, { size: 1 }, { size: 4 }], asks: [{ size: 1 }, { size: 5 }] };
  expect(BookImbalance.ofDepth(book, 1)).toBe((3 - 1) / 4);
  expect(BookImbalance.ofDepth(book, 2)).toBe((4 - 6) / 10);
  expect(BookImbalance.ofDepth(book, 10)).toBe((8 - 6) / 14); // the asks have only 2 levels
  expect(BookImbalance.ofDepth({ bids: [], asks: [] }, 5)).toBe(0);
  expect(() => BookImbalance.ofDepth({ bids: [{ size: -1 }], asks: [] }, 1)).toThrow('bid level 1 size -1 must be a non-negative finite number');
});
