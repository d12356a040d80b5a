import type { Batch, BatchSource, WindowShape } from './dataset';
import { InvalidDatasetError, InvalidTrainingConfigError, TrainingDivergedError } from './errors';
import { POINT_LOSSES, forecastLoss } from './loss';
import type { PointLoss } from './loss';
import type { ForecastModel, ForwardOptions, ModelInputs, ModelIO } from './model';
import { outputChannels } from './model';
import type { NamedWeight } from './params';
import { SeededRandom, deriveSeed } from './random';
import { tf } from './tf';
import { isRecord } from './validate';

export interface TrainingConfig {
  /** Upper bound on epochs; early stopping usually ends sooner. */
  readonly epochs: number;
  readonly batchSize: number;
  /** Adam's step size (β1 0.9, β2 0.999, ε 1e-7: tfjs's defaults). */
  readonly learningRate: number;
  /** Epochs without a validation improvement of more than minDelta before training stops. */
  readonly patience: number;
  readonly minDelta: number;
  /** Gradients are scaled down when their global L2 norm exceeds this; 0 turns clipping off. */
  readonly clipNorm: number;
  /** Seeds shuffling and dropout (the model's own seed sets its initial weights). */
  readonly seed: number;
  /** Loss of point models; quantile models always train on the pinball loss. */
  readonly loss: PointLoss;
  /** 0: an epoch is one pass over every training window, shuffled. n > 0: n batches drawn at random (with replacement), N-BEATS style. */
  readonly batchesPerEpoch: number;
  /**
   * Step decay: the learning rate halves this many times, at evenly spaced epochs (N-HiTS's
   * schedule: epochs is split into halvings + 1 equal parts). 0: constant.
   */
  readonly learningRateHalvings: number;
}

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = {
  epochs: 50,
  batchSize: 64,
  learningRate: 1e-3,
  patience: 5,
  minDelta: 0,
  clipNorm: 1,
  seed: 1,
  loss: 'mse',
  batchesPerEpoch: 0,
  learningRateHalvings: 0,
};

const KEYS = Object.keys(DEFAULT_TRAINING_CONFIG);

/** Fills defaults and checks every key; InvalidTrainingConfigError names the bad one. */
export function validateTrainingConfig(value: unknown = {}): TrainingConfig {
  if (!isRecord(value)) throw new InvalidTrainingConfigError('training', value, 'must be an object');
  for (const key of Object.keys(value)) if (!KEYS.includes(key)) throw new InvalidTrainingConfigError(key, value[key], `is not a known key (known: ${KEYS.join(', ')})`);
  const c = { ...DEFAULT_TRAINING_CONFIG, ...value } as Record<string, unknown>;
  const int = (key: string, min: number, max: number) => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new InvalidTrainingConfigError(key, v, `must be an integer in [${min}, ${max}]`);
  };
  const num = (key: string, min: number, max: number, minOpen: boolean) => {
    const v = c[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || (minOpen ? v <= min : v < min) || v > max) throw new InvalidTrainingConfigError(key, v, `must be a number in ${minOpen ? '(' : '['}${min}, ${max}]`);
  };
  int('epochs', 1, 100_000);
  int('batchSize', 1, 1 << 16);
  num('learningRate', 0, 10, true);
  int('patience', 1, 100_000);
  num('minDelta', 0, Number.MAX_VALUE, false);
  num('clipNorm', 0, Number.MAX_VALUE, false);
  int('seed', 0, 0xffffffff);
  if (!POINT_LOSSES.includes(c.loss as PointLoss)) throw new InvalidTrainingConfigError('loss', c.loss, `must be one of ${POINT_LOSSES.join(', ')}`);
  int('batchesPerEpoch', 0, 1_000_000);
  int('learningRateHalvings', 0, 30);
  return c as unknown as TrainingConfig;
}

/** The learning rate of epoch `epoch` (1-based) under the config's step decay. */
export function learningRateAt(config: Pick<TrainingConfig, 'learningRate' | 'learningRateHalvings' | 'epochs'>, epoch: number): number {
  const part = Math.floor(((epoch - 1) * (config.learningRateHalvings + 1)) / config.epochs);
  return config.learningRate * 0.5 ** Math.min(part, config.learningRateHalvings);
}

/** tfjs's Adam with a learning rate that can change between steps (tfjs reads it on every step). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

/** One point of the learning curves. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's batches (dropout on). */
  readonly trainLoss: number;
  /** Loss over every validation window (dropout off), or null without validation data. */
  readonly validationLoss: number | null;
  /** Mean global gradient norm before clipping. */
  readonly gradientNorm: number;
  readonly seconds: number;
}

export interface TrainingResult {
  readonly config: TrainingConfig;
  readonly curve: readonly EpochRecord[];
  /** The epoch whose weights the model holds at the end (the best validation loss, or the last epoch). */
  readonly bestEpoch: number;
  readonly bestValidationLoss: number | null;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  readonly batches: number;
}

export interface TrainingHooks {
  onBatch?(progress: { epoch: number; batch: number; batches: number; loss: number }): void;
  onEpoch?(record: EpochRecord): void;
  /** Stops after the current batch; the best weights so far are restored. */
  signal?: AbortSignal;
}

function requireCompatible(io: ModelIO, shape: WindowShape): void {
  const expect: [string, number, number][] = [
    ['lookback', shape.lookback, io.lookback],
    ['horizon', shape.horizon, io.horizon],
    ['covariates + 1 (pastFeatures)', shape.covariates + 1, io.pastFeatures],
    ['known (futureFeatures)', shape.known, io.futureFeatures],
    ['statics (staticFeatures)', shape.statics, io.staticFeatures],
  ];
  for (const [what, got, want] of expect) if (got !== want) throw new InvalidDatasetError(`windows ${what}`, got, `does not match the model's ${want}`);
}

/** The batch as tensors (to dispose, or create inside tf.tidy). */
export function batchInputs(io: ModelIO, batch: Batch): ModelInputs {
  const inputs: { past: tf.Tensor3D; future?: tf.Tensor3D; static?: tf.Tensor2D } = {
    past: tf.tensor3d(batch.past, [batch.size, io.lookback, io.pastFeatures]),
  };
  if (io.futureFeatures > 0) inputs.future = tf.tensor3d(batch.future, [batch.size, io.horizon, io.futureFeatures]);
  if (io.staticFeatures > 0) inputs.static = tf.tensor2d(batch.statics, [batch.size, io.staticFeatures]);
  return inputs;
}

function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/**
 * Scales every gradient by clipNorm / ‖g‖ when the global L2 norm ‖g‖ (over all tensors together)
 * exceeds clipNorm, keeping their direction; 0 leaves them alone. Returns the norm before clipping.
 */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, clipNorm: number): { grads: tf.NamedTensorMap; norm: number } {
  const names = Object.keys(grads);
  const norm = names.length === 0 ? 0 : Math.sqrt(tf.tidy(() => tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!)))).dataSync()[0]!));
  if (!(clipNorm > 0 && norm > clipNorm)) return { grads, norm };
  const factor = clipNorm / norm;
  const out: tf.NamedTensorMap = {};
  for (const n of names) out[n] = tf.mul(grads[n]!, factor);
  return { grads: out, norm };
}

/** The model's forecast of a batch in scaled units: its output plus the dataset's baseline, if any ([B, H, Q]; the baseline broadcasts over Q). */
export function batchForecast(model: ForecastModel, batch: Batch, inputs: ModelInputs, options?: ForwardOptions): tf.Tensor3D {
  const out = model.forward(inputs, options);
  if (!batch.base) return out;
  return tf.add(out, tf.tensor3d(batch.base, [batch.size, model.io.horizon, 1]));
}

/** Mean loss over every window of the source (inference mode), the number early stopping reads. */
export function evaluateLoss(model: ForecastModel, source: BatchSource, loss: PointLoss, batchSize = 256): number {
  requireCompatible(model.io, source.shape);
  let sum = 0;
  for (let i = 0; i < source.size; i += batchSize) {
    const idx = range(Math.min(batchSize, source.size - i)).map((k) => k + i);
    const batch = source.batch(idx);
    sum += tf.tidy(() => {
      const target = tf.tensor2d(batch.target, [batch.size, model.io.horizon]);
      return forecastLoss(model.io, batchForecast(model, batch, batchInputs(model.io, batch)), target, loss, tf.tensor1d(batch.weight)).dataSync()[0]! * batch.size;
    });
  }
  return sum / source.size;
}

/** Forecasts of every window, in original units: [N, H, outputs], plus the actual values (NaN past the data). */
export interface Forecasts {
  readonly count: number;
  readonly horizon: number;
  readonly outputs: number;
  readonly quantiles: readonly number[];
  readonly values: Float64Array;
  /** [N, H]: the median (or the point forecast). */
  readonly point: Float64Array;
  readonly actual: Float64Array;
}

export function predict(model: ForecastModel, source: BatchSource, batchSize = 256): Forecasts {
  requireCompatible(model.io, source.shape);
  const H = model.io.horizon;
  const Q = outputChannels(model.io);
  const mid = model.io.quantiles.length > 0 ? model.io.quantiles.indexOf(0.5) : 0;
  const values = new Float64Array(source.size * H * Q);
  const point = new Float64Array(source.size * H);
  const actual = new Float64Array(source.size * H);
  for (let i = 0; i < source.size; i += batchSize) {
    const idx = range(Math.min(batchSize, source.size - i)).map((k) => k + i);
    const batch = source.batch(idx);
    const out = tf.tidy(() => batchForecast(model, batch, batchInputs(model.io, batch)).dataSync() as Float32Array);
    for (let b = 0; b < batch.size; b++) {
      const n = i + b;
      const c = batch.center[b]!;
      const k = batch.scale[b]!;
      for (let h = 0; h < H; h++) {
        for (let q = 0; q < Q; q++) values[(n * H + h) * Q + q] = out[(b * H + h) * Q + q]! * k + c;
        point[n * H + h] = values[(n * H + h) * Q + mid]!;
        actual[n * H + h] = batch.target[b * H + h]! * k + c;
      }
    }
  }
  return { count: source.size, horizon: H, outputs: Q, quantiles: model.io.quantiles, values, point, actual };
}

/**
 * Adam with global-norm gradient clipping and early stopping on the validation loss; the best
 * weights are restored at the end. Repeatable: the model's seed fixes the initial weights, the
 * config's seed the batch order and the dropout masks, so one seed on one backend gives
 * bit-identical weights.
 */
export async function trainModel(
  model: ForecastModel,
  train: BatchSource,
  validation: BatchSource | undefined,
  config: Partial<TrainingConfig> = {},
  hooks: TrainingHooks = {},
): Promise<TrainingResult> {
  const cfg = validateTrainingConfig(config);
  requireCompatible(model.io, train.shape);
  if (validation) requireCompatible(model.io, validation.shape);
  if (train.size === 0) throw new InvalidDatasetError('training windows', 0, 'must not be empty');
  if (validation && validation.size === 0) throw new InvalidDatasetError('validation windows', 0, 'must not be empty (pass none to train without early stopping)');

  const order = new SeededRandom(deriveSeed(cfg.seed, 'batches'));
  const dropoutRng = new SeededRandom(deriveSeed(cfg.seed, 'dropout'));
  // tf.train.adam's own arguments (β 0.9/0.999, the backend's ε).
  const optimizer = new ScheduledAdam(cfg.learningRate, 0.9, 0.999);
  const variables = model.trainableVariables();
  const curve: EpochRecord[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: NamedWeight[] | undefined;
  let waited = 0;
  let stoppedEarly = false;
  let batches = 0;
  const started = performance.now();

  try {
    for (let epoch = 1; epoch <= cfg.epochs; epoch++) {
      const t0 = performance.now();
      optimizer.setLearningRate(learningRateAt(cfg, epoch));
      let indices: Int32Array;
      if (cfg.batchesPerEpoch > 0) {
        indices = new Int32Array(cfg.batchesPerEpoch * cfg.batchSize);
        for (let i = 0; i < indices.length; i++) indices[i] = order.int(train.size);
      } else {
        indices = order.shuffle(range(train.size));
      }
      const count = Math.ceil(indices.length / cfg.batchSize);
      let lossSum = 0;
      let normSum = 0;
      for (let b = 0; b < count; b++) {
        const batch = train.batch(indices.subarray(b * cfg.batchSize, Math.min(indices.length, (b + 1) * cfg.batchSize)));
        const { loss, norm } = tf.tidy(() => {
          const inputs = batchInputs(model.io, batch);
          const target = tf.tensor2d(batch.target, [batch.size, model.io.horizon]);
          const weight = tf.tensor1d(batch.weight);
          const { value, grads } = tf.variableGrads(() => forecastLoss(model.io, batchForecast(model, batch, inputs, { training: true, rng: dropoutRng }), target, cfg.loss, weight), variables);
          const lossValue = value.dataSync()[0]!;
          const clipped = clipByGlobalNorm(grads, cfg.clipNorm);
          // Checked before the step: a non-finite loss or gradient must not reach the weights.
          if (!Number.isFinite(lossValue) || !Number.isFinite(clipped.norm)) throw new TrainingDivergedError(epoch, b, Number.isFinite(lossValue) ? clipped.norm : lossValue);
          optimizer.applyGradients(Object.entries(clipped.grads).map(([name, tensor]) => ({ name, tensor })));
          return { loss: lossValue, norm: clipped.norm };
        });
        lossSum += loss;
        normSum += norm;
        batches += 1;
        hooks.onBatch?.({ epoch, batch: b + 1, batches: count, loss });
        // Lets a progress bar draw and a signal arrive between steps.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (hooks.signal?.aborted) break;
      }
      const validationLoss = validation ? evaluateLoss(model, validation, cfg.loss) : null;
      const record: EpochRecord = { epoch, trainLoss: lossSum / count, validationLoss, gradientNorm: normSum / count, seconds: (performance.now() - t0) / 1000 };
      curve.push(record);
      hooks.onEpoch?.(record);
      const score = validationLoss ?? record.trainLoss;
      if (score < best - cfg.minDelta) {
        best = score;
        bestEpoch = epoch;
        waited = 0;
        if (validation) bestWeights = model.getWeights();
      } else if (validation) {
        waited += 1;
        if (waited >= cfg.patience) {
          stoppedEarly = true;
          break;
        }
      }
      if (hooks.signal?.aborted) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  if (bestWeights) model.setWeights(bestWeights);
  else bestEpoch = curve.length;
  return {
    config: cfg,
    curve,
    bestEpoch,
    bestValidationLoss: validation ? best : null,
    stoppedEarly,
    seconds: (performance.now() - started) / 1000,
    batches,
  };
}
