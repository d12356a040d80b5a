import type { Dim, Shape } from './shape';

/** The element types the exporters need: float32 activations and weights, int64 shapes and indices. */
export type DType = 'float32' | 'int64';

/** A graph input or output: its name, element type and shape (symbolic dims allowed). */
export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: Shape;
}

export type Initializer =
  | { readonly name: string; readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly name: string; readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

/** Typed ONNX attributes: the proto distinguishes INT from FLOAT, so a plain `number` is not enough. */
export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value }),
};

/** One operator application; an empty string in `inputs` or `outputs` is an omitted optional slot, as in ONNX. */
export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

/** A whole graph as plain data: what `validateGraph` checks and `serializeModel` writes. */
export interface OnnxGraph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  /** In topological order: a node reads only graph inputs, initializers and outputs of nodes before it. */
  readonly nodes: readonly GraphNode[];
}

/** A tensor known to the builder: a name with its element type and shape. */
export interface TensorRef {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}
