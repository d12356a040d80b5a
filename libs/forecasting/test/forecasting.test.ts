import { loadOnnxModelFromBytes } from '@meridian/onnx';
import type { OnnxModel } from '@meridian/onnx';
import { BarWindow, ModelNotServableError, describeForecaster, expectedSigmas, forecastBatch, quantilePaths, scoreOf } from '../src';
import type { BarWindowInput } from '../src';
import { HORIZON, LOOKBACK, QUANTILES, expectedInputs, exportSeeded, fitted, walkBars } from './fixtures';
import type { Kind } from './fixtures';

const bars = walkBars(160, 5);
const { spec, sigma } = fitted(bars.slice(0, 100));

const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe.each<[Kind, number]>([
  ['lstm', 1],
  ['tft', 2],
  ['nbeats', 3],
])('%s', (kind, seed) => {
  let model: OnnxModel;
  beforeAll(async () => {
    model = await loadOnnxModelFromBytes(exportSeeded(kind, seed, spec, { kind: 'shift', scale: sigma }), `${kind}.onnx`);
  });
  afterAll(() => model.dispose());

  test('the windows from bars are the ones computed from featureMatrix, and the batch forecast is the checked run’s', async () => {
    const d = describeForecaster(model);
    expect(d).toMatchObject({ kind, lookback: LOOKBACK, horizon: HORIZON, covariates: kind === 'nbeats' ? 0 : 3, futureFeatures: kind === 'tft' ? 4 : 0, targetScale: sigma });
    const w = new BarWindow(d);
    const inputs: { k: number; input: BarWindowInput }[] = [];
    for (const [k, bar] of bars.entries()) {
      const before = w.missingBars;
      const full = w.push(bar);
      // The count of bars still missing falls by one per bar and reaches 0 with the first full window.
      expect(w.missingBars).toBe(Math.max(0, before - 1));
      expect(full).toBe(w.missingBars === 0);
      if (full && k % 7 === 0) inputs.push({ k, input: w.input()! });
    }
    expect(inputs.length).toBeGreaterThan(10);
    for (const { k, input } of inputs) {
      const want = expectedInputs(kind, spec, sigma, bars, k);
      expect(maxAbsDiff(input.past, want.past)).toBeLessThan(1e-5);
      expect(maxAbsDiff(input.future, want.future)).toBeLessThan(1e-6);
      expect(input.originLogClose).toBe(Math.log(bars[k]!.close));
    }
    const rows = await forecastBatch(model, d, inputs.map((x) => x.input));
    const Q = d.outputs;
    for (const [b, { input }] of inputs.entries()) {
      const feeds = { past: { data: input.past, dims: [1, LOOKBACK, d.pastFeatures] }, ...(d.futureFeatures > 0 ? { future: { data: input.future, dims: [1, HORIZON, 4] } } : {}) };
      const one = (await model.run(feeds)).forecast!.data;
      expect(maxAbsDiff(rows[b]!, one)).toBeLessThan(1e-5);
      // The central channel: the 0.5 quantile of three, or the point forecast.
      const central = rows[b]![(HORIZON - 1) * Q + (Q === 3 ? 1 : 0)]!;
      expect(expectedSigmas(d, rows[b]!)).toBe(central);
      expect(scoreOf(d, rows[b]!)).toBeCloseTo(Math.max(-1, Math.min(1, central / Math.sqrt(HORIZON))), 12);
      const paths = quantilePaths(d, rows[b]!, { logClose: input.originLogClose });
      expect(paths.map((p) => p.level)).toEqual(Q === 3 ? QUANTILES : [0]);
      expect(paths[0]!.prices[HORIZON - 1]).toBeCloseTo(Math.exp(input.originLogClose + rows[b]![(HORIZON - 1) * Q]! * sigma), 9);
    }
  });
});

test('a model whose target is not shift-scaled cannot be fed from bars', async () => {
  const model = await loadOnnxModelFromBytes(exportSeeded('lstm', 1, spec, { kind: 'none' }), 'none.onnx');
  try {
    expect(() => describeForecaster(model)).toThrow(ModelNotServableError);
    expect(() => describeForecaster(model)).toThrow(/target scaling is \{"kind":"none"\}/);
  } finally {
    await model.dispose();
  }
});

test('the score is clipped to [-1, 1] and a non-finite forecast scores 0', () => {
  const d = { horizon: 4, outputs: 1, quantiles: [] as number[] } as unknown as Parameters<typeof scoreOf>[0];
  const row = (v: number) => Float32Array.from([0, 0, 0, v]);
  expect(scoreOf(d, row(1))).toBe(0.5);
  expect(scoreOf(d, row(9))).toBe(1);
  expect(scoreOf(d, row(-9))).toBe(-1);
  expect(scoreOf(d, row(Number.NaN))).toBe(0);
});
