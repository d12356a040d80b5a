import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INPUT_FUTURE, INPUT_PAST, INPUT_STATIC, OUTPUT_FORECAST, loadOnnxModelFromBytes } from '@meridian/onnx';
import type { OnnxModel, ValueInfo } from '@meridian/onnx';
import { MOMENTUM_MODEL } from '@meridian/signals';
import type { FeatureSpec } from '@meridian/signals';
import { InvalidModelIdError, ModelDryRunError, ModelFileError, ModelNotServableError, ModelShaMismatchError, ModelShapeError } from './errors';

/** Known future inputs the live path can compute: libs/models' calendar (hour and weekday, sin and cos). */
export const CALENDAR_COLUMNS = 4;
/** The batch dimension every exported graph declares. */
const BATCH = 'batch';
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Names whose subjects are someone else's: the momentum model's, and the coordinator's fused signal. */
const RESERVED = new Set([MOMENTUM_MODEL, 'fused']);

/** A tensor of the graph as the registry stores it. */
export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly (number | string)[];
}

/** Everything the service needs to know about one model version, read from its file and checked. */
export interface ModelDescriptor {
  readonly name: string;
  readonly version: string;
  readonly kind: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly lookback: number;
  readonly horizon: number;
  /** Columns of `past`: the covariates (the feature spec's columns, or none) then the target. */
  readonly pastFeatures: number;
  /** 0, or the spec's width: the columns before the target in `past`. */
  readonly covariates: number;
  /** 0, or CALENDAR_COLUMNS. */
  readonly futureFeatures: number;
  /** Quantile levels of the output, increasing; empty for a point forecast. */
  readonly quantiles: readonly number[];
  /** Output channels per step: max(1, quantiles). */
  readonly outputs: number;
  readonly featureSpec: FeatureSpec;
  readonly featureSpecHash: string;
  /** The one-bar log-return σ the target was scaled by (shift scaling). */
  readonly targetScale: number;
  readonly targetScaling: unknown;
  readonly config: unknown;
  readonly inputTensors: readonly TensorSpec[];
  readonly outputTensors: readonly TensorSpec[];
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
  if (!NAME.test(name)) throw new InvalidModelIdError('name', name, 'must be 1-64 of A-Z a-z 0-9 _ - (it is a token of sig.<name>.<symbol>)');
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

function tensorSpec(v: ValueInfo): TensorSpec {
  return { name: v.name, dims: [...v.shape] };
}

function sameTensors(d: ModelDescriptor, what: string, actual: readonly TensorSpec[], registered: readonly TensorSpec[]): void {
  // Key order is not kept by jsonb: compare one canonical form.
  const canonical = (ts: readonly TensorSpec[]) => JSON.stringify(ts.map((t) => [t.name, t.dims]));
  if (canonical(actual) !== canonical(registered)) {
    throw new ModelShapeError(label(d.name, d.version), what, `${JSON.stringify(actual)} differ from the registered ${JSON.stringify(registered)}`);
  }
}

/** dims of a graph tensor: [batch, ...positive sizes], or a ModelShapeError. */
function sizes(model: string, t: ValueInfo, rank: number): number[] {
  const [first, ...rest] = t.shape;
  if (t.shape.length !== rank || first !== BATCH || rest.some((d) => typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1)) {
    throw new ModelShapeError(model, `tensor ${JSON.stringify(t.name)}`, `has shape [${t.shape.join(', ')}], expected [${BATCH}, ${new Array(rank - 1).fill('n').join(', ')}] with fixed sizes`);
  }
  if (t.dtype !== 'float32') throw new ModelShapeError(model, `tensor ${JSON.stringify(t.name)}`, `is ${t.dtype}, not float32`);
  return rest as number[];
}

function configNumber(model: string, config: Record<string, unknown>, key: string): number | undefined {
  const v = config[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ModelShapeError(model, `config.${key}`, `${JSON.stringify(v)} is not a non-negative integer`);
  return v;
}

/** Reads the graph and metadata into a descriptor, refusing what is inconsistent or not servable from bars. */
export function describe(model: OnnxModel, sha256: string, sizeBytes: number): ModelDescriptor {
  const m = model.metadata;
  const id = label(m.name, m.version);
  if (!['lstm', 'nbeats', 'tft'].includes(m.kind)) throw new ModelNotServableError(id, `architecture ${JSON.stringify(m.kind)} is not lstm, nbeats or tft`);
  checkModelId(m.name, m.version);

  const byName = new Map(model.inputs.map((i) => [i.name, i]));
  for (const i of model.inputs) {
    if (![INPUT_PAST, INPUT_FUTURE, INPUT_STATIC].includes(i.name)) throw new ModelShapeError(id, `input ${JSON.stringify(i.name)}`, `is not one of ${INPUT_PAST}, ${INPUT_FUTURE}, ${INPUT_STATIC}`);
  }
  const past = byName.get(INPUT_PAST);
  if (!past) throw new ModelShapeError(id, 'inputs', `have no ${JSON.stringify(INPUT_PAST)}`);
  const [lookback, pastFeatures] = sizes(id, past, 3) as [number, number];
  if (byName.has(INPUT_STATIC)) throw new ModelNotServableError(id, 'it reads static covariates, and the service has none per symbol');
  const future = byName.get(INPUT_FUTURE);
  const [futureSteps, futureFeatures] = future ? (sizes(id, future, 3) as [number, number]) : [undefined, 0];

  if (model.outputs.length !== 1 || model.outputs[0]!.name !== OUTPUT_FORECAST) {
    throw new ModelShapeError(id, 'outputs', `are [${model.outputs.map((o) => o.name).join(', ')}], expected one ${JSON.stringify(OUTPUT_FORECAST)}`);
  }
  const [horizon, outputs] = sizes(id, model.outputs[0]!, 3) as [number, number];
  if (futureSteps !== undefined && futureSteps !== horizon) throw new ModelShapeError(id, `input ${JSON.stringify(INPUT_FUTURE)}`, `has ${futureSteps} steps, the forecast ${horizon}`);

  if (typeof m.config !== 'object' || m.config === null) throw new ModelShapeError(id, 'config', 'is not an object');
  const config = m.config as Record<string, unknown>;
  const agree = (key: string, actual: number, fallback?: number) => {
    const v = configNumber(id, config, key) ?? fallback;
    if (v !== actual) throw new ModelShapeError(id, `config.${key}`, `is ${String(v)}, the graph has ${actual}`);
  };
  agree('lookback', lookback);
  agree('horizon', horizon);
  agree('pastFeatures', pastFeatures, m.kind === 'nbeats' ? 1 : undefined);
  if (m.kind === 'tft') agree('futureFeatures', futureFeatures, 0);
  const rawQuantiles = config.quantiles ?? [];
  if (!Array.isArray(rawQuantiles) || rawQuantiles.some((q, i) => typeof q !== 'number' || !(q > 0 && q < 1) || (i > 0 && !(q > (rawQuantiles[i - 1] as number))))) {
    throw new ModelShapeError(id, 'config.quantiles', `${JSON.stringify(rawQuantiles)} are not increasing levels in (0, 1)`);
  }
  const quantiles = rawQuantiles as number[];
  if (outputs !== Math.max(1, quantiles.length)) throw new ModelShapeError(id, `output ${JSON.stringify(OUTPUT_FORECAST)}`, `has ${outputs} channels, config.quantiles ${JSON.stringify(quantiles)} need ${Math.max(1, quantiles.length)}`);

  const spec = m.featureSpec;
  const covariates = pastFeatures - 1;
  if (covariates !== 0 && covariates !== spec.features.length) {
    throw new ModelShapeError(id, `input ${JSON.stringify(INPUT_PAST)}`, `has ${covariates} covariate columns before the target, the feature spec ${spec.features.length} features (${spec.features.map((f) => f.name).join(', ')})`);
  }
  const book = spec.features.find((f) => f.input === 'book');
  if (covariates > 0 && book) throw new ModelNotServableError(id, `feature ${JSON.stringify(book.name)} reads the order book; the service computes features from bars`);
  if (futureFeatures !== 0 && futureFeatures !== CALENDAR_COLUMNS) throw new ModelNotServableError(id, `it reads ${futureFeatures} known future inputs; the service computes the ${CALENDAR_COLUMNS} calendar columns (hour and weekday, sin and cos) only`);
  const target = m.normalisation.target;
  if (target.kind !== 'shift') {
    throw new ModelNotServableError(id, `its target scaling is ${JSON.stringify(target)}; the service forecasts ln(close) as the bars training does, scaled by shift (x − x_origin) / σ`);
  }
  return {
    name: m.name,
    version: m.version,
    kind: m.kind,
    sha256,
    sizeBytes,
    lookback,
    horizon,
    pastFeatures,
    covariates,
    futureFeatures,
    quantiles,
    outputs,
    featureSpec: spec,
    featureSpecHash: m.featureSpecHash,
    targetScale: target.scale,
    targetScaling: target,
    config: m.config,
    inputTensors: model.inputs.map(tensorSpec),
    outputTensors: model.outputs.map(tensorSpec),
  };
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
