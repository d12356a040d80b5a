import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FeatureSpecMismatchError, featureSpecHash, validateFeatureSpec } from '@meridian/signals';
import { GraphBuilder } from '../src/builder';
import { CorruptModelError, InputShapeError, ModelMetadataError } from '../src/errors';
import { ModelProto } from '../src/gen/onnx/onnx';
import { loadOnnxModel, loadOnnxModelFromBytes } from '../src/load';
import { METADATA_KEYS, metadataEntries } from '../src/metadata';
import { IR_VERSION, serializeModel } from '../src/serialize';
import { OPSET_VERSION } from '../src/ops';
import { SPEC } from './fixtures';

const HASH = featureSpecHash(validateFeatureSpec(SPEC));

/** forecast [batch, 2, 1] = past [batch, 4, 3] flattened · w. */
function modelBytes(overrides: Partial<Parameters<typeof metadataEntries>[0]> = {}): Uint8Array {
  const b = new GraphBuilder('tiny');
  const past = b.input('past', ['batch', 4, 3]);
  const w = new Float32Array(12 * 2).map((_, i) => (i % 5) / 10 - 0.2);
  const y = b.matMul(b.reshape(past, [0, 12]), b.weight('w', w, [12, 2]));
  b.output(b.reshape(y, [0, 2, 1]), 'forecast');
  const meta = metadataEntries({ name: 'tiny', version: '1.2.0', kind: 'lstm', config: { kind: 'lstm', lookback: 4 }, featureSpec: SPEC, ...overrides });
  return serializeModel(b.build(), meta, { modelVersion: 3 });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the bundled CPU runtime', () => {
  test('onnxruntime-node loads its native binding and opens a session on the CPU', async () => {
    expect(ort.env.versions.node).toBe('1.30.0');
    const session = await ort.InferenceSession.create(modelBytes(), { intraOpNumThreads: 1 });
    expect(session.inputNames).toEqual(['past']);
    expect(session.outputNames).toEqual(['forecast']);
    await session.release();
  });
});

describe('the written file', () => {
  test('decodes as ModelProto with IR 8, opset 17, metadata_props and the symbolic batch', () => {
    const m = ModelProto.decode(modelBytes());
    expect(m.irVersion).toBe(BigInt(IR_VERSION));
    expect(m.opsetImport).toEqual([{ domain: '', version: BigInt(OPSET_VERSION) }]);
    expect(m.modelVersion).toBe(3n);
    const props = new Map(m.metadataProps.map((e) => [e.key, e.value]));
    expect(props.get(METADATA_KEYS.featureSpecHash)).toBe(HASH);
    expect(JSON.parse(props.get(METADATA_KEYS.featureSpec)!)).toEqual(JSON.parse(JSON.stringify(validateFeatureSpec(SPEC))));
    expect(JSON.parse(props.get(METADATA_KEYS.normalisation)!)).toEqual({
      features: [
        { name: 'ret_1', normalisation: { kind: 'zscore', mean: 0.000077, std: 0.0103 } },
        { name: 'ema_20', normalisation: { kind: 'zscore', mean: 1.0002, std: 0.021 } },
        { name: 'rsi_14', normalisation: { kind: 'minmax', min: 3.5, max: 97.1 } },
      ],
      target: { kind: 'none' },
    });
    const dims = m.graph!.input[0]!.type!.value!.value as { shape: { dim: { value: unknown }[] } };
    expect(dims.shape.dim.map((d) => d.value)).toEqual([
      { $case: 'dimParam', value: 'batch' },
      { $case: 'dimValue', value: 4n },
      { $case: 'dimValue', value: 3n },
    ]);
  });

  test('a hash given at export must match the spec', () => {
    expect(() => modelBytes({ featureSpecHash: '0'.repeat(64) })).toThrow(FeatureSpecMismatchError);
    expect(() => modelBytes({ featureSpec: { version: 1, features: [{ name: 'x', kind: 'ema', input: 'close', params: { perod: 3 } }] } })).toThrow(ModelMetadataError);
    expect(() => modelBytes({ name: 'has space' })).toThrow(/meridian.model.name "has space"/);
  });
});

describe('loadOnnxModel', () => {
  test('opens a session and returns the parsed metadata; inference runs through the checked run()', async () => {
    const path = join(dir, 'ok.onnx');
    await writeFile(path, modelBytes());
    const model = await loadOnnxModel(path, { expectedFeatureSpecHash: HASH, expectedKind: 'lstm', expectedName: 'tiny', expectedVersion: '1.2.0' });
    try {
      expect(model.metadata).toMatchObject({ name: 'tiny', version: '1.2.0', kind: 'lstm', featureSpecHash: HASH, config: { kind: 'lstm', lookback: 4 } });
      expect(model.metadata.featureSpec.features.map((f) => f.name)).toEqual(['ret_1', 'ema_20', 'rsi_14']);
      expect(model.inputs).toEqual([{ name: 'past', dtype: 'float32', shape: ['batch', 4, 3] }]);
      const past = new Float32Array(2 * 12).map((_, i) => i / 10);
      const out = await model.run({ past: { data: past, dims: [2, 4, 3] } });
      expect(out.forecast!.dims).toEqual([2, 2, 1]);
      // Row 0 by hand: Σ_i x_i · w[i, j].
      let y00 = 0;
      for (let i = 0; i < 12; i++) y00 += (i / 10) * (((i * 2) % 5) / 10 - 0.2);
      expect(out.forecast!.data[0]).toBeCloseTo(y00, 5);
    } finally {
      await model.dispose();
    }
  });

  test('refuses a truncated file', async () => {
    const bytes = modelBytes();
    for (const keep of [0.5, 0.9, 0.99]) {
      const path = join(dir, `cut-${keep}.onnx`);
      await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * keep)));
      await expect(loadOnnxModel(path)).rejects.toThrow(CorruptModelError);
    }
    await expect(loadOnnxModel(join(dir, 'cut-0.5.onnx'))).rejects.toThrow(/cut-0.5.onnx is not a usable ONNX model: protobuf decoding failed/);
  });

  test('refuses bytes that are not ONNX at all, and a graph onnxruntime cannot run', async () => {
    await expect(loadOnnxModelFromBytes(Buffer.from('not a model, just text'), 'text')).rejects.toThrow(CorruptModelError);
    // A valid protobuf whose graph reads an input that is not there: the decoder accepts it, onnxruntime does not.
    const m = ModelProto.decode(modelBytes());
    m.graph!.node[0]!.input[0] = 'nothing';
    await expect(loadOnnxModelFromBytes(ModelProto.encode(m).finish(), 'edited')).rejects.toThrow(/edited is not a usable ONNX model: onnxruntime refused it/);
  });

  test('refuses a wrong feature spec hash, an edited spec and missing metadata', async () => {
    const edit = (fn: (props: Map<string, string>) => void) => {
      const m = ModelProto.decode(modelBytes());
      const props = new Map(m.metadataProps.map((e) => [e.key!, e.value!]));
      fn(props);
      m.metadataProps = [...props].map(([key, value]) => ({ key, value }));
      return ModelProto.encode(m).finish();
    };
    await expect(loadOnnxModelFromBytes(edit((p) => p.set(METADATA_KEYS.featureSpecHash, 'f'.repeat(64))), 'm')).rejects.toThrow(FeatureSpecMismatchError);
    const spec = JSON.parse(JSON.stringify(validateFeatureSpec(SPEC)));
    spec.features[0].normalisation.std = 0.02;
    await expect(loadOnnxModelFromBytes(edit((p) => p.set(METADATA_KEYS.featureSpec, JSON.stringify(spec))), 'm')).rejects.toThrow(FeatureSpecMismatchError);
    await expect(loadOnnxModelFromBytes(edit((p) => p.delete(METADATA_KEYS.version)), 'm')).rejects.toThrow(/model metadata meridian.model.version \(absent\) is missing/);
    await expect(loadOnnxModelFromBytes(edit((p) => p.set(METADATA_KEYS.config, '{oops')), 'm')).rejects.toThrow(/meridian.model.config "\{oops" is not JSON/);
    await expect(loadOnnxModelFromBytes(edit((p) => p.set(METADATA_KEYS.normalisation, '{"features":[],"target":{"kind":"none"}}')), 'm')).rejects.toThrow(/does not match the feature spec/);
    await expect(loadOnnxModelFromBytes(edit((p) => p.set(METADATA_KEYS.format, '2')), 'm')).rejects.toThrow(ModelMetadataError);
  });

  test('refuses a model trained on other features, or of another kind, name or version than expected', async () => {
    const bytes = modelBytes();
    await expect(loadOnnxModelFromBytes(bytes, 'm', { expectedFeatureSpecHash: 'a'.repeat(64) })).rejects.toThrow(FeatureSpecMismatchError);
    await expect(loadOnnxModelFromBytes(bytes, 'm', { expectedKind: 'tft' })).rejects.toThrow(/meridian.model.kind "lstm" differs from the expected "tft"/);
    await expect(loadOnnxModelFromBytes(bytes, 'm', { expectedVersion: '1.3.0' })).rejects.toThrow(ModelMetadataError);
    await expect(loadOnnxModelFromBytes(bytes, 'm', { intraOpNumThreads: 0 })).rejects.toThrow(/option intraOpNumThreads 0 must be a positive integer/);
  });

  test('refuses an input of the wrong shape, length, type or name before onnxruntime sees it', async () => {
    const model = await loadOnnxModelFromBytes(modelBytes(), 'm');
    try {
      const ok = new Float32Array(12);
      await expect(model.run({ past: { data: ok, dims: [1, 3, 4] } })).rejects.toThrow(InputShapeError);
      await expect(model.run({ past: { data: ok, dims: [1, 3, 4] } })).rejects.toThrow('input "past": shape [1, 3, 4] does not match the declared [batch, 4, 3]');
      await expect(model.run({ past: { data: ok, dims: [12] } })).rejects.toThrow(InputShapeError);
      await expect(model.run({ past: { data: new Float32Array(11), dims: [1, 4, 3] } })).rejects.toThrow('input "past": holds 11 values, shape [1, 4, 3] needs 12');
      await expect(model.run({ past: { data: new Float64Array(12) as unknown as Float32Array, dims: [1, 4, 3] } })).rejects.toThrow(/must be a Float32Array/);
      await expect(model.run({})).rejects.toThrow('input "past": is missing');
      await expect(model.run({ past: { data: ok, dims: [1, 4, 3] }, extra: { data: ok, dims: [12] } })).rejects.toThrow(/"extra": is not an input of the model/);
      const batch64 = await model.run({ past: { data: new Float32Array(64 * 12), dims: [64, 4, 3] } });
      expect(batch64.forecast!.dims).toEqual([64, 2, 1]);
    } finally {
      await model.dispose();
    }
  });
});
