import { DomainError } from '@meridian/domain';
import { Ema, InvalidPeriodError, InvalidSignalInputError, RollingStd, Rsi, Sma } from '../src';
import type { Indicator } from '../src';
import { randomWalk } from './random';

const N = 2000;
const TOLERANCE = 1e-9;

// Reference implementations recompute from the whole prefix or the window at every step, sharing
// no state or tricks with the streaming code.

function refSma(xs: number[], i: number, period: number): number | undefined {
  if (i + 1 < period) return undefined;
  let sum = 0;
  for (let j = i - period + 1; j <= i; j++) sum += xs[j]!;
  return sum / period;
}

function refStd(xs: number[], i: number, period: number): number | undefined {
  if (i + 1 < period) return undefined;
  const mean = refSma(xs, i, period)!;
  let ss = 0;
  for (let j = i - period + 1; j <= i; j++) ss += (xs[j]! - mean) ** 2;
  return Math.sqrt(ss / period);
}

function refEma(xs: number[], i: number, period: number): number | undefined {
  if (i + 1 < period) return undefined;
  let ema = 0;
  for (let j = 0; j < period; j++) ema += xs[j]!;
  ema /= period;
  const alpha = 2 / (period + 1);
  for (let j = period; j <= i; j++) ema = alpha * xs[j]! + (1 - alpha) * ema;
  return ema;
}

function refRsi(xs: number[], i: number, period: number): number | undefined {
  if (i < period) return undefined;
  let gain = 0;
  let loss = 0;
  for (let j = 1; j <= period; j++) {
    const d = xs[j]! - xs[j - 1]!;
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= period;
  loss /= period;
  for (let j = period + 1; j <= i; j++) {
    const d = xs[j]! - xs[j - 1]!;
    gain = (gain * (period - 1) + Math.max(d, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-d, 0)) / period;
  }
  if (gain + loss === 0) return 50;
  if (loss === 0) return 100;
  return 100 - 100 / (1 + gain / loss);
}

type Reference = (xs: number[], i: number, period: number) => number | undefined;

const cases: [string, (p: number) => Indicator, Reference][] = [
  ['Sma', (p) => new Sma(p), refSma],
  ['Ema', (p) => new Ema(p), refEma],
  ['RollingStd', (p) => new RollingStd(p), refStd],
  ['Rsi', (p) => new Rsi(p), refRsi],
];

describe.each(cases)('%s', (name, make, reference) => {
  test.each([1, 2, 14, 50])(`matches a recompute-from-window reference on ${N} random-walk points (period %i)`, (period) => {
    const xs = randomWalk(N, 1000 + period);
    const ind = make(period);
    let maxError = 0;
    xs.forEach((x, i) => {
      const got = ind.update(x);
      const want = reference(xs, i, period);
      if (want === undefined) {
        expect(got).toBeUndefined();
        expect(ind.ready).toBe(false);
        expect(ind.value).toBeUndefined();
      } else {
        expect(got).toBeDefined();
        expect(ind.ready).toBe(true);
        expect(ind.value).toBe(got);
        maxError = Math.max(maxError, Math.abs(got! - want));
      }
    });
    expect(maxError).toBeLessThan(TOLERANCE);
  });

  test('stays accurate on a large offset with small moves', () => {
    // Where naive sum-of-squares variance loses every significant digit.
    const xs = randomWalk(N, 7, 1e6, 0.001);
    const ind = make(20);
    xs.forEach((x, i) => {
      const got = ind.update(x);
      const want = reference(xs, i, 20);
      if (want !== undefined) expect(Math.abs(got! - want)).toBeLessThan(TOLERANCE);
    });
  });

  test.each([0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses period %p with a typed error', (period) => {
    expect(() => make(period)).toThrow(InvalidPeriodError);
    try {
      make(period);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('INVALID_PERIOD');
      expect((e as Error).message).toBe(`${name} period must be a positive integer, got ${period}`);
    }
  });

  test('refuses a non-finite input rather than carrying NaN forever', () => {
    const ind = make(3);
    expect(() => ind.update(Number.NaN)).toThrow(InvalidSignalInputError);
    expect(() => ind.update(Number.NaN)).toThrow(/NaN is not a finite number/);
  });
});

test('RollingStd of a constant window is exactly 0', () => {
  const std = new RollingStd(5);
  for (let i = 0; i < 4; i++) expect(std.update(0.1)).toBeUndefined();
  for (let i = 0; i < 20; i++) expect(std.update(0.1)).toBe(0);
});

test('RollingStd of a window that has just become constant is exactly 0, whatever came before', () => {
  // Sliding updates leave a residue of the deviations that left (about 5e-8 here without the
  // equal-run check): an outage's run of zero volumes after a busy hour must read 0, not noise.
  for (const period of [5, 20, 33]) {
    const std = new RollingStd(period);
    const xs = randomWalk(1000 + period, period, 100, 3);
    xs.forEach((x) => std.update(x));
    const flat = xs.at(-1)! + 0.123;
    for (let i = 1; i < period; i++) expect(std.update(flat)).toBeGreaterThan(0);
    for (let i = 0; i < 3 * period; i++) expect(std.update(flat)).toBe(0);
    const after = std.update(flat + 1)!;
    expect(after).toBeCloseTo(Math.sqrt(period - 1) / period, 12);
  }
});

test('Rsi reads 100 on a monotone rise, 0 on a monotone fall and 50 when flat', () => {
  const up = new Rsi(3);
  const down = new Rsi(3);
  const flat = new Rsi(3);
  for (let i = 0; i < 10; i++) {
    up.update(100 + i);
    down.update(100 - i);
    flat.update(100);
  }
  expect(up.value).toBe(100);
  expect(down.value).toBe(0);
  expect(flat.value).toBe(50);
});

test('Ema warms after exactly `period` inputs, seeded with their mean', () => {
  const ema = new Ema(3);
  expect(ema.update(1)).toBeUndefined();
  expect(ema.update(2)).toBeUndefined();
  expect(ema.update(3)).toBe(2);
  expect(ema.update(6)).toBe(4);
});
