import { fitNormalisation } from '@meridian/signals';
import { InvalidDatasetError, WindowDataset, prepareBarFold, walkForwardSplits } from '../src';
import { walkBars } from './bars';

const spec = {
  version: 1,
  features: [
    { name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'vol_z', kind: 'zScore', input: 'volume', params: { period: 12 }, normalisation: { kind: 'zscore' } },
    { name: 'rsi', kind: 'rsi', input: 'close', params: { period: 14 }, normalisation: { kind: 'minmax' } },
  ],
};

describe('walk-forward splits', () => {
  test('expanding folds: test segments tile the end, validation right before, training everything earlier', () => {
    const folds = walkForwardSplits({ length: 1000, folds: 3, testSize: 100, validationSize: 50, minTrainSize: 500 });
    expect(folds).toEqual([
      { index: 0, train: { start: 0, end: 650 }, validation: { start: 650, end: 700 }, test: { start: 700, end: 800 } },
      { index: 1, train: { start: 0, end: 750 }, validation: { start: 750, end: 800 }, test: { start: 800, end: 900 } },
      { index: 2, train: { start: 0, end: 850 }, validation: { start: 850, end: 900 }, test: { start: 900, end: 1000 } },
    ]);
  });

  test('too short a series is refused, naming it', () => {
    expect(() => walkForwardSplits({ length: 700, folds: 3, testSize: 100, validationSize: 50, minTrainSize: 500 })).toThrow(InvalidDatasetError);
    expect(() => walkForwardSplits({ length: 700, folds: 0, testSize: 100, validationSize: 50, minTrainSize: 500 })).toThrow(/splits.folds/);
  });

  test('windows keep their targets inside their segment and their inputs after the warm-up', () => {
    const ds = new WindowDataset([{ id: 's', target: new Float64Array(100).map((_, i) => i), start: 10 }], { lookback: 5, horizon: 3, covariates: 0, known: 0, statics: 0 }, { kind: 'none' });
    const w = ds.windows(0, 0, 50);
    expect(w.origin[0]).toBe(14); // past rows 10..14
    expect(w.origin[w.origin.length - 1]).toBe(46); // targets 47..49
    const v = ds.windows(0, 50, 60);
    expect(Array.from(v.origin)).toEqual([49, 50, 51, 52, 53, 54, 55, 56]);
    const b = ds.batch(v, [0]);
    expect(Array.from(b.past)).toEqual([45, 46, 47, 48, 49]);
    expect(Array.from(b.target)).toEqual([50, 51, 52]);
  });
});

describe('no look-ahead in a bar fold', () => {
  const bars = walkBars(1200, 5);
  const fold = walkForwardSplits({ length: bars.length, folds: 2, testSize: 200, validationSize: 150, minTrainSize: 400 })[0]!;
  const options = { lookback: 24, horizon: 6, spec, calendar: true };

  test('no training window reads a row at or after the validation start, in time or index', () => {
    const f = prepareBarFold(bars, fold, options);
    const valStartMs = bars[fold.validation.start]!.startMs;
    expect(f.train.origin.length).toBeGreaterThan(0);
    for (let i = 0; i < f.train.origin.length; i++) {
      const { first, last } = f.dataset.span(0, f.train.origin[i]!);
      expect(first).toBeGreaterThanOrEqual(f.series.start!);
      expect(last).toBeLessThan(fold.validation.start);
      expect(f.series.times![last]!).toBeLessThan(valStartMs);
    }
    for (let i = 0; i < f.validation.origin.length; i++) {
      const { last } = f.dataset.span(0, f.validation.origin[i]!);
      expect(f.validation.origin[i]! + 1).toBeGreaterThanOrEqual(fold.validation.start);
      expect(last).toBeLessThan(fold.test.start);
    }
    expect(f.fitBars).toEqual({ start: 0, end: fold.validation.start });
    // The fitted statistics are exactly those of the training bars alone.
    expect(f.spec).toEqual(fitNormalisation(spec, bars.slice(0, fold.validation.start)));
  });

  test('rewriting every validation and test bar changes nothing that training sees', () => {
    const a = prepareBarFold(bars, fold, options);
    const future = bars.map((b, i) => (i < fold.validation.start ? b : { ...b, open: b.open * 3, high: b.high * 3.5, low: b.low * 2.5, close: b.close * 3, volume: b.volume * 100 }));
    const b = prepareBarFold(future, fold, options);
    expect(b.spec).toEqual(a.spec);
    expect(b.scaling).toEqual(a.scaling);
    expect(Array.from(b.train.origin)).toEqual(Array.from(a.train.origin));
    const ba = a.dataset.batch(a.train);
    const bb = b.dataset.batch(b.train);
    expect(Buffer.from(bb.past.buffer).equals(Buffer.from(ba.past.buffer))).toBe(true);
    expect(Buffer.from(bb.future.buffer).equals(Buffer.from(ba.future.buffer))).toBe(true);
    expect(Buffer.from(bb.target.buffer).equals(Buffer.from(ba.target.buffer))).toBe(true);
    // …while the validation windows do see the change (the test would catch a fold that ignored the data).
    const va = a.dataset.batch(a.validation);
    const vb = b.dataset.batch(b.validation);
    expect(Buffer.from(vb.target.buffer).equals(Buffer.from(va.target.buffer))).toBe(false);
  });

  test('univariate folds read the target only', () => {
    const f = prepareBarFold(bars, fold, { ...options, univariate: true, calendar: false });
    expect(f.dataset.io).toEqual({ lookback: 24, horizon: 6, pastFeatures: 1, futureFeatures: 0, staticFeatures: 0 });
    expect(f.columns).toEqual({ past: ['target'], future: [], static: [] });
  });
});
