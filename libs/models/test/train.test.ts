import { tf, useBackend } from '../src/tf';
import {
  InvalidDatasetError,
  InvalidTrainingConfigError,
  WindowDataset,
  clipByGlobalNorm,
  createModel,
  evaluateLoss,
  generatedSeries,
  learningRateAt,
  mase,
  nbeatsGenericConfig,
  predict,
  seasonalNaiveForecast,
  trainModel,
  validateTrainingConfig,
  walkForwardSplits,
} from '../src';
import type { ModelConfig, TrainingConfig } from '../src';

afterEach(() => expect(tf.memory().numTensors).toBe(0));
afterAll(() => useBackend('cpu'));

function data(length = 600, lookback = 12, horizon = 4, known = 0) {
  const { values } = generatedSeries({ length, seed: 3, period: 12 });
  const ds = new WindowDataset(
    [{ id: 'g', target: values, ...(known ? { known: new Float32Array((length + horizon) * known).map((_, i) => Math.sin(i)) } : {}) }],
    { lookback, horizon, covariates: 0, known, statics: 0 },
    { kind: 'shift', scale: 1 },
  );
  const [fold] = walkForwardSplits({ length, folds: 1, testSize: 100, validationSize: 100, minTrainSize: 200 });
  return { ds, train: ds.source(ds.windows(0, fold!.train.start, fold!.train.end)), validation: ds.source(ds.windows(0, fold!.validation.start, fold!.validation.end)) };
}

const configs: ModelConfig[] = [
  { kind: 'lstm', lookback: 12, horizon: 4, pastFeatures: 1, hiddenSizes: [6], headUnits: 0, quantiles: [], dropout: 0.2 },
  nbeatsGenericConfig(12, 4, { blocks: 2, layers: 2, units: 16 }),
  { kind: 'tft', lookback: 12, horizon: 4, pastFeatures: 1, futureFeatures: 2, staticFeatures: 0, hidden: 8, heads: 2, quantiles: [0.1, 0.5, 0.9], dropout: 0.1 },
];

// tfjs costs about the same per op whatever the batch size, and the recurrent models run
// hundreds of ops per step: few, large batches keep these tests short.

const fast: Partial<TrainingConfig> = { epochs: 2, batchSize: 128, learningRate: 3e-3, batchesPerEpoch: 2 };

// On the WebAssembly backend (the CLI's default, and faster for the recurrent models); N-BEATS on the JS backend too.
const runs = [...configs.map((config) => ({ backend: 'wasm' as const, config, kind: config.kind })), { backend: 'cpu' as const, config: configs[1]!, kind: 'nbeats' }];
test.each(runs)('same seeds → bit-identical weights and curves; another training seed → other weights ($backend, $kind)', async ({ backend, config }) => {
  await useBackend(backend);
  const { train, validation } = data(600, 12, 4, config.kind === 'tft' ? 2 : 0);
  const run = async (seed: number) => {
    const model = createModel(config, 7);
    const result = await trainModel(model, train, validation, { ...fast, seed });
    const weights = model.getWeights();
    model.dispose();
    return { weights, curve: result.curve.map((r) => [r.trainLoss, r.validationLoss]) };
  };
  const a = await run(1);
  const b = await run(1);
  const c = await run(2);
  expect(b.curve).toEqual(a.curve);
  a.weights.forEach((w, i) => expect(Buffer.from(b.weights[i]!.data.buffer).equals(Buffer.from(w.data.buffer))).toBe(true));
  expect(c.weights.some((w, i) => !Buffer.from(w.data.buffer).equals(Buffer.from(a.weights[i]!.data.buffer)))).toBe(true);
}, 120_000);

test('early stopping: stops after `patience` epochs without improvement and restores the best weights', async () => {
  const { train, validation } = data();
  const model = createModel(configs[1]!, 1);
  // A step size this large makes the validation loss bounce, so improvements stop early.
  const result = await trainModel(model, train, validation, { epochs: 40, batchSize: 32, learningRate: 0.05, patience: 2, batchesPerEpoch: 3, seed: 4 });
  expect(result.stoppedEarly).toBe(true);
  expect(result.curve.length).toBe(result.bestEpoch + 2);
  const best = Math.min(...result.curve.map((r) => r.validationLoss!));
  expect(result.bestValidationLoss).toBe(best);
  expect(result.curve[result.bestEpoch - 1]!.validationLoss).toBe(best);
  // The model holds the best epoch's weights: its validation loss is that epoch's, recomputed.
  expect(evaluateLoss(model, validation, 'mse')).toBeCloseTo(best, 6);
  model.dispose();
}, 120_000);

test('training lowers the validation loss (learning curves are recorded per epoch)', async () => {
  const { train, validation } = data();
  const model = createModel(configs[1]!, 1);
  const epochs: number[] = [];
  const result = await trainModel(model, train, validation, { epochs: 6, batchSize: 32, learningRate: 3e-3, patience: 6, seed: 1 }, { onEpoch: (r) => epochs.push(r.epoch) });
  expect(epochs).toEqual([1, 2, 3, 4, 5, 6].slice(0, result.curve.length));
  expect(result.curve.every((r) => r.seconds > 0 && r.gradientNorm > 0)).toBe(true);
  expect(result.bestValidationLoss!).toBeLessThan(result.curve[0]!.validationLoss! * 0.8);
  model.dispose();
}, 120_000);

test('an abort signal stops after the current batch and keeps the best weights', async () => {
  const { train, validation } = data();
  const model = createModel(configs[1]!, 1);
  const controller = new AbortController();
  let batches = 0;
  const result = await trainModel(model, train, validation, { epochs: 10, batchSize: 16, seed: 1 }, { onBatch: () => ++batches === 3 && controller.abort(), signal: controller.signal });
  expect(result.batches).toBe(3);
  expect(result.curve.length).toBe(1);
  model.dispose();
});

test('clipByGlobalNorm scales every gradient by clip / ‖g‖ over all of them, only above the limit', () => {
  tf.tidy(() => {
    const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // ‖g‖ = 5
    const clipped = clipByGlobalNorm(grads, 1);
    expect(clipped.norm).toBeCloseTo(5, 6);
    expect(Array.from(clipped.grads.a!.dataSync())).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.grads.b!.dataSync())).toEqual([0, expect.closeTo(0.8, 6)]);
    expect(clipByGlobalNorm(grads, 10).grads).toBe(grads);
    expect(clipByGlobalNorm(grads, 0).grads).toBe(grads);
  });
});

test('bad training settings and mismatched windows are refused by name', async () => {
  expect(() => validateTrainingConfig({ batchSize: 0 })).toThrow(InvalidTrainingConfigError);
  expect(() => validateTrainingConfig({ batchsize: 8 })).toThrow(/batchsize/);
  expect(() => validateTrainingConfig({ loss: 'huber' })).toThrow(/loss/);
  expect(() => validateTrainingConfig({ learningRate: 0 })).toThrow(/learningRate/);
  const { train } = data(600, 12, 4);
  const model = createModel(nbeatsGenericConfig(10, 4, { blocks: 1, units: 4 }), 1);
  await expect(trainModel(model, train, undefined, fast)).rejects.toThrow(InvalidDatasetError);
  model.dispose();
});

test('a dataset baseline is added to the output in the loss and the forecasts: a zero network forecasts seasonal naive exactly', async () => {
  const { values } = generatedSeries({ length: 300, seed: 5, period: 12 });
  const level = values.map((v) => v + 20);
  const shape = { lookback: 24, horizon: 6, covariates: 0, known: 0, statics: 0 };
  const ds = new WindowDataset([{ id: 'g', target: level }], shape, { kind: 'meanAbs' }, { season: 12, baseline: { kind: 'seasonalNaive', season: 12 } });
  const model = createModel(nbeatsGenericConfig(24, 6, { blocks: 1, layers: 1, units: 4 }), 1);
  model.setWeights(model.getWeights().map((w) => ({ ...w, data: new Float32Array(w.data.length) })));
  const windows = ds.windows(0, 200, 300);
  const f = predict(model, ds.source(windows));
  windows.origin.forEach((t0, i) => {
    const expected = seasonalNaiveForecast(level.subarray(0, t0 + 1), 6, 12);
    for (let h = 0; h < 6; h++) expect(f.point[i * 6 + h]).toBeCloseTo(expected[h]!, 3);
  });
  // The mase loss is then the mean over windows of seasonal naive's MASE against each window's history.
  const expectedLoss = Array.from(windows.origin, (t0) => mase(level.subarray(0, t0 + 1), level.subarray(t0 + 1, t0 + 7), seasonalNaiveForecast(level.subarray(0, t0 + 1), 6, 12), 12));
  expect(evaluateLoss(model, ds.source(windows), 'mase')).toBeCloseTo(expectedLoss.reduce((a, b) => a + b, 0) / expectedLoss.length, 4);
  // Training moves the network away from zero and lowers the loss below seasonal naive's on the training windows.
  const train = ds.source(ds.windows(0, 0, 200));
  const before = evaluateLoss(model, train, 'mase');
  await trainModel(model, train, undefined, { epochs: 3, batchSize: 64, learningRate: 3e-3, loss: 'mase', seed: 2 });
  expect(evaluateLoss(model, train, 'mase')).toBeLessThan(before);
  model.dispose();
}, 60_000);

test('learningRateAt: the rate halves `learningRateHalvings` times at evenly spaced epochs', () => {
  const at = (halvings: number, epochs: number) => Array.from({ length: epochs }, (_, e) => learningRateAt({ learningRate: 1e-3, learningRateHalvings: halvings, epochs }, e + 1) / 1e-3);
  expect(at(3, 16)).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125, 0.125]);
  expect(at(2, 10)).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
  expect(at(0, 3)).toEqual([1, 1, 1]);
  // More halvings than epochs: the epochs still fall into halvings + 1 equal parts (6 parts over 3 epochs: epoch e starts part 2(e − 1)).
  expect(at(5, 3)).toEqual([1, 0.25, 0.0625]);
  expect(() => validateTrainingConfig({ learningRateHalvings: -1 })).toThrow(/learningRateHalvings/);
});

test('the step decay is applied: the same run with and without it agrees until the first halving, then differs', async () => {
  const { train, validation } = data();
  const run = async (learningRateHalvings: number) => {
    const model = createModel(configs[1]!, 3);
    const result = await trainModel(model, train, validation, { epochs: 4, batchSize: 64, batchesPerEpoch: 3, learningRate: 3e-3, patience: 10, seed: 5, learningRateHalvings });
    model.dispose();
    return result.curve.map((r) => r.validationLoss);
  };
  const constant = await run(0);
  const decayed = await run(1);
  expect(decayed.slice(0, 2)).toEqual(constant.slice(0, 2));
  expect(decayed[2]).not.toBe(constant[2]);
}, 60_000);
