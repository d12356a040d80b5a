import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelShapeError, describeForecaster } from '@meridian/forecasting';
import type { ForecastDescriptor, TensorSpec } from '@meridian/forecasting';
import { INPUT_FUTURE, INPUT_PAST, OUTPUT_FORECAST, loadOnnxModelFromBytes } from '@meridian/onnx';
import type { OnnxModel } from '@meridian/onnx';
import { MODEL_NAME } from '@meridian/bus';
import { MOMENTUM_MODEL } from '@meridian/signals';
import { InvalidModelIdError, ModelDryRunError, ModelFileError, ModelShaMismatchError } from './errors';

const VERSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Names whose subjects are someone else's: the momentum model's, and the coordinator's fused signal. */
const RESERVED = new Set([MOMENTUM_MODEL, 'fused']);

export type { TensorSpec };

/** Everything the service needs to know about one model version: the bar path's descriptor, and the file it came from. */
export interface ModelDescriptor extends ForecastDescriptor {
  readonly sha256: string;
  readonly sizeBytes: number;
}

/** What a version must agree with when it is loaded again: its registry row. */
export interface ExpectedModel {
  readonly sha256: string;
  readonly kind: string;
  readonly featureSpecHash: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export interface LoadedModelFile {
  readonly model: OnnxModel;
  readonly descriptor: ModelDescriptor;
}

export function checkModelId(name: string, version: string): void {
  if (!MODEL_NAME.test(name)) throw new InvalidModelIdError('name', name, 'must be 1-64 of A-Z a-z 0-9 _ - (it is a token of sig.<name>.<symbol>)');
  if (RESERVED.has(name)) throw new InvalidModelIdError('name', name, `is reserved (${[...RESERVED].join(', ')})`);
  if (!VERSION.test(version)) throw new InvalidModelIdError('version', version, 'must be 1-128 of A-Z a-z 0-9 _ . - starting with a letter or digit');
}

/** Where a version's file lives: MODEL_DIR/<name>/<version>.onnx. */
export function modelPath(modelDir: string, name: string, version: string): string {
  checkModelId(name, version);
  return join(modelDir, name, `${version}.onnx`);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads a version's file, checks it against what is expected of it (the registry row, when it is
 * loaded again), opens an onnxruntime session, checks that its metadata is complete and
 * consistent and servable from bars, and dry-runs it on a feature-shaped input. Throws the first
 * problem as a typed error (this module's, or libs/onnx's CorruptModelError / ModelMetadataError,
 * or libs/signals' FeatureSpecMismatchError) and leaves no session open behind it.
 */
export async function loadModelFile(modelDir: string, name: string, version: string, options: { intraOpNumThreads: number; expected?: ExpectedModel }): Promise<LoadedModelFile> {
  const path = modelPath(modelDir, name, version);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ModelFileError(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message, { cause: err });
  }
  const sha256 = sha256Hex(bytes);
  const expected = options.expected;
  if (expected && expected.sha256 !== sha256) throw new ModelShaMismatchError(path, expected.sha256, sha256);
  const model = await loadOnnxModelFromBytes(bytes, path, {
    intraOpNumThreads: options.intraOpNumThreads,
    expectedName: name,
    expectedVersion: version,
    ...(expected ? { expectedKind: expected.kind, expectedFeatureSpecHash: expected.featureSpecHash } : {}),
  });
  try {
    const descriptor = describe(model, sha256, bytes.length);
    if (expected) {
      sameTensors(descriptor, 'inputs', descriptor.inputTensors, expected.inputs);
      sameTensors(descriptor, 'outputs', descriptor.outputTensors, expected.outputs);
    }
    await dryRun(model, descriptor);
    return { model, descriptor };
  } catch (err) {
    await model.dispose();
    throw err;
  }
}

function label(name: string, version: string): string {
  return `${name} ${version}`;
}

function sameTensors(d: ModelDescriptor, what: string, actual: readonly TensorSpec[], registered: readonly TensorSpec[]): void {
  // Key order is not kept by jsonb: compare one canonical form.
  const canonical = (ts: readonly TensorSpec[]) => JSON.stringify(ts.map((t) => [t.name, t.dims]));
  if (canonical(actual) !== canonical(registered)) {
    throw new ModelShapeError(label(d.name, d.version), what, `${JSON.stringify(actual)} differ from the registered ${JSON.stringify(registered)}`);
  }
}

/**
 * Reads the graph and metadata into a descriptor (libs/forecasting's, the backtester's too),
 * refusing what is inconsistent or not servable from bars, or named so that it cannot be a
 * subject token.
 */
export function describe(model: OnnxModel, sha256: string, sizeBytes: number): ModelDescriptor {
  const d = describeForecaster(model);
  checkModelId(d.name, d.version);
  return { ...d, sha256, sizeBytes };
}

/** Zero features (each feature at its training mean), a flat target, batch 2: the graph must give finite [2, H, Q]. */
async function dryRun(model: OnnxModel, d: ModelDescriptor): Promise<void> {
  const B = 2;
  const feeds = {
    [INPUT_PAST]: { data: new Float32Array(B * d.lookback * d.pastFeatures), dims: [B, d.lookback, d.pastFeatures] },
    ...(d.futureFeatures > 0 ? { [INPUT_FUTURE]: { data: new Float32Array(B * d.horizon * d.futureFeatures), dims: [B, d.horizon, d.futureFeatures] } } : {}),
  };
  let out;
  try {
    out = (await model.run(feeds))[OUTPUT_FORECAST];
  } catch (err) {
    throw new ModelDryRunError(label(d.name, d.version), `failed: ${(err as Error).message}`, { cause: err });
  }
  const want = [B, d.horizon, d.outputs];
  if (!out || out.dims.length !== 3 || out.dims.some((x, i) => x !== want[i])) throw new ModelDryRunError(label(d.name, d.version), `gave shape [${out?.dims.join(', ')}], expected [${want.join(', ')}]`);
  const bad = out.data.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new ModelDryRunError(label(d.name, d.version), `gave ${out.data[bad]} at index ${bad}`);
}
