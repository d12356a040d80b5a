import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calendarFeatures, createModel } from '@meridian/models';
import type { ModelConfig } from '@meridian/models';
import { exportModel, loadOnnxModel } from '@meridian/onnx';
import { featureMatrix, fitNormalisation } from '@meridian/signals';
import type { Bar, FeatureSpec } from '@meridian/signals';
import { ModelStrategy, OnnxScoreModel, arraySource, runBacktest } from '../src';
import type { BarEvent } from '../src';
import { config, walk } from './helpers';

const LOOKBACK = 10;
const HORIZON = 3;
const QUANTILES = [0.1, 0.5, 0.9];
const SPEC = {
  version: 1,
  features: [
    { name: 'lr_1', kind: 'logReturn', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
    { name: 'rv_5', kind: 'realizedVol', input: 'close', params: { period: 5 }, normalisation: { kind: 'zscore' } },
  ],
};

const floats = (bars: BarEvent[]): Bar[] =>
  bars.map((e) => ({ startMs: Number(e.startNs / 1_000_000n), endMs: Number(e.tsNs / 1_000_000n), open: e.open.toNumber(), high: e.high.toNumber(), low: e.low.toNumber(), close: e.close.toNumber(), volume: e.volume.toNumber(), trades: e.trades }));

const events = walk('AAA-USDT', 200, 23);
const bars = floats(events);
const train = bars.slice(0, 80);
const spec = fitNormalisation(SPEC, train);
const logReturns = train.slice(1).map((b, i) => Math.log(b.close / train[i]!.close));
const mean = logReturns.reduce((a, x) => a + x, 0) / logReturns.length;
const sigma = Math.sqrt(logReturns.reduce((a, x) => a + (x - mean) ** 2, 0) / logReturns.length);

const dir = mkdtempSync(join(tmpdir(), 'backtest-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A seeded model exported by libs/onnx, as the training CLI writes one. */
function exported(kind: 'lstm' | 'tft', seed: number): string {
  const pastFeatures = spec.features.length + 1;
  const cfg = (
    kind === 'lstm'
      ? { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, hiddenSizes: [6], headUnits: 0, quantiles: QUANTILES, dropout: 0 }
      : { kind, lookback: LOOKBACK, horizon: HORIZON, pastFeatures, futureFeatures: 4, staticFeatures: 0, hidden: 8, heads: 2, quantiles: QUANTILES, dropout: 0 }
  ) as ModelConfig;
  const model = createModel(cfg, seed);
  try {
    const path = join(dir, `${kind}-${seed}.onnx`);
    writeFileSync(path, exportModel(model, { name: `${kind}-m`, version: 'v1', featureSpec: spec, targetScaling: { kind: 'shift', scale: sigma } }).bytes);
    return path;
  } finally {
    model.dispose();
  }
}

/**
 * The scores of the bars from the first full window on, computed without libs/forecasting:
 * libs/signals' featureMatrix, ln(close) shifted by the origin over σ, libs/models' calendar,
 * onnxruntime through libs/onnx, and the service's score rule (0.5 quantile at the horizon / √H, clipped).
 */
async function independentScores(path: string, kind: 'lstm' | 'tft', f: FeatureSpec): Promise<Map<number, number>> {
  const m = featureMatrix(f, bars);
  const C = f.features.length;
  const P = C + 1;
  const model = await loadOnnxModel(path);
  const out = new Map<number, number>();
  try {
    for (let k = m.firstBar + LOOKBACK - 1; k < bars.length; k++) {
      const past = new Float32Array(LOOKBACK * P);
      const origin = Math.log(bars[k]!.close);
      for (let l = 0; l < LOOKBACK; l++) {
        const bar = k - LOOKBACK + 1 + l;
        past.set(m.data.subarray((bar - m.firstBar) * C, (bar - m.firstBar + 1) * C), l * P);
        past[l * P + C] = (Math.log(bars[bar]!.close) - origin) / sigma;
      }
      const feeds: Record<string, { data: Float32Array; dims: number[] }> = { past: { data: past, dims: [1, LOOKBACK, P] } };
      if (kind === 'tft') {
        const step = bars[k]!.endMs - bars[k]!.startMs;
        feeds.future = { data: calendarFeatures(Array.from({ length: HORIZON }, (_, h) => bars[k]!.startMs + (h + 1) * step)), dims: [1, HORIZON, 4] };
      }
      const row = (await model.run(feeds)).forecast!.data;
      const z = row[(HORIZON - 1) * QUANTILES.length + 1]! / Math.sqrt(HORIZON);
      out.set(bars[k]!.startMs, Math.max(-1, Math.min(1, z)));
    }
  } finally {
    await model.dispose();
  }
  return out;
}

describe.each<['lstm' | 'tft', number]>([
  ['lstm', 4],
  ['tft', 5],
])('OnnxScoreModel (%s)', (kind, seed) => {
  let path: string;
  let model: OnnxScoreModel;
  let expected: Map<number, number>;
  beforeAll(async () => {
    path = exported(kind, seed);
    model = await OnnxScoreModel.load(path, { expectedName: `${kind}-m`, expectedKind: kind });
    expected = await independentScores(path, kind, spec);
  });
  afterAll(() => model.dispose());

  test('scores every bar after the warm-up as computed independently from featureMatrix and onnxruntime', async () => {
    const scorer = model.scorer();
    const got = new Map<number, number>();
    for (const bar of bars) {
      const s = scorer.onBar(bar);
      if (s !== undefined) got.set(bar.startMs, await s);
    }
    expect([...got.keys()]).toEqual([...expected.keys()]);
    for (const [t, s] of got) expect(Math.abs(s - expected.get(t)!)).toBeLessThan(1e-6);
    // The scores move with the bars: the comparison is not between constants.
    expect(new Set(got.values()).size).toBeGreaterThan(got.size / 2);
    // A repeated bar is dropped, as the service drops it.
    expect(scorer.onBar(bars[bars.length - 1]!)).toBeUndefined();
  });

  test('drives ModelStrategy in a backtest: one prediction per scored bar, orders where the score clears the threshold', async () => {
    const strategy = new ModelStrategy({ model, interval: '1m', strategy: { intentIntervalMs: 0, entryThreshold: 0.05 } });
    const result = await runBacktest({ config: config(['AAA-USDT']), sources: [arraySource('bars', events)], strategies: [strategy] });
    expect(strategy.decisions.predictions).toBe(expected.size);
    expect(result.orders.length).toBeGreaterThan(0);
    expect(result.params).toMatchObject({ model: `${kind}-m`, modelVersion: 'v1', architecture: kind, lookback: LOOKBACK, horizon: HORIZON });
  });
});

test('a model file of another name than expected is refused before any run', async () => {
  const path = exported('lstm', 6);
  await expect(OnnxScoreModel.load(path, { expectedName: 'other' })).rejects.toThrow(/other/);
});
