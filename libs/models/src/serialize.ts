import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { featureSpecHash, requireFeatureSpecHash, validateFeatureSpec } from '@meridian/signals';
import type { FeatureSpec } from '@meridian/signals';
import type { WindowScaling } from './dataset';
import { ModelLoadError } from './errors';
import { createModel } from './factory';
import type { AnyForecastModel, ModelConfig } from './factory';
import type { ForecastModel, ModelIO } from './model';
import type { NamedWeight } from './params';
import { isRecord } from './validate';

export const MODEL_FORMAT = 'meridian.forecaster';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Where each tensor sits in weights.bin: little-endian float32, row-major, back to back. */
export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  /** Byte offset in the weights file. */
  readonly offset: number;
  /** Elements (product of the shape). */
  readonly length: number;
  readonly trainable: boolean;
}

/** Names of the columns of each input, in order, so a server can check what it feeds. */
export interface ModelColumns {
  readonly past: readonly string[];
  readonly future: readonly string[];
  readonly static: readonly string[];
}

/** model.json: everything needed to rebuild the model and feed it, beside the weights. */
export interface ModelMetadata {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  readonly kind: ModelConfig['kind'];
  readonly config: ModelConfig;
  readonly io: ModelIO;
  /** The seed of the initial weights (training's own seed is in `training`). */
  readonly seed: number;
  /** The FeatureSpec the covariates come from (with its fitted normalisation), or null (M4: no covariates). */
  readonly featureSpec: FeatureSpec | null;
  readonly featureSpecHash: string | null;
  readonly columns: ModelColumns;
  /** How the target history and forecasts are scaled per window (see WindowScaling). */
  readonly scaling: WindowScaling;
  /** What the target series is, e.g. { kind: 'logClose' } or { kind: 'value' }. */
  readonly target: Readonly<Record<string, unknown>>;
  readonly weights: {
    readonly file: string;
    readonly dtype: 'float32';
    readonly byteOrder: 'little';
    readonly bytes: number;
    readonly sha256: string;
    readonly tensors: readonly TensorEntry[];
  };
  /** Free-form training summary (config, best epoch, losses); not read back. */
  readonly training: Readonly<Record<string, unknown>> | null;
  readonly createdAt: string;
}

export interface SaveInfo {
  readonly seed: number;
  readonly featureSpec?: FeatureSpec | null;
  readonly columns: ModelColumns;
  readonly scaling: WindowScaling;
  readonly target: Readonly<Record<string, unknown>>;
  readonly training?: Readonly<Record<string, unknown>> | null;
}

function toLittleEndian(weights: readonly NamedWeight[]): Buffer {
  const total = weights.reduce((a, w) => a + w.data.length, 0);
  const buf = Buffer.alloc(total * 4);
  let offset = 0;
  for (const w of weights) {
    if (endianness() === 'LE') Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).copy(buf, offset);
    else for (let i = 0; i < w.data.length; i++) buf.writeFloatLE(w.data[i]!, offset + 4 * i);
    offset += w.data.byteLength;
  }
  return buf;
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` (each to a temporary name, then renamed, so a
 * crash never leaves a half-written model that loads).
 */
export async function saveModel(dir: string, model: ForecastModel<ModelConfig>, info: SaveInfo): Promise<ModelMetadata> {
  const weights = model.getWeights();
  const bin = toLittleEndian(weights);
  let offset = 0;
  const tensors = weights.map((w) => {
    const e = { name: w.name, shape: [...w.shape], offset, length: w.data.length, trainable: w.trainable };
    offset += w.data.byteLength;
    return e;
  });
  const spec = info.featureSpec ? validateFeatureSpec(info.featureSpec) : null;
  const metadata: ModelMetadata = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    kind: model.config.kind,
    config: model.config,
    io: model.io,
    seed: info.seed,
    featureSpec: spec,
    featureSpecHash: spec ? featureSpecHash(spec) : null,
    columns: info.columns,
    scaling: info.scaling,
    target: info.target,
    weights: { file: WEIGHTS_FILE, dtype: 'float32', byteOrder: 'little', bytes: bin.length, sha256: createHash('sha256').update(bin).digest('hex'), tensors },
    training: info.training ?? null,
    createdAt: new Date().toISOString(),
  };
  requireColumns(dir, metadata);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${WEIGHTS_FILE}.tmp`), bin);
  await writeFile(join(dir, `${MODEL_FILE}.tmp`), `${JSON.stringify(metadata, null, 2)}\n`);
  await rename(join(dir, `${WEIGHTS_FILE}.tmp`), join(dir, WEIGHTS_FILE));
  await rename(join(dir, `${MODEL_FILE}.tmp`), join(dir, MODEL_FILE));
  return metadata;
}

function requireColumns(dir: string, m: ModelMetadata): void {
  const c = m.columns;
  const check = (name: string, cols: unknown, n: number) => {
    if (!Array.isArray(cols) || cols.length !== n || cols.some((x) => typeof x !== 'string')) throw new ModelLoadError(dir, `columns.${name} must name ${n} columns`);
  };
  if (!isRecord(c)) throw new ModelLoadError(dir, 'columns must be an object');
  check('past', c.past, m.io.pastFeatures);
  check('future', c.future, m.io.futureFeatures);
  check('static', c.static, m.io.staticFeatures);
}

function requireScaling(dir: string, s: unknown): WindowScaling {
  if (isRecord(s) && (s.kind === 'none' || s.kind === 'meanAbs')) return { kind: s.kind };
  if (isRecord(s) && s.kind === 'shift' && typeof s.scale === 'number' && s.scale > 0 && Number.isFinite(s.scale)) return { kind: 'shift', scale: s.scale };
  throw new ModelLoadError(dir, `scaling ${JSON.stringify(s)} is not none, meanAbs or shift with a positive scale`);
}

/**
 * Reads a saved model back: rebuilds it from its config, checks the weights file (size and
 * sha256) and every tensor's name and shape, and the FeatureSpec against its stored hash
 * (FeatureSpecMismatchError from @meridian/signals when they differ).
 */
export async function loadModel(dir: string): Promise<{ model: AnyForecastModel; metadata: ModelMetadata }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MODEL_FILE), 'utf8'));
  } catch (cause) {
    throw new ModelLoadError(dir, `${MODEL_FILE} is missing or not JSON`, { cause });
  }
  if (!isRecord(raw)) throw new ModelLoadError(dir, `${MODEL_FILE} is not an object`);
  if (raw.format !== MODEL_FORMAT || raw.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelLoadError(dir, `format ${JSON.stringify(raw.format)} v${String(raw.formatVersion)} is not ${MODEL_FORMAT} v${MODEL_FORMAT_VERSION}`);
  }
  const meta = raw as unknown as ModelMetadata;
  const model = createModel(meta.config, meta.seed);
  try {
    if (JSON.stringify(model.io) !== JSON.stringify(meta.io)) throw new ModelLoadError(dir, `io ${JSON.stringify(meta.io)} differs from what the config builds ${JSON.stringify(model.io)}`);
    requireColumns(dir, meta);
    requireScaling(dir, meta.scaling);
    if (meta.featureSpec !== null) {
      if (typeof meta.featureSpecHash !== 'string') throw new ModelLoadError(dir, 'featureSpecHash is missing beside the featureSpec');
      requireFeatureSpecHash(meta.featureSpec, meta.featureSpecHash);
    }
    const w = meta.weights;
    if (!isRecord(w) || w.dtype !== 'float32' || w.byteOrder !== 'little' || !Array.isArray(w.tensors)) throw new ModelLoadError(dir, 'weights must be little-endian float32 with a tensor list');
    let bin: Buffer;
    try {
      bin = await readFile(join(dir, w.file));
    } catch (cause) {
      throw new ModelLoadError(dir, `${w.file} cannot be read`, { cause });
    }
    if (bin.length !== w.bytes) throw new ModelLoadError(dir, `${w.file} holds ${bin.length} bytes, model.json says ${w.bytes}`);
    const sha = createHash('sha256').update(bin).digest('hex');
    if (sha !== w.sha256) throw new ModelLoadError(dir, `${w.file} sha256 ${sha} differs from model.json's ${w.sha256}`);
    const weights: NamedWeight[] = w.tensors.map((t) => {
      if (!(Number.isSafeInteger(t.offset) && Number.isSafeInteger(t.length) && t.offset >= 0 && t.offset + 4 * t.length <= bin.length)) {
        throw new ModelLoadError(dir, `tensor ${JSON.stringify(t.name)} lies outside ${w.file}`);
      }
      const data = new Float32Array(t.length);
      for (let i = 0; i < t.length; i++) data[i] = bin.readFloatLE(t.offset + 4 * i);
      return { name: t.name, shape: t.shape, data, trainable: t.trainable };
    });
    model.setWeights(weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, metadata: meta };
}
