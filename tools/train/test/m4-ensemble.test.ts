import { M4_HOURLY_PUBLISHED, holdoutM4, m4Distances, m4Members, m4ScoreRows, m4Summary, medianForecast, parseVariants } from '../src';
import type { M4Result } from '../src';

test('medianForecast: the pointwise median, the middle pair averaged for an even count', () => {
  const member = (...rows: number[][]) => rows.map((r) => Float64Array.from(r));
  const odd = medianForecast([member([1, 10], [5, 5]), member([3, -2], [5, 7]), member([2, 4], [9, 6])]);
  expect(odd.map((f) => Array.from(f))).toEqual([
    [2, 4],
    [5, 6],
  ]);
  const even = medianForecast([member([1, 10]), member([4, 0]), member([2, 3]), member([100, 5])]);
  expect(Array.from(even[0]!)).toEqual([3, 4]);
  // One member: its own forecast.
  expect(Array.from(medianForecast([member([7, 8])])[0]!)).toEqual([7, 8]);
  expect(() => medianForecast([])).toThrow(/--ensemble/);
});

test('m4Members: lookbacks × variants (loss, baseline) × seeds, each member its own seed', () => {
  const variants = [
    { loss: 'smape', baseline: 'seasonal' },
    { loss: 'mase', baseline: 'seasonal' },
    { loss: 'smape', baseline: 'none' },
    { loss: 'mase', baseline: 'none' },
  ] as const;
  const plan = m4Members({ lookbackHorizons: [2, 5], variants, ensemble: 3 }, 10);
  expect(plan.length).toBe(24);
  expect(plan.map((m) => m.seed)).toEqual(Array.from({ length: 24 }, (_, k) => 10 + k));
  expect(plan.slice(0, 5)).toEqual([
    { lookbackHorizons: 2, baseline: 'seasonal', loss: 'smape', seed: 10 },
    { lookbackHorizons: 2, baseline: 'seasonal', loss: 'mase', seed: 11 },
    { lookbackHorizons: 2, baseline: 'none', loss: 'smape', seed: 12 },
    { lookbackHorizons: 2, baseline: 'none', loss: 'mase', seed: 13 },
    { lookbackHorizons: 5, baseline: 'seasonal', loss: 'smape', seed: 14 },
  ]);
  // Every combination appears once per seed replicate.
  const combos = new Map<string, number>();
  for (const m of plan) combos.set(`${m.lookbackHorizons}/${m.baseline}/${m.loss}`, (combos.get(`${m.lookbackHorizons}/${m.baseline}/${m.loss}`) ?? 0) + 1);
  expect([...combos.values()]).toEqual(new Array(8).fill(3));
});

test('holdoutM4 moves each series\' last 48 training points to the test side', () => {
  const x = Float64Array.from({ length: 100 }, (_, i) => i);
  const h = holdoutM4({ ids: ['a'], train: [x], test: [new Float64Array(48)] });
  expect(h.train[0]!.length).toBe(52);
  expect(Array.from(h.test[0]!)).toEqual(Array.from({ length: 48 }, (_, i) => 52 + i));
});

test('the score table and the distances to the winner and the best Hourly method', () => {
  const scores = {
    model: { smape: 10, mase: 0.9, owa: 0.45 },
    naive2: { smape: 18.383, mase: 2.395, owa: 1 },
    sNaive: { smape: 13.912, mase: 1.193, owa: 0.627 },
    naive: { smape: 43, mase: 11.6, owa: 3.6 },
  };
  const rows = m4ScoreRows(scores, 'nbeats-g × 6', 'test');
  expect(rows.map((r) => r.method)).toEqual(['nbeats-g × 6 (this run)', 'Naive2 (this run)', 'sNaive (this run)', 'Naive (this run)', ...M4_HOURLY_PUBLISHED.map((p) => `${p.method} (published)`)]);
  // On the holdout the published figures are not comparable and are left out.
  expect(m4ScoreRows(scores, 'x', 'holdout').length).toBe(4);
  const d = m4Distances(scores.model);
  expect(d.map((r) => r.method)).toEqual(['winner: Smyl (ES-RNN, overall winner)', 'best Hourly: Doornik et al. (best Hourly OWA)']);
  expect(d[0]!.smape).toBeCloseTo(10 - 9.328, 9);
  expect(d[0]!.owa).toBeCloseTo(0.45 - 0.44, 9);
  expect(d[1]!.mase).toBeCloseTo(0.9 - 0.801, 9);
  const text = m4Summary({ series: 414, members: new Array(6), seconds: 90 } as unknown as M4Result, rows, d, 'test');
  expect(text).toMatch(/nbeats-g × 6 \(this run\)\s+10\.000\s+0\.900\s+0\.450/);
  expect(text).toMatch(/to winner: Smyl.*\+0\.672\s+\+0\.007\s+\+0\.010/);
  expect(text).toMatch(/to best Hourly: Doornik.*\+1\.087\s+\+0\.099\s+\+0\.040/);
});

test('parseVariants: LOSS or LOSS:BASELINE, the baseline defaulting to --baseline; bad items named', () => {
  expect(parseVariants({})).toEqual([{ loss: 'mae', baseline: 'none' }]);
  expect(parseVariants({ loss: 'mase:seasonal,mae', baseline: 'naive' })).toEqual([
    { loss: 'mase', baseline: 'seasonal' },
    { loss: 'mae', baseline: 'naive' },
  ]);
  expect(parseVariants({ loss: 'smape:none,smape:seasonal' })).toEqual([
    { loss: 'smape', baseline: 'none' },
    { loss: 'smape', baseline: 'seasonal' },
  ]);
  expect(() => parseVariants({ loss: 'mase:weekly' })).toThrow(/--loss.*mase:weekly/);
  expect(() => parseVariants({ loss: 'huber' })).toThrow(/--loss/);
  expect(() => parseVariants({ loss: 'mase:seasonal:x' })).toThrow(/--loss/);
  expect(() => parseVariants({ loss: 'mase,mase' })).toThrow(/repeats/);
  // The same variant once the default baseline is filled in.
  expect(() => parseVariants({ loss: 'mase,mase:none' })).toThrow(/--loss.*repeats a variant/);
  expect(() => parseVariants({ loss: 'mase:seasonal,mase', baseline: 'seasonal' })).toThrow(/repeats a variant/);
  expect(parseVariants({ loss: 'mase:seasonal,mase', baseline: 'naive' }).length).toBe(2);
  expect(() => parseVariants({ loss: 'mase', baseline: 'drift' })).toThrow(/--baseline/);
});
