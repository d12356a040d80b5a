import { BACKENDS, POINT_LOSSES } from '@meridian/models';
import type { BackendName, PointLoss, TrainingConfig } from '@meridian/models';
import { TrainCliError } from './errors';
import { parseModelChoice } from './model-choice';
import type { ModelChoice, ModelSizes } from './model-choice';

export type Values = Record<string, string | boolean | undefined>;

/** Options shared by every command: the model, its sizes, the training loop, the backend. */
export const COMMON_OPTIONS = {
  model: { type: 'string' },
  out: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'batches-per-epoch': { type: 'string' },
  'learning-rate': { type: 'string' },
  'learning-rate-halvings': { type: 'string' },
  patience: { type: 'string' },
  'clip-norm': { type: 'string' },
  loss: { type: 'string' },
  seed: { type: 'string' },
  units: { type: 'string' },
  blocks: { type: 'string' },
  layers: { type: 'string' },
  hidden: { type: 'string' },
  heads: { type: 'string' },
  dropout: { type: 'string' },
  quantiles: { type: 'string' },
  backend: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export function int(values: Values, key: string, fallback: number | undefined, min = 1): number | undefined {
  const v = values[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isSafeInteger(n) || n < min) throw new TrainCliError(`--${key}`, `${JSON.stringify(v)} is not an integer ≥ ${min}`);
  return n;
}

export function num(values: Values, key: string, fallback: number | undefined, min = 0): number | undefined {
  const v = values[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n) || n < min) throw new TrainCliError(`--${key}`, `${JSON.stringify(v)} is not a number ≥ ${min}`);
  return n;
}

export function str(values: Values, key: string, fallback?: string): string | undefined {
  const v = values[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new TrainCliError(`--${key}`, 'needs a value');
  return v;
}

export function requireStr(values: Values, key: string): string {
  const v = str(values, key);
  if (v === undefined) throw new TrainCliError(`--${key}`, 'is required');
  return v;
}

export interface CommonSettings {
  readonly model: ModelChoice;
  readonly sizes: ModelSizes;
  readonly training: Partial<TrainingConfig>;
  readonly backend: BackendName;
  readonly out: string;
  readonly quiet: boolean;
}

export function commonSettings(values: Values, defaults: { model: ModelChoice; out: string; training: Partial<TrainingConfig> }): CommonSettings {
  const model = parseModelChoice(str(values, 'model', defaults.model)!);
  const loss = str(values, 'loss', defaults.training.loss ?? 'mse')!;
  if (!(POINT_LOSSES as readonly string[]).includes(loss)) throw new TrainCliError('--loss', `${JSON.stringify(loss)} is not one of ${POINT_LOSSES.join(', ')}`);
  const backend = str(values, 'backend', 'wasm')!;
  if (!(BACKENDS as readonly string[]).includes(backend)) throw new TrainCliError('--backend', `${JSON.stringify(backend)} is not one of ${BACKENDS.join(', ')}`);
  const quantiles = str(values, 'quantiles');
  const q = quantiles?.split(',').map((s) => Number(s));
  if (q && q.some((x) => !(x > 0 && x < 1))) throw new TrainCliError('--quantiles', `${JSON.stringify(quantiles)} is not a comma-separated list of levels in (0, 1)`);
  const sizes: ModelSizes = {
    ...(int(values, 'units', undefined) !== undefined ? { units: int(values, 'units', undefined) } : {}),
    ...(int(values, 'blocks', undefined) !== undefined ? { blocks: int(values, 'blocks', undefined) } : {}),
    ...(int(values, 'layers', undefined) !== undefined ? { layers: int(values, 'layers', undefined) } : {}),
    ...(int(values, 'hidden', undefined) !== undefined ? { hidden: int(values, 'hidden', undefined) } : {}),
    ...(int(values, 'heads', undefined) !== undefined ? { heads: int(values, 'heads', undefined) } : {}),
    ...(num(values, 'dropout', undefined) !== undefined ? { dropout: num(values, 'dropout', undefined) } : {}),
    ...(q ? { quantiles: q } : {}),
  };
  const t = defaults.training;
  return {
    model,
    sizes,
    backend: backend as BackendName,
    out: str(values, 'out', defaults.out)!,
    quiet: values.quiet === true,
    training: {
      epochs: int(values, 'epochs', t.epochs ?? 30),
      batchSize: int(values, 'batch-size', t.batchSize ?? 256),
      batchesPerEpoch: int(values, 'batches-per-epoch', t.batchesPerEpoch ?? 0, 0),
      learningRate: num(values, 'learning-rate', t.learningRate ?? 1e-3),
      learningRateHalvings: int(values, 'learning-rate-halvings', t.learningRateHalvings ?? 0, 0),
      patience: int(values, 'patience', t.patience ?? 5),
      clipNorm: num(values, 'clip-norm', t.clipNorm ?? 1),
      loss: loss as PointLoss,
      seed: int(values, 'seed', t.seed ?? 1, 0),
    },
  };
}
