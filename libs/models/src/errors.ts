import { PlatformError } from '@meridian/domain';

/** Base of the models library's errors: a stable code; messages name the key, tensor or file involved. */
export class ModelError extends PlatformError {}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** A model configuration refused at construction: `field` is the path of the bad value. */
export class InvalidModelConfigError extends ModelError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('MODEL_INVALID_CONFIG', `invalid model config: ${field} ${describe(value)} ${reason}`);
  }
}

/** Training settings refused before the first step (a non-positive batch size, a clip norm of 0). */
export class InvalidTrainingConfigError extends ModelError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('TRAIN_INVALID_CONFIG', `invalid training config: ${field} ${describe(value)} ${reason}`);
  }
}

/** Data that cannot make windows or splits: too short, misaligned, non-finite, out of time order. */
export class InvalidDatasetError extends ModelError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super('DATASET_INVALID', `invalid dataset: ${field} ${describe(value)} ${reason}`);
  }
}

/** Weights that do not fit the model: a missing or unknown name, a wrong shape or length. */
export class WeightMismatchError extends ModelError {
  constructor(
    readonly tensor: string,
    reason: string,
  ) {
    super('MODEL_WEIGHT_MISMATCH', `weight ${JSON.stringify(tensor)} ${reason}`);
  }
}

/** A saved model that cannot be read back: missing files, a bad format, a corrupted weights file. */
export class ModelLoadError extends ModelError {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_LOAD', `cannot load model from ${path}: ${reason}`, options);
  }
}

/** A TensorFlow.js backend that could not be started. */
export class BackendError extends ModelError {
  constructor(
    readonly backend: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_BACKEND', `backend ${JSON.stringify(backend)} ${reason}`, options);
  }
}

/** Training produced a non-finite loss (diverged); the weights of the last finite step are kept. */
export class TrainingDivergedError extends ModelError {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
  ) {
    super('TRAIN_DIVERGED', `training diverged: loss ${loss} at epoch ${epoch}, batch ${batch}`);
  }
}
