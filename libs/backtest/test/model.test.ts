import { featureMatrix, fitNormalisation, validateFeatureSpec } from '@meridian/signals';
import type { Bar } from '@meridian/signals';
import { LinearScoreModel, ModelError, ModelStrategy, arraySource, choleskySolve, fitLinearScoreModel, runBacktest } from '../src';
import type { BarEvent, ScoreModel } from '../src';
import { config, d, walk } from './helpers';

const SPEC = {
  version: 1,
  features: [
    { name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'ret_5', kind: 'logReturn', input: 'close', params: { period: 5 }, normalisation: { kind: 'zscore' } },
    { name: 'rsi_7', kind: 'rsi', input: 'close', params: { period: 7 }, normalisation: { kind: 'minmax' } },
  ],
};

const floats = (bars: BarEvent[]): Bar[] =>
  bars.map((e) => ({ startMs: Number(e.startNs / 1_000_000n), endMs: Number(e.tsNs / 1_000_000n), open: e.open.toNumber(), high: e.high.toNumber(), low: e.low.toNumber(), close: e.close.toNumber(), volume: e.volume.toNumber(), trades: e.trades }));

describe('the linear model', () => {
  test('Cholesky solves a system worked by hand', () => {
    // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0]
    expect([...choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2)]).toEqual([0.5, 0]);
    expect(() => choleskySolve(Float64Array.from([1, 1, 1, 1]), Float64Array.from([1, 1]), 2)).toThrow(ModelError);
  });

  test('an unpenalised fit of one feature is the least-squares line through the standardised forward returns', () => {
    // Log returns that carry half of the previous one forward, plus a little seeded noise.
    const bars: Bar[] = [];
    let close = 100;
    let previous = 0;
    let seed = 3;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.004;
    for (let i = 0; i < 500; i++) {
      const next = 0.5 * previous + noise();
      close *= Math.exp(next);
      previous = next;
      bars.push({ startMs: i * 60_000, endMs: (i + 1) * 60_000, open: close, high: close, low: close, close, volume: 1, trades: 1 });
    }
    const one = { version: 1, features: [{ name: 'lr_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } }] };
    const spec = fitNormalisation(one, bars);
    const model = fitLinearScoreModel({ name: 'planted', featureSpec: spec, bars, ridge: 0 });
    // By hand: x = the z-scored log return at bar t, y = the log return of bar t + 1 over its (population) σ;
    // slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)², bias = ȳ − slope · x̄.
    const m = featureMatrix(spec, bars);
    const xs: number[] = [];
    const ys: number[] = [];
    for (let r = 0; r < m.rows && m.firstBar + r + 1 < bars.length; r++) {
      xs.push(m.data[r]!);
      ys.push(Math.log(bars[m.firstBar + r + 1]!.close / bars[m.firstBar + r]!.close));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const my = mean(ys);
    const sd = Math.sqrt(ys.reduce((a, y) => a + (y - my) ** 2, 0) / ys.length);
    const y = ys.map((v) => v / sd);
    const mx = mean(xs);
    const ym = mean(y);
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (y[i]! - ym), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    expect(model.weights[0]).toBeCloseTo(slope, 9);
    expect(model.bias).toBeCloseTo(ym - slope * mx, 9);
    // Half of the return carries on: the correlation, and so the standardised slope, is clearly positive.
    expect(slope).toBeGreaterThan(0.3);
    const x = new Float32Array([1.5]);
    expect(model.predict(x)).toBeCloseTo(Math.tanh(model.raw(x)), 12);
    expect(JSON.parse(JSON.stringify(model)).weights).toEqual([...model.weights]);
    expect(() => new LinearScoreModel({ name: 'bad', featureSpec: spec, weights: [1, 2], bias: 0 })).toThrow(/2 weights for 1 features/);
  });
});

describe('ModelStrategy', () => {
  const bars = walk('AAA-USDT', 900, 17);
  const train = floats(bars.slice(0, 300));
  const spec = validateFeatureSpec(fitNormalisation(SPEC, train));
  const model = fitLinearScoreModel({ name: 'ridge-3', featureSpec: spec, bars: train, horizon: 3, ridge: 1, gain: 4 });
  const strategy = () => new ModelStrategy({ model, interval: '1m', strategy: { intentIntervalMs: 0, entryThreshold: 0.1 } });

  test('trades on the model score through the coordinator sizing; a model served asynchronously decides the same', async () => {
    const test = bars.slice(300);
    const sync = await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('bars', test)], strategies: [strategy()] });
    expect(sync.orders.length).toBeGreaterThan(10);
    expect(sync.params).toMatchObject({ model: 'ridge-3', window: 1, features: 3, strategyId: 'ridge-3' });
    const asyncModel: ScoreModel = { name: model.name, featureSpec: model.featureSpec, window: 1, predict: (x) => Promise.resolve(model.predict(x)) };
    const served = await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('bars', test)], strategies: [new ModelStrategy({ model: asyncModel, interval: '1m', strategy: { intentIntervalMs: 0, entryThreshold: 0.1 } })] });
    expect(JSON.stringify(served.orders)).toBe(JSON.stringify(sync.orders));
    expect(served.metrics).toEqual(sync.metrics);
  });

  test('a window of several vectors reaches the model oldest first', async () => {
    const seen: number[][] = [];
    const windowed: ScoreModel = {
      name: 'window-3',
      featureSpec: spec,
      window: 3,
      predict: (x) => {
        seen.push([x[0]!, x[3]!, x[6]!]);
        return 0;
      },
    };
    const s = new ModelStrategy({ model: windowed, interval: '1m' });
    await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('bars', bars.slice(0, 60))], strategies: [s] });
    // The one-bar return feature of consecutive bars: each window is the previous one shifted by a row.
    expect(seen.length).toBeGreaterThan(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.slice(0, 2)).toEqual(seen[i - 1]!.slice(1));
  });

  test('refuses a model whose spec hash does not match, or whose score is not finite', async () => {
    expect(() => new ModelStrategy({ model: { ...model, featureSpecHash: 'f00d', predict: (x) => model.predict(x) } })).toThrow(/FEATURE_SPEC_MISMATCH|feature spec/i);
    const nan: ScoreModel = { name: 'nan', featureSpec: spec, window: 1, predict: () => Number.NaN };
    await expect(runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('bars', bars.slice(0, 60))], strategies: [new ModelStrategy({ model: nan, interval: '1m' })] })).rejects.toThrow(/a score must be finite/);
  });
});

test('a run can leave orders and fills out of the result and keep everything else', async () => {
  const bars = walk('AAA-USDT', 300, 3);
  const s = () => new ModelStrategy({ model: fitLinearScoreModel({ name: 'm', featureSpec: fitNormalisation(SPEC, floats(bars)), bars: floats(bars), ridge: 1, gain: 4 }), interval: '1m', strategy: { intentIntervalMs: 0, entryThreshold: 0.05 } });
  const full = await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('b', bars)], strategies: [s()] });
  const lean = await runBacktest({ config: config(['AAA-USDT'], { recordOrders: false, recordFills: false }), sources: [arraySource('b', bars)], strategies: [s()] });
  expect(full.orders.length).toBeGreaterThan(0);
  expect(lean.orders).toEqual([]);
  expect(lean.fills).toEqual([]);
  expect(lean.counts).toEqual({ ...full.counts });
  expect(lean.counts.orders).toBe(full.orders.length);
  expect(lean.counts.fills).toBe(full.fills.length);
  expect(lean.metrics).toEqual(full.metrics);
  expect(lean.trades).toEqual(full.trades);
  expect(d(lean.metrics.finalEquity).eq(full.metrics.finalEquity)).toBe(true);
});
