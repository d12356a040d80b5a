import {
  AttributeProto,
  AttributeProto_AttributeType,
  ModelProto,
  TensorProto,
  TensorProto_DataType,
  type NodeProto,
  type ValueInfoProto,
} from './gen/onnx/onnx';
import { DuplicateNameError } from './errors';
import type { Attribute, DType, Initializer, OnnxGraph, ValueInfo } from './graph';
import { OPSET_VERSION } from './ops';
import { validateGraph } from './validate';

/** IR version 8 is the one of ONNX 1.12, the release that introduced opset 17. */
export const IR_VERSION = 8;
export const PRODUCER_NAME = '@meridian/onnx';

export interface MetadataEntry {
  readonly key: string;
  readonly value: string;
}

export interface SerializeOptions {
  /** The model's `doc_string`. */
  readonly docString?: string;
  /** ModelProto.model_version: an integer that identifies this graph among its versions. */
  readonly modelVersion?: number;
  readonly producerVersion?: string;
}

const ELEM_TYPE: Record<DType, TensorProto_DataType> = { float32: TensorProto_DataType.FLOAT, int64: TensorProto_DataType.INT64 };

/** Validates `graph` and writes it, with `metadata` as the model's `metadata_props`, as ONNX bytes. */
export function serializeModel(graph: OnnxGraph, metadata: readonly MetadataEntry[], options: SerializeOptions = {}): Uint8Array {
  return ModelProto.encode(toModelProto(graph, metadata, options)).finish();
}

export function toModelProto(graph: OnnxGraph, metadata: readonly MetadataEntry[], options: SerializeOptions = {}): ModelProto {
  validateGraph(graph);
  const keys = new Set<string>();
  for (const { key } of metadata) {
    if (keys.has(key)) throw new DuplicateNameError('metadata key', key);
    keys.add(key);
  }
  return ModelProto.fromPartial({
    irVersion: BigInt(IR_VERSION),
    opsetImport: [{ domain: '', version: BigInt(OPSET_VERSION) }],
    producerName: PRODUCER_NAME,
    producerVersion: options.producerVersion ?? '',
    domain: 'meridian',
    modelVersion: BigInt(options.modelVersion ?? 0),
    docString: options.docString ?? '',
    graph: {
      name: graph.name,
      node: graph.nodes.map(
        (n): NodeProto => ({
          name: n.name,
          opType: n.opType,
          domain: '',
          input: [...n.inputs],
          output: [...n.outputs],
          attribute: Object.entries(n.attributes).map(([name, a]) => attributeProto(name, a)),
        }),
      ),
      initializer: graph.initializers.map(tensorProto),
      input: graph.inputs.map(valueInfoProto),
      output: graph.outputs.map(valueInfoProto),
    },
    metadataProps: metadata.map(({ key, value }) => ({ key, value })),
  });
}

function valueInfoProto(v: ValueInfo): ValueInfoProto {
  return {
    name: v.name,
    type: {
      value: {
        $case: 'tensorType',
        value: {
          elemType: ELEM_TYPE[v.dtype],
          shape: {
            dim: v.shape.map((d) => ({
              value: typeof d === 'number' ? { $case: 'dimValue' as const, value: BigInt(d) } : { $case: 'dimParam' as const, value: d },
            })),
          },
        },
      },
    },
  };
}

/** Weights go in `raw_data`, little-endian as ONNX requires whatever the host's byte order. */
function tensorProto(init: Initializer): TensorProto {
  const width = init.dtype === 'float32' ? 4 : 8;
  const raw = Buffer.alloc(init.data.length * width);
  if (init.dtype === 'float32') for (let i = 0; i < init.data.length; i++) raw.writeFloatLE(init.data[i]!, i * 4);
  else for (let i = 0; i < init.data.length; i++) raw.writeBigInt64LE(init.data[i]!, i * 8);
  return TensorProto.fromPartial({ name: init.name, dims: init.shape.map((d) => BigInt(d)), dataType: ELEM_TYPE[init.dtype], rawData: raw });
}

function attributeProto(name: string, a: Attribute): AttributeProto {
  const T = AttributeProto_AttributeType;
  switch (a.kind) {
    case 'int':
      return AttributeProto.fromPartial({ name, type: T.INT, i: BigInt(a.value) });
    case 'float':
      return AttributeProto.fromPartial({ name, type: T.FLOAT, f: a.value });
    case 'ints':
      return AttributeProto.fromPartial({ name, type: T.INTS, ints: a.value.map((v) => BigInt(v)) });
    case 'floats':
      return AttributeProto.fromPartial({ name, type: T.FLOATS, floats: [...a.value] });
    case 'string':
      return AttributeProto.fromPartial({ name, type: T.STRING, s: Buffer.from(a.value, 'utf8') });
    case 'strings':
      return AttributeProto.fromPartial({ name, type: T.STRINGS, strings: a.value.map((s) => Buffer.from(s, 'utf8')) });
  }
}
