import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureSpecMismatchError, fitNormalisation } from '@meridian/signals';
import type { Bar } from '@meridian/signals';
import { tf } from '../src/tf';
import { ModelLoadError, WeightMismatchError, createModel, loadModel, nbeatsInterpretableConfig, saveModel } from '../src';
import type { ModelConfig } from '../src';
import { inputs } from './helpers';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'models-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(tf.memory().numTensors).toBe(0);
});

function bars(n: number): Bar[] {
  return Array.from({ length: n }, (_, i) => {
    const close = 100 + Math.sin(i / 3) * 5 + i * 0.1;
    return { startMs: i * 3_600_000, endMs: (i + 1) * 3_600_000, open: close - 0.5, high: close + 1, low: close - 1, close, volume: 10 + (i % 7), trades: 5 };
  });
}

const spec = fitNormalisation(
  {
    version: 1,
    features: [
      { name: 'ret_1', kind: 'return', input: 'close', params: { period: 1 }, normalisation: { kind: 'zscore' } },
      { name: 'rsi_14', kind: 'rsi', input: 'close', params: { period: 14 }, normalisation: { kind: 'minmax' } },
    ],
  },
  bars(100),
);

const configs: ModelConfig[] = [
  { kind: 'lstm', lookback: 6, horizon: 3, pastFeatures: 3, hiddenSizes: [4], headUnits: 0, quantiles: [0.1, 0.5, 0.9], dropout: 0 },
  nbeatsInterpretableConfig(8, 4, { trendUnits: 6, seasonalityUnits: 6, layers: 2 }),
  { kind: 'tft', lookback: 6, horizon: 3, pastFeatures: 3, futureFeatures: 4, staticFeatures: 2, hidden: 8, heads: 2, quantiles: [0.1, 0.5, 0.9], dropout: 0.1 },
];

const columnsFor = (c: ModelConfig) => {
  const m = createModel(c, 1);
  const io = m.io;
  m.dispose();
  return {
    past: io.pastFeatures === 1 ? ['target'] : ['ret_1', 'rsi_14', 'target'],
    future: ['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos'].slice(0, io.futureFeatures),
    static: ['a', 'b'].slice(0, io.staticFeatures),
  };
};

test.each(configs)('save → load gives the same forecasts, bit for bit ($kind)', async (config) => {
  const model = createModel(config, 5);
  const saved = await saveModel(dir, model, { seed: 5, featureSpec: config.kind === 'nbeats' ? null : spec, columns: columnsFor(config), scaling: { kind: 'shift', scale: 0.01 }, target: { kind: 'logClose' } });
  const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  expect(meta.weights.tensors.map((t: { name: string }) => t.name)).toEqual(model.getWeights().map((w) => w.name));
  expect(meta.featureSpecHash).toBe(saved.featureSpecHash);
  const { model: loaded, metadata } = await loadModel(dir);
  expect(metadata.config).toEqual(model.config);
  const x = inputs(2, model.io, 3);
  const a = tf.tidy(() => model.forward(x).dataSync());
  const b = tf.tidy(() => loaded.forward(x).dataSync());
  expect(Buffer.from(b.buffer).equals(Buffer.from(a.buffer))).toBe(true);
  tf.dispose([x.past, x.future, x.static].filter((t) => t !== undefined));
  model.dispose();
  loaded.dispose();
});

describe('a damaged or mismatched model does not load', () => {
  const config = configs[0]!;
  beforeEach(async () => {
    const model = createModel(config, 5);
    await saveModel(dir, model, { seed: 5, featureSpec: spec, columns: columnsFor(config), scaling: { kind: 'shift', scale: 0.01 }, target: { kind: 'logClose' } });
    model.dispose();
  });

  test('missing directory', async () => {
    await expect(loadModel(join(dir, 'nope'))).rejects.toThrow(ModelLoadError);
  });

  test('a flipped byte in weights.bin fails the sha256 check', async () => {
    const bin = await readFile(join(dir, 'weights.bin'));
    bin[10] = bin[10]! ^ 0xff;
    await writeFile(join(dir, 'weights.bin'), bin);
    await expect(loadModel(dir)).rejects.toThrow(/sha256/);
  });

  test('a truncated weights file', async () => {
    const bin = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), bin.subarray(0, bin.length - 4));
    await expect(loadModel(dir)).rejects.toThrow(/holds \d+ bytes/);
  });

  test('a FeatureSpec edited after training fails its hash', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    meta.featureSpec.features[0].normalisation.mean += 1e-9;
    await writeFile(join(dir, 'model.json'), JSON.stringify(meta));
    await expect(loadModel(dir)).rejects.toThrow(FeatureSpecMismatchError);
  });

  test('a tensor list that does not match the config', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    meta.weights.tensors[0].name = 'lstm9.kernel';
    await writeFile(join(dir, 'model.json'), JSON.stringify(meta));
    await expect(loadModel(dir)).rejects.toThrow(WeightMismatchError);
  });

  test('another format version', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    meta.formatVersion = 2;
    await writeFile(join(dir, 'model.json'), JSON.stringify(meta));
    await expect(loadModel(dir)).rejects.toThrow(/format/);
  });

  test('columns that do not match the inputs', async () => {
    const meta = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    meta.columns.past = ['target'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(meta));
    await expect(loadModel(dir)).rejects.toThrow(/columns.past/);
  });
});
