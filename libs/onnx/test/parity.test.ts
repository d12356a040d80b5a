// Every architecture of libs/models, exported and run in onnxruntime-node on the same random
// inputs as its tfjs forward pass (CPU backend): every output within 1e-4, at batch 1, 7 and 64.
import * as ort from 'onnxruntime-node';
import { createModel, nbeatsGenericConfig, nbeatsInterpretableConfig, tf, type ForecastModel } from '@meridian/models';
import { exportModel } from '../src/export-model';
import type { ExportedModel } from '../src/export-common';
import { maxAbsDiff, randomArray, rngFor } from './helpers';
import { SPEC } from './fixtures';

const TOL = 1e-4;
const BATCHES = [1, 7, 64];

/**
 * Random values for every trainable weight (biases and layer-norm gains included, which start at
 * 0 and 1 and would hide a wrong bias layout); fixed constants (N-BEATS bases, the attention mask)
 * stay as the model built them.
 */
function randomiseWeights(model: ForecastModel, seed: number, scale: number): void {
  const rng = rngFor(seed);
  model.setWeights(model.getWeights().map((w) => (w.trainable ? { ...w, data: randomArray(rng, w.data.length, scale) } : w)));
}

interface Case {
  readonly label: string;
  readonly config: unknown;
  readonly scale: number;
}

const CASES: Case[] = [
  { label: 'LSTM, one layer of 64, point forecast', config: { kind: 'lstm', lookback: 48, horizon: 12, pastFeatures: 13 }, scale: 0.3 },
  { label: 'LSTM, two layers, ReLU head, quantiles', config: { kind: 'lstm', lookback: 32, horizon: 6, pastFeatures: 5, hiddenSizes: [32, 16], headUnits: 24, quantiles: [0.1, 0.5, 0.9] }, scale: 0.3 },
  { label: 'N-BEATS generic', config: nbeatsGenericConfig(48, 12, { blocks: 3, layers: 4, units: 64 }), scale: 0.15 },
  { label: 'N-BEATS interpretable (trend + seasonality, shared weights)', config: nbeatsInterpretableConfig(48, 12, { trendUnits: 64, seasonalityUnits: 64 }), scale: 0.15 },
  {
    label: 'N-BEATS mixed stacks, unshared',
    config: { kind: 'nbeats', lookback: 20, horizon: 5, stacks: [{ type: 'trend', blocks: 2, layers: 2, units: 16, degree: 2, shareWeights: false }, { type: 'generic', blocks: 1, layers: 2, units: 16, thetaSize: 7 }, { type: 'seasonality', blocks: 2, layers: 1, units: 16, harmonics: 3 }] },
    scale: 0.2,
  },
  { label: 'TFT, past inputs only (learned decoder positions), 3 quantiles', config: { kind: 'tft', lookback: 24, horizon: 6, pastFeatures: 5 }, scale: 0.3 },
  {
    label: 'TFT with static and known future inputs, 5 quantiles',
    config: { kind: 'tft', lookback: 16, horizon: 4, pastFeatures: 4, futureFeatures: 2, staticFeatures: 3, hidden: 16, heads: 2, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95] },
    scale: 0.3,
  },
  { label: 'TFT, one head, point forecast', config: { kind: 'tft', lookback: 10, horizon: 3, pastFeatures: 2, futureFeatures: 1, hidden: 8, heads: 1, quantiles: [] }, scale: 0.3 },
];

describe.each(CASES)('$label', ({ config, scale }) => {
  let model: ForecastModel;
  let exported: ExportedModel;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    model = createModel(config, 11);
    randomiseWeights(model, 12, scale);
    exported = exportModel(model, { name: 'parity', version: '1', featureSpec: SPEC });
    session = await ort.InferenceSession.create(exported.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  });
  afterAll(async () => {
    await session.release();
    model.dispose();
  });

  test.each(BATCHES)(`batch %i: every output within ${TOL}`, async (batch) => {
    const io = model.io;
    const rng = rngFor(100 + batch);
    const past = randomArray(rng, batch * io.lookback * io.pastFeatures, 2);
    const future = randomArray(rng, batch * io.horizon * io.futureFeatures, 2);
    const statics = randomArray(rng, batch * io.staticFeatures, 2);
    const expected = tf.tidy(() => {
      const y = model.forward({
        past: tf.tensor3d(past, [batch, io.lookback, io.pastFeatures]),
        ...(io.futureFeatures > 0 ? { future: tf.tensor3d(future, [batch, io.horizon, io.futureFeatures]) } : {}),
        ...(io.staticFeatures > 0 ? { static: tf.tensor2d(statics, [batch, io.staticFeatures]) } : {}),
      });
      return { data: Float32Array.from(y.dataSync() as Float32Array), shape: y.shape };
    });
    const feeds: Record<string, ort.Tensor> = { past: new ort.Tensor('float32', past, [batch, io.lookback, io.pastFeatures]) };
    if (io.futureFeatures > 0) feeds.future = new ort.Tensor('float32', future, [batch, io.horizon, io.futureFeatures]);
    if (io.staticFeatures > 0) feeds.static = new ort.Tensor('float32', statics, [batch, io.staticFeatures]);
    const out = await session.run(feeds);
    const got = out.forecast!;
    expect(got.dims).toEqual(expected.shape);
    expect(got.dims).toEqual([batch, io.horizon, Math.max(1, io.quantiles.length)]);
    const diff = maxAbsDiff(got.data as Float32Array, expected.data);
    // The outputs must be non-trivial for the comparison to mean anything.
    expect(maxAbsDiff(expected.data, new Float32Array(expected.data.length))).toBeGreaterThan(0.05);
    expect(diff).toBeLessThan(TOL);
  });
});
