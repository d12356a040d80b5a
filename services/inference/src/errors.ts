import { PlatformError } from '@meridian/domain';

/** Errors of the inference service's model registry, loading and prediction. */
export class InferenceError extends PlatformError {}

/** A (name, version) the registry does not hold. */
export class ModelNotRegisteredError extends InferenceError {
  constructor(
    readonly model: string,
    readonly version: string | undefined,
  ) {
    super('MODEL_NOT_REGISTERED', version === undefined ? `model ${JSON.stringify(model)} has no registered version` : `model ${JSON.stringify(model)} version ${JSON.stringify(version)} is not registered`);
  }
}

/** The same (name, version) registered before with another file. Versions are immutable: give the new file a new version. */
export class ModelAlreadyRegisteredError extends InferenceError {
  constructor(
    readonly model: string,
    readonly version: string,
    readonly registeredSha256: string,
    readonly fileSha256: string,
  ) {
    super('MODEL_ALREADY_REGISTERED', `model ${JSON.stringify(model)} version ${JSON.stringify(version)} is registered with sha256 ${registeredSha256}, the file now has ${fileSha256}: register the new file under a new version`);
  }
}

/** A model name or version that cannot be used: not a subject token (name), or not a file name (version). */
export class InvalidModelIdError extends InferenceError {
  constructor(
    readonly field: 'name' | 'version',
    readonly value: string,
    reason: string,
  ) {
    super('MODEL_INVALID_ID', `model ${field} ${JSON.stringify(value)} ${reason}`);
  }
}

/** The version's file cannot be read (missing, unreadable). */
export class ModelFileError extends InferenceError {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_FILE_UNREADABLE', `model file ${path}: ${reason}`, options);
  }
}

/** The file's bytes are not the ones registered: replaced or damaged since. */
export class ModelShaMismatchError extends InferenceError {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('MODEL_SHA_MISMATCH', `model file ${path} has sha256 ${actual}, the registry recorded ${expected}: the file changed since it was registered`);
  }
}

// The descriptor's refusals (MODEL_SHAPE_MISMATCH, MODEL_NOT_SERVABLE) are libs/forecasting's: the backtester reads models through the same code.
export { ModelNotServableError, ModelShapeError } from '@meridian/forecasting';

/** The dry run on a feature-shaped input failed or gave what the metadata does not announce. */
export class ModelDryRunError extends InferenceError {
  constructor(
    readonly model: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('MODEL_DRY_RUN_FAILED', `model ${model}: dry run ${reason}`, options);
  }
}

/** A Predict request that cannot be answered as asked: INVALID_ARGUMENT, counted by `reason`. */
export class InvalidPredictError extends InferenceError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('PREDICT_INVALID_INPUT', message);
  }
}

/** The registry's database did not answer or refused a statement. */
export class RegistryUnavailableError extends InferenceError {
  constructor(operation: string, cause: unknown) {
    super('DB_REGISTRY_UNAVAILABLE', `model registry ${operation} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}
