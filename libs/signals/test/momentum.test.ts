import { BookImbalance, InvalidModelConfigError, InvalidPeriodError, InvalidSignalInputError, MOMENTUM_MODEL, MomentumModel } from '../src';
import type { MomentumSignal } from '../src';
import { gaussian, rng } from './random';

/** Geometric walk with a drift per bar and gaussian noise. */
function closes(n: number, drift: number, noise: number, seed: number): number[] {
  const normal = gaussian(rng(seed));
  const out: number[] = [];
  let p = 100;
  for (let i = 0; i < n; i++) {
    p *= Math.exp(drift + noise * normal());
    out.push(p);
  }
  return out;
}

function run(model: MomentumModel, xs: number[]): (MomentumSignal | undefined)[] {
  return xs.map((close) => model.onBar({ close }));
}

test('the model name is stable', () => {
  expect(MOMENTUM_MODEL).toBe('momentum');
});

test('warms after slowPeriod bars and volPeriod returns', () => {
  const model = new MomentumModel({ fastPeriod: 3, slowPeriod: 10, volPeriod: 12 });
  const out = run(model, closes(30, 0.001, 0.01, 1));
  const firstSignal = out.findIndex((s) => s !== undefined);
  expect(firstSignal).toBe(12); // 13 closes give 12 returns
  expect(out.slice(firstSignal).every((s) => s !== undefined)).toBe(true);
  expect(model.ready).toBe(true);
});

test('scores a clear uptrend positive and a clear downtrend negative', () => {
  for (let seed = 1; seed <= 5; seed++) {
    const up = run(new MomentumModel(), closes(300, 0.004, 0.005, seed)).filter((s) => s !== undefined);
    const down = run(new MomentumModel(), closes(300, -0.004, 0.005, seed)).filter((s) => s !== undefined);
    expect(up.at(-1)!.score).toBeGreaterThan(0.5);
    expect(down.at(-1)!.score).toBeLessThan(-0.5);
    expect(up.filter((s) => s!.score > 0).length / up.length).toBeGreaterThan(0.95);
    expect(down.filter((s) => s!.score < 0).length / down.length).toBeGreaterThan(0.95);
  }
});

test('scores stay within [-1, 1] and features are consistent', () => {
  const xs = closes(3000, 0, 0.03, 42);
  const out = run(new MomentumModel({ fastPeriod: 4, slowPeriod: 16, volPeriod: 8 }), xs);
  out.forEach((s, i) => {
    if (s === undefined) return;
    expect(Number.isFinite(s.score)).toBe(true);
    expect(Math.abs(s.score)).toBeLessThanOrEqual(1);
    expect(s.close).toBe(xs[i]);
    expect(s.features.logReturn).toBeCloseTo(Math.log(xs[i]! / xs[i - 1]!), 12);
    expect(s.features.volatility).toBeGreaterThan(0);
  });
});

test('a flat market has zero volatility and scores 0', () => {
  const model = new MomentumModel({ fastPeriod: 2, slowPeriod: 4, volPeriod: 4 });
  const out = run(model, Array.from({ length: 20 }, () => 100)).filter((s) => s !== undefined);
  expect(out.length).toBeGreaterThan(0);
  for (const s of out) {
    expect(s!.score).toBe(0);
    expect(s!.features.volatility).toBe(0);
  }
});

test('advance computes what onBar returns, into fields, and refuses what onBar refuses', () => {
  const xs = closes(300, 0.0005, 0.01, 11);
  const signals = run(new MomentumModel(), xs);
  const stepped = new MomentumModel();
  xs.forEach((close, i) => {
    const ready = stepped.advance(close);
    const signal = signals[i];
    expect(ready).toBe(signal !== undefined);
    if (signal === undefined) return;
    const { score, ...features } = stepped.last;
    expect(score).toBe(signal.score);
    expect(features).toEqual(signal.features);
  });
  expect(signals.filter((s) => s !== undefined).length).toBeGreaterThan(250);
  expect(() => stepped.advance(-1)).toThrow(InvalidSignalInputError);
  expect(() => stepped.advance(Number.NaN)).toThrow(InvalidSignalInputError);
});

test('refuses bad configuration and bad closes with typed errors', () => {
  expect(() => new MomentumModel({ fastPeriod: 0 })).toThrow(InvalidPeriodError);
  expect(() => new MomentumModel({ fastPeriod: 32, slowPeriod: 32 })).toThrow(InvalidModelConfigError);
  expect(() => new MomentumModel({ fastPeriod: 40 })).toThrow('fastPeriod 40 must be shorter than slowPeriod 32');
  expect(() => new MomentumModel().onBar({ close: 0 })).toThrow(InvalidSignalInputError);
  expect(() => new MomentumModel().onBar({ close: Number.NaN })).toThrow('bar close NaN must be a positive finite number');
});

test('BookImbalance is (bid - ask) / (bid + ask)', () => {
  expect(BookImbalance.of(3, 1)).toBe(0.5);
  expect(BookImbalance.of(1, 3)).toBe(-0.5);
  expect(BookImbalance.of(5, 0)).toBe(1);
  expect(BookImbalance.of(0, 5)).toBe(-1);
  expect(BookImbalance.of(0, 0)).toBe(0);
  expect(() => BookImbalance.of(-1, 2)).toThrow('bid size -1 must be a non-negative finite number');
  expect(() => BookImbalance.of(1, Number.NaN)).toThrow(InvalidSignalInputError);
});
