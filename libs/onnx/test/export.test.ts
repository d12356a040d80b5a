import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAYER_NORM_EPSILON, createModel, tf, type ForecastModel, type NamedWeight } from '@meridian/models';
import { LAYER_NORM_EPSILON as EXPORTED_EPSILON } from '../src/export-tft';
import { featureSpecHash, validateFeatureSpec } from '@meridian/signals';
import { UnsupportedModelError } from '../src/errors';
import { exportModel } from '../src/export-model';
import { exportLstm } from '../src/export-lstm';
import { loadOnnxModel } from '../src/load';
import { writeOnnxModel } from '../src/write';
import { maxAbsDiff, randomArray, rngFor } from './helpers';
import { SPEC } from './fixtures';

const OPTIONS = { name: 'btc-1h', version: '2024.06.1', featureSpec: SPEC };
const LSTM = { kind: 'lstm', lookback: 8, horizon: 3, pastFeatures: 4, hiddenSizes: [6] } as const;

/** The model with its weights replaced by `edit(weights)`. */
function withWeights(model: ForecastModel, edit: (w: NamedWeight[]) => NamedWeight[]) {
  return { kind: model.kind, config: model.config, getWeights: () => edit(model.getWeights()) };
}

describe('exporters refuse weights that do not fit the config', () => {
  let model: ForecastModel;
  beforeAll(() => {
    model = createModel(LSTM, 1);
  });
  afterAll(() => model.dispose());

  test('a missing weight', () => {
    const m = withWeights(model, (w) => w.filter((x) => x.name !== 'lstm0.bias'));
    expect(() => exportModel(m, OPTIONS)).toThrow(UnsupportedModelError);
    expect(() => exportModel(m, OPTIONS)).toThrow(/lstm weight "lstm0.bias": is missing/);
  });

  test('a weight of another shape', () => {
    const m = withWeights(model, (w) => w.map((x) => (x.name === 'head.out.kernel' ? { ...x, shape: [3, 6], data: new Float32Array(18) } : x)));
    expect(() => exportModel(m, OPTIONS)).toThrow(/lstm weight "head.out.kernel": has shape \[3, 6\], the config implies \[6, 3\]/);
  });

  test('a weight the exported graph would not read', () => {
    const m = withWeights(model, (w) => [...w, { name: 'lstm1.kernel', shape: [6, 24], data: new Float32Array(144), trainable: true }]);
    expect(() => exportModel(m, OPTIONS)).toThrow(/weights lstm1.kernel are not read by the exported graph/);
  });

  test('a kind that is not the config kind, and a kind without exporter', () => {
    expect(() => exportModel({ ...withWeights(model, (w) => w), kind: 'tft' }, OPTIONS)).toThrow(/model of kind "tft": its config says kind "lstm"/);
    expect(() => exportModel({ kind: 'arima', config: { kind: 'arima' }, getWeights: () => [] }, OPTIONS)).toThrow(/has no exporter/);
  });

  test('metadata that is not valid', () => {
    expect(() => exportLstm(model as never, { ...OPTIONS, version: '' })).toThrow(/meridian.model.version "" must be/);
    expect(() => exportLstm(model as never, { ...OPTIONS, targetScaling: { kind: 'shift', scale: -1 } })).toThrow(/needs a finite positive scale/);
  });
});

test('the exporter normalises layers with the ε libs/models uses', () => {
  expect(EXPORTED_EPSILON).toBe(LAYER_NORM_EPSILON);
});

describe('an exported model, written and loaded', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onnx-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('carries the config, spec, hash, normalisation and target scaling, and forecasts as tfjs does', async () => {
    const model = createModel({ kind: 'tft', lookback: 6, horizon: 2, pastFeatures: 4, hidden: 8, heads: 2 }, 3);
    try {
      const exported = exportModel(model, { ...OPTIONS, targetScaling: { kind: 'shift', scale: 0.0103 }, modelVersion: 7 });
      const path = join(dir, 'tft.onnx');
      await writeOnnxModel(path, exported);
      const hash = featureSpecHash(validateFeatureSpec(SPEC));
      const loaded = await loadOnnxModel(path, { expectedFeatureSpecHash: hash, expectedKind: 'tft' });
      try {
        expect(loaded.metadata.name).toBe('btc-1h');
        expect(loaded.metadata.version).toBe('2024.06.1');
        expect(loaded.metadata.config).toEqual(JSON.parse(JSON.stringify(model.config)));
        expect(loaded.metadata.normalisation.target).toEqual({ kind: 'shift', scale: 0.0103 });
        expect(loaded.metadata.normalisation.features.map((f) => f.normalisation.kind)).toEqual(['zscore', 'zscore', 'minmax']);
        expect(loaded.inputs).toEqual([{ name: 'past', dtype: 'float32', shape: ['batch', 6, 4] }]);
        expect(loaded.outputs).toEqual([{ name: 'forecast', dtype: 'float32', shape: ['batch', 2, 3] }]);
        const past = randomArray(rngFor(5), 2 * 6 * 4, 2);
        const out = await loaded.run({ past: { data: past, dims: [2, 6, 4] } });
        const ref = tf.tidy(() => Float32Array.from(model.forward({ past: tf.tensor3d(past, [2, 6, 4]) }).dataSync() as Float32Array));
        expect(maxAbsDiff(out.forecast!.data, ref)).toBeLessThan(1e-4);
      } finally {
        await loaded.dispose();
      }
    } finally {
      model.dispose();
    }
  });

  test('N-BEATS shares one initializer among blocks that share weights, and leaves out the last backcast', () => {
    const model = createModel({ kind: 'nbeats', lookback: 10, horizon: 4, stacks: [{ type: 'trend', blocks: 3, layers: 2, units: 8, degree: 2, shareWeights: true }] }, 1);
    try {
      const { graph } = exportModel(model, OPTIONS);
      const names = graph.initializers.map((i) => i.name).filter((n) => !n.startsWith('const/'));
      expect(names.sort()).toEqual(model.getWeights().map((w) => w.name).sort());
      // Three blocks: two residual updates (the third block's backcast reads nothing).
      expect(graph.nodes.filter((n) => n.opType === 'Sub')).toHaveLength(2);
    } finally {
      model.dispose();
    }
  });
});
