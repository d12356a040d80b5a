import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { requireFeatureSpecHash } from '@meridian/signals';
import { ModelProto, TensorProto_DataType, type ValueInfoProto } from './gen/onnx/onnx';
import { CorruptModelError, InputShapeError, InvalidOptionError, ModelMetadataError } from './errors';
import type { DType, ValueInfo } from './graph';
import { METADATA_KEYS, parseMetadata, type ModelMetadata } from './metadata';
import { OPSET_VERSION } from './ops';
import type { Dim } from './shape';

export interface LoadOptions {
  /** onnxruntime's intra-op threads; default 1 (one inference per pinned core, no thread pool hand-offs). */
  readonly intraOpNumThreads?: number;
  /** The hash of the feature spec the caller computes features with: the model must have been trained on it. */
  readonly expectedFeatureSpecHash?: string;
  readonly expectedKind?: string;
  readonly expectedName?: string;
  readonly expectedVersion?: string;
}

/** A float32 tensor as plain data: row-major values and dimensions. */
export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface OnnxModel {
  readonly session: InferenceSession;
  readonly metadata: ModelMetadata;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** Checks every feed against the declared inputs (names, lengths, shapes, one size per symbolic dim), then runs. */
  run(feeds: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>>;
  dispose(): Promise<void>;
}

/** Reads an exported model: decodes it, checks its metadata, and opens an onnxruntime session on it. */
export async function loadOnnxModel(path: string, options: LoadOptions = {}): Promise<OnnxModel> {
  return loadOnnxModelFromBytes(await readFile(path), path, options);
}

export async function loadOnnxModelFromBytes(bytes: Uint8Array, source: string, options: LoadOptions = {}): Promise<OnnxModel> {
  const threads = options.intraOpNumThreads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) throw new InvalidOptionError('intraOpNumThreads', threads, 'must be a positive integer');
  let model: ModelProto;
  try {
    model = ModelProto.decode(bytes);
  } catch (e) {
    throw new CorruptModelError(source, `protobuf decoding failed (${(e as Error).message})`, { cause: e });
  }
  const graph = model.graph;
  if (graph === undefined || graph.node.length === 0 || graph.output.length === 0) throw new CorruptModelError(source, 'it has no graph, or a graph without nodes or outputs');
  const opset = model.opsetImport.find((o) => (o.domain ?? '') === '');
  if (opset?.version === undefined || opset.version > BigInt(OPSET_VERSION)) {
    throw new CorruptModelError(source, `its default-domain opset ${String(opset?.version)} is not ${OPSET_VERSION} or older`);
  }
  const metadata = parseMetadata(model.metadataProps.map((e) => ({ key: e.key ?? '', value: e.value ?? '' })));
  if (options.expectedFeatureSpecHash !== undefined) requireFeatureSpecHash(metadata.featureSpec, options.expectedFeatureSpecHash);
  expect(METADATA_KEYS.kind, metadata.kind, options.expectedKind);
  expect(METADATA_KEYS.name, metadata.name, options.expectedName);
  expect(METADATA_KEYS.version, metadata.version, options.expectedVersion);

  const inputs = graph.input.map((v) => valueInfo(source, v));
  const outputs = graph.output.map((v) => valueInfo(source, v));
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (e) {
    throw new CorruptModelError(source, `onnxruntime refused it (${(e as Error).message})`, { cause: e });
  }
  return {
    session,
    metadata,
    inputs,
    outputs,
    run: async (feeds) => {
      const ortFeeds: Record<string, Tensor> = {};
      const bound = new Map<string, number>();
      for (const input of inputs) ortFeeds[input.name] = feedTensor(input, feeds[input.name], bound);
      for (const name of Object.keys(feeds)) {
        if (!inputs.some((i) => i.name === name)) throw new InputShapeError(name, `is not an input of the model (inputs: ${inputs.map((i) => i.name).join(', ')})`);
      }
      const results = await session.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const o of outputs) {
        const t = results[o.name]!;
        out[o.name] = { data: t.data as Float32Array, dims: t.dims };
      }
      return out;
    },
    dispose: () => session.release(),
  };
}

function expect(key: string, actual: string, expected: string | undefined): void {
  if (expected !== undefined && actual !== expected) throw new ModelMetadataError(key, actual, `differs from the expected ${JSON.stringify(expected)}`);
}

function valueInfo(source: string, v: ValueInfoProto): ValueInfo {
  const type = v.type?.value;
  if (type?.$case !== 'tensorType') throw new CorruptModelError(source, `value ${JSON.stringify(v.name)} is not a tensor`);
  const elem = type.value.elemType;
  const dtype: DType | undefined = elem === TensorProto_DataType.FLOAT ? 'float32' : elem === TensorProto_DataType.INT64 ? 'int64' : undefined;
  if (dtype === undefined) throw new CorruptModelError(source, `value ${JSON.stringify(v.name)} has element type ${String(elem)}, not float32 or int64`);
  const shape: Dim[] = (type.value.shape?.dim ?? []).map((d) => {
    if (d.value?.$case === 'dimValue') return Number(d.value.value);
    if (d.value?.$case === 'dimParam') return d.value.value;
    throw new CorruptModelError(source, `value ${JSON.stringify(v.name)} has a dimension with neither size nor name`);
  });
  return { name: v.name ?? '', dtype, shape };
}

function feedTensor(input: ValueInfo, feed: TensorData | undefined, bound: Map<string, number>): Tensor {
  if (feed === undefined) throw new InputShapeError(input.name, 'is missing');
  if (input.dtype !== 'float32' || !(feed.data instanceof Float32Array)) throw new InputShapeError(input.name, 'must be a Float32Array');
  const want = input.shape;
  const got = feed.dims;
  const describe = `shape [${got.join(', ')}] does not match the declared [${want.join(', ')}]`;
  if (got.length !== want.length) throw new InputShapeError(input.name, describe);
  let n = 1;
  got.forEach((d, i) => {
    const w = want[i]!;
    if (!Number.isSafeInteger(d) || d < 1) throw new InputShapeError(input.name, describe);
    if (typeof w === 'number' && d !== w) throw new InputShapeError(input.name, describe);
    if (typeof w === 'string') {
      const prior = bound.get(w);
      if (prior !== undefined && prior !== d) throw new InputShapeError(input.name, `${describe}: ${w} is ${prior} in another input`);
      bound.set(w, d);
    }
    n *= d;
  });
  if (feed.data.length !== n) throw new InputShapeError(input.name, `holds ${feed.data.length} values, shape [${got.join(', ')}] needs ${n}`);
  return new Tensor('float32', feed.data, got);
}
