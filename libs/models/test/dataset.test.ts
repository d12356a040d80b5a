import { tf } from '../src/tf';
import { CALENDAR_FEATURES, InvalidDatasetError, WindowDataset, calendarFeatures, cyclicFeatures, forecastLoss, generatedSeries, mase, seasonalScale } from '../src';

describe('window scaling', () => {
  const target = Float64Array.from({ length: 20 }, (_, i) => 10 + i);

  test('meanAbs divides targets and history by the mean |x| of the lookback window; undone exactly', () => {
    const ds = new WindowDataset([{ id: 's', target }], { lookback: 4, horizon: 2, covariates: 0, known: 0, statics: 0 }, { kind: 'meanAbs' });
    const b = ds.batch(ds.windows(0, 10, 12));
    // origin 9: window 16, 17, 18, 19 → mean 17.5
    expect(b.scale[0]).toBe(17.5);
    expect(Array.from(b.past)).toEqual([16, 17, 18, 19].map((x) => Math.fround(x / 17.5)));
    expect(Array.from(b.target)).toEqual([20, 21].map((x) => Math.fround(x / 17.5)));
  });

  test('shift subtracts the origin value and divides by the scale', () => {
    const ds = new WindowDataset([{ id: 's', target }], { lookback: 3, horizon: 2, covariates: 0, known: 0, statics: 0 }, { kind: 'shift', scale: 2 });
    const b = ds.batch(ds.windows(0, 10, 12));
    expect(b.center[0]).toBe(19);
    expect(Array.from(b.past)).toEqual([-1, -0.5, 0]);
    expect(Array.from(b.target)).toEqual([0.5, 1]);
  });

  test('covariates before the target column, known inputs past the data serve the last window', () => {
    const covariates = Float32Array.from({ length: 40 }, (_, i) => i);
    const known = Float32Array.from({ length: 22 }, (_, i) => 100 + i);
    const ds = new WindowDataset([{ id: 's', target, covariates, known }], { lookback: 2, horizon: 2, covariates: 2, known: 1, statics: 0 }, { kind: 'none' });
    const b = ds.batch(ds.lastWindow(0));
    expect(Array.from(b.past)).toEqual([36, 37, 28, 38, 39, 29]);
    expect(Array.from(b.future)).toEqual([120, 121]);
    expect(b.target.every((x) => Number.isNaN(x))).toBe(true);
  });

  test('bad series are refused, naming the field', () => {
    const shape = { lookback: 2, horizon: 1, covariates: 1, known: 0, statics: 0 };
    expect(() => new WindowDataset([{ id: 's', target: [1, Number.NaN] , covariates: new Float32Array(2) }], shape, { kind: 'none' })).toThrow(/series\[0\] \(s\).target\[1\]/);
    expect(() => new WindowDataset([{ id: 's', target: [1, 2], covariates: new Float32Array(3) }], shape, { kind: 'none' })).toThrow(InvalidDatasetError);
    expect(() => new WindowDataset([{ id: 's', target: [1, 2], covariates: new Float32Array(2), times: [5, 5] }], shape, { kind: 'none' })).toThrow(/times\[1\]/);
    expect(() => new WindowDataset([{ id: 's', target: [1, 2] }], { ...shape, covariates: 0 }, { kind: 'shift', scale: 0 })).toThrow(/scaling.scale/);
  });
});

describe('known inputs', () => {
  test('calendar: hour of day and day of week (Monday 00:00 UTC = angle 0) on the unit circle', () => {
    const monday = Date.UTC(2024, 0, 1); // a Monday
    const f = calendarFeatures([monday, monday + 6 * 3_600_000, monday + 3.5 * 86_400_000]);
    expect(CALENDAR_FEATURES).toEqual(['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos']);
    expect(Array.from(f.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    expect(f[4]).toBeCloseTo(1, 6);
    expect(f[5]).toBeCloseTo(0, 6);
    expect(f[10]).toBeCloseTo(0, 6); // Thursday noon: half a week
    expect(f[11]).toBeCloseTo(-1, 6);
  });

  test('cyclic features by position', () => {
    const f = cyclicFeatures(25, [24]);
    expect(f[0]).toBe(0);
    expect(f[1]).toBe(1);
    expect(f[48]).toBe(0);
    expect(f[49]).toBe(1);
    expect(f[12]).toBeCloseTo(1, 6);
  });

  test('generatedSeries is seeded and states its error floor', () => {
    const a = generatedSeries({ length: 50, seed: 4 });
    const b = generatedSeries({ length: 50, seed: 4 });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(a.optimalMse(1)).toBeCloseTo(0.3 ** 2 + 0.2 ** 2, 12);
    expect(a.optimalMse(1000)).toBeCloseTo(0.09 / 0.19 + 0.04, 9);
  });
});

describe('MASE weights', () => {
  test('a window weighs scale / mean |y_t − y_{t−m}| over its history, and the mase loss is the window\'s MASE', () => {
    const y = [4, 8, 5, 9, 6, 10, 7, 12, 9];
    const ds = new WindowDataset([{ id: 's', target: y }], { lookback: 4, horizon: 2, covariates: 0, known: 0, statics: 0 }, { kind: 'meanAbs' }, { season: 2 });
    const w = ds.windows(0, 7, 9);
    const b = ds.batch(w);
    // origin 6: history 4 8 5 9 6 10 7 → |5−4| |9−8| |6−5| |10−9| |7−6| = 5 over 5 → 1; scale = mean(9, 6, 10, 7) = 8
    expect(b.scale[0]).toBe(8);
    expect(b.weight[0]).toBe(8);
    const forecast = [11, 10];
    const loss = tf.tidy(() =>
      forecastLoss({ lookback: 4, horizon: 2, pastFeatures: 1, futureFeatures: 0, staticFeatures: 0, quantiles: [] }, tf.tensor3d(forecast.map((f) => f / 8), [1, 2, 1]), tf.tensor2d(Array.from(b.target), [1, 2]), 'mase', tf.tensor1d(b.weight)).dataSync()[0]!,
    );
    expect(loss).toBeCloseTo(mase(y.slice(0, 7), [12, 9], forecast, 2), 5);
    expect(() => new WindowDataset([{ id: 's', target: y }], { lookback: 4, horizon: 2, covariates: 0, known: 0, statics: 0 }, { kind: 'none' }, { season: 0 })).toThrow(/season/);
  });
});

describe('baselines added to the output', () => {
  const io = (lookback: number, horizon: number) => ({ lookback, horizon, covariates: 0, known: 0, statics: 0 });
  // A daily-like cycle of 4 on a rising level: seasonal naive differs from naive and from the truth.
  const y = Float64Array.from({ length: 40 }, (_, t) => 50 + t + 10 * [0, 3, -2, 1][t % 4]!);

  test('seasonalNaive: base[h] = the value one season before step h, scaled like the window', () => {
    const ds = new WindowDataset([{ id: 's', target: y }], io(8, 6), { kind: 'meanAbs' }, { baseline: { kind: 'seasonalNaive', season: 4 } });
    const b = ds.batch(ds.windows(0, 30, 36));
    // origin 29: the last season is rows 26..29, repeated over 6 steps.
    const k = b.scale[0]!;
    expect(Array.from(b.base!)).toEqual([26, 27, 28, 29, 26, 27].map((t) => Math.fround(y[t]! / k)));
    expect(ds.baseline).toEqual({ kind: 'seasonalNaive', season: 4 });
  });

  test('naive: the origin value on every step; shift scaling makes it 0', () => {
    const ds = new WindowDataset([{ id: 's', target: y }], io(4, 3), { kind: 'shift', scale: 2 }, { baseline: { kind: 'naive' } });
    const b = ds.batch(ds.windows(0, 30, 33));
    expect(Array.from(b.base!)).toEqual([0, 0, 0]);
    const none = new WindowDataset([{ id: 's', target: y }], io(4, 3), { kind: 'shift', scale: 2 });
    expect(none.batch(none.windows(0, 30, 33)).base).toBeUndefined();
  });

  test('a baseline that needs more than the lookback, or an unknown kind, is refused', () => {
    expect(() => new WindowDataset([{ id: 's', target: y }], io(3, 2), { kind: 'none' }, { baseline: { kind: 'seasonalNaive', season: 4 } })).toThrow(/baseline.season/);
    expect(() => new WindowDataset([{ id: 's', target: y }], io(3, 2), { kind: 'none' }, { baseline: { kind: 'seasonalNaive', season: 0 } })).toThrow(/baseline.season/);
    expect(() => new WindowDataset([{ id: 's', target: y }], io(3, 2), { kind: 'none' }, { baseline: { kind: 'drift' } as never })).toThrow(/baseline.kind/);
  });

  test('the MASE weight of every window equals scale / seasonalScale of its history', () => {
    const ds = new WindowDataset([{ id: 's', target: y }], io(8, 4), { kind: 'meanAbs' }, { season: 4 });
    const w = ds.windows(0, 0, 40);
    const b = ds.batch(w);
    w.origin.forEach((t0, i) => expect(b.weight[i]).toBeCloseTo(b.scale[i]! / seasonalScale(y.subarray(0, t0 + 1), 4), 4));
  });
});
