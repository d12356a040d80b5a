import { DuplicateNameError, InvalidGraphError } from './errors';
import type { Attribute, DType, GraphNode, Initializer, OnnxGraph, TensorRef, ValueInfo } from './graph';
import { attr } from './graph';
import { inferNode, type InferInput } from './ops';
import { checkDim, type Dim } from './shape';

/**
 * Builds an ONNX graph one node at a time, inferring and checking each node's shapes as it is
 * added, so an exporter's mistake surfaces at the line that made it. Names are scoped
 * (`encoder/grn/dense_1/MatMul`), which keeps a dump of the graph readable and names unique.
 */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: GraphNode[] = [];
  private readonly tensors = new Map<string, InferInput>();
  private readonly counters = new Map<string, number>();
  private readonly scopes: string[] = [];

  constructor(readonly name: string) {}

  /** Runs `fn` with `name` appended to the prefix of every tensor and node it creates. */
  scope<T>(name: string, fn: () => T): T {
    this.scopes.push(name);
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, shape: readonly Dim[], dtype: DType = 'float32'): TensorRef {
    shape.forEach((d) => checkDim(`graph input ${JSON.stringify(name)}`, d));
    this.define(name, { dtype, shape });
    this.inputs.push({ name, dtype, shape: [...shape] });
    return { name, dtype, shape: [...shape] };
  }

  /** A float32 initializer (a weight); `name` is scoped. The array is referenced, not copied. */
  weight(name: string, data: Float32Array, shape: readonly number[]): TensorRef {
    const full = this.scoped(name);
    this.define(full, { dtype: 'float32', shape });
    this.initializers.push({ name: full, dtype: 'float32', shape: [...shape], data });
    return { name: full, dtype: 'float32', shape: [...shape] };
  }

  /**
   * A float32 initializer under exactly `name`, outside any scope: a model's own weight names
   * (`stack0.block0.fc0.kernel`) survive into the file, and a weight read by several blocks is
   * written once.
   */
  namedWeight(name: string, data: Float32Array, shape: readonly number[]): TensorRef {
    this.define(name, { dtype: 'float32', shape });
    this.initializers.push({ name, dtype: 'float32', shape: [...shape], data });
    return { name, dtype: 'float32', shape: [...shape] };
  }

  /** A float32 constant shared by value across the graph (a scalar 1, a mask). */
  constant(values: readonly number[] | Float32Array, shape: readonly number[]): TensorRef {
    const dims = shape.length === 0 ? 'scalar' : shape.join('x');
    const key = `const/f32/${dims}/${Array.from(values).join(',')}`;
    const name = key.length <= 96 ? key : `const/f32/${dims}/#${this.next('const_f32')}`;
    const known = this.tensors.get(name);
    if (known !== undefined) return { name, dtype: 'float32', shape: [...shape] };
    this.define(name, { dtype: 'float32', shape });
    this.initializers.push({ name, dtype: 'float32', shape: [...shape], data: Float32Array.from(values) });
    return { name, dtype: 'float32', shape: [...shape] };
  }

  /** An int64 constant (a shape, axes, slice bounds), shared by value across the graph. */
  int64(values: readonly number[], shape: readonly number[] = [values.length]): TensorRef {
    const name = `const/i64/${shape.length === 0 ? 'scalar' : shape.join('x')}/${values.join(',')}`;
    if (!this.tensors.has(name)) {
      this.define(name, { dtype: 'int64', shape, constant: values });
      this.initializers.push({ name, dtype: 'int64', shape: [...shape], data: BigInt64Array.from(values, (v) => BigInt(v)) });
    }
    return { name, dtype: 'int64', shape: [...shape] };
  }

  /**
   * Adds one node. `inputs` may hold `undefined` for an omitted optional input; `outputs` is the
   * number of outputs wanted (ONNX lets trailing optional outputs go unnamed).
   */
  op(opType: string, given: readonly (TensorRef | undefined)[], attributes: Record<string, Attribute> = {}, outputs = 1, name?: string): TensorRef[] {
    // ONNX omits trailing optional inputs rather than naming them ''.
    let end = given.length;
    while (end > 0 && given[end - 1] === undefined) end--;
    const inputs = given.slice(0, end);
    const nodeName = this.scoped(name ?? `${opType}_${this.next(this.scoped(opType))}`);
    const outNames = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? nodeName : `${nodeName}:${i}`));
    const node: GraphNode = { name: nodeName, opType, inputs: inputs.map((t) => t?.name ?? ''), outputs: outNames, attributes };
    const inferred = inferNode(
      node,
      inputs.map((t) => {
        if (t === undefined) return undefined;
        const known = this.tensors.get(t.name);
        if (known === undefined) throw new InvalidGraphError(`node ${JSON.stringify(nodeName)}`, `input ${JSON.stringify(t.name)} belongs to another graph`);
        return known;
      }),
    );
    if (this.nodes.some((n) => n.name === nodeName)) throw new DuplicateNameError('node', nodeName);
    this.nodes.push(node);
    return outNames.map((n, i) => {
      const out = inferred[i]!;
      this.define(n, out);
      return { name: n, dtype: out.dtype, shape: out.shape };
    });
  }

  /** Single-output shorthand of `op`. */
  op1(opType: string, inputs: readonly (TensorRef | undefined)[], attributes: Record<string, Attribute> = {}, name?: string): TensorRef {
    return this.op(opType, inputs, attributes, 1, name)[0]!;
  }

  /** Declares a graph output under `name` (an Identity node renames the tensor when needed). */
  output(t: TensorRef, name: string): TensorRef {
    const named = t.name === name ? t : this.renamed(t, name);
    this.outputs.push({ name, dtype: named.dtype, shape: [...named.shape] });
    return named;
  }

  build(): OnnxGraph {
    return { name: this.name, inputs: [...this.inputs], outputs: [...this.outputs], initializers: [...this.initializers], nodes: [...this.nodes] };
  }

  // Shorthands for the operators the exporters use most.
  matMul(a: TensorRef, b: TensorRef): TensorRef {
    return this.op1('MatMul', [a, b]);
  }
  add(a: TensorRef, b: TensorRef): TensorRef {
    return this.op1('Add', [a, b]);
  }
  sub(a: TensorRef, b: TensorRef): TensorRef {
    return this.op1('Sub', [a, b]);
  }
  mul(a: TensorRef, b: TensorRef): TensorRef {
    return this.op1('Mul', [a, b]);
  }
  div(a: TensorRef, b: TensorRef): TensorRef {
    return this.op1('Div', [a, b]);
  }
  relu(x: TensorRef): TensorRef {
    return this.op1('Relu', [x]);
  }
  sigmoid(x: TensorRef): TensorRef {
    return this.op1('Sigmoid', [x]);
  }
  tanh(x: TensorRef): TensorRef {
    return this.op1('Tanh', [x]);
  }
  elu(x: TensorRef, alpha = 1): TensorRef {
    return this.op1('Elu', [x], { alpha: attr.float(alpha) });
  }
  softmax(x: TensorRef, axis = -1): TensorRef {
    return this.op1('Softmax', [x], { axis: attr.int(axis) });
  }
  reshape(x: TensorRef, target: readonly number[]): TensorRef {
    return this.op1('Reshape', [x, this.int64(target)]);
  }
  transpose(x: TensorRef, perm: readonly number[]): TensorRef {
    return this.op1('Transpose', [x], { perm: attr.ints(perm) });
  }
  concat(xs: readonly TensorRef[], axis: number): TensorRef {
    return xs.length === 1 ? xs[0]! : this.op1('Concat', xs, { axis: attr.int(axis) });
  }
  /** Slice of `[start, end)` along `axis`. */
  slice(x: TensorRef, axis: number, start: number, end: number): TensorRef {
    return this.op1('Slice', [x, this.int64([start]), this.int64([end]), this.int64([axis])]);
  }
  squeeze(x: TensorRef, axes: readonly number[]): TensorRef {
    return this.op1('Squeeze', [x, this.int64(axes)]);
  }
  unsqueeze(x: TensorRef, axes: readonly number[]): TensorRef {
    return this.op1('Unsqueeze', [x, this.int64(axes)]);
  }
  reduceMean(x: TensorRef, axes: readonly number[], keepdims = true): TensorRef {
    return this.op1('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepdims ? 1 : 0) });
  }
  reduceSum(x: TensorRef, axes: readonly number[], keepdims = true): TensorRef {
    return this.op1('ReduceSum', [x, this.int64(axes)], { keepdims: attr.int(keepdims ? 1 : 0) });
  }
  gather(x: TensorRef, indices: readonly number[], axis: number, scalar = false): TensorRef {
    return this.op1('Gather', [x, scalar ? this.int64(indices, []) : this.int64(indices)], { axis: attr.int(axis) });
  }
  /** The run-time shape of `x` as an int64 tensor (its batch size included). */
  shape(x: TensorRef): TensorRef {
    return this.op1('Shape', [x]);
  }
  /** Broadcasts `x` to `shape`, an int64 tensor (e.g. a Shape concatenated with constants). */
  expand(x: TensorRef, shape: TensorRef): TensorRef {
    return this.op1('Expand', [x, shape]);
  }
  layerNorm(x: TensorRef, scale: TensorRef, bias: TensorRef, epsilon: number, axis = -1): TensorRef {
    return this.op1('LayerNormalization', [x, scale, bias], { axis: attr.int(axis), epsilon: attr.float(epsilon) });
  }

  private renamed(t: TensorRef, name: string): TensorRef {
    const known = this.tensors.get(t.name);
    if (known === undefined) throw new InvalidGraphError(`graph output ${JSON.stringify(name)}`, `tensor ${JSON.stringify(t.name)} belongs to another graph`);
    const node: GraphNode = { name: `output/${name}`, opType: 'Identity', inputs: [t.name], outputs: [name], attributes: {} };
    if (this.nodes.some((n) => n.name === node.name)) throw new DuplicateNameError('node', node.name);
    this.nodes.push(node);
    this.define(name, known);
    return { name, dtype: known.dtype, shape: [...known.shape] };
  }

  private define(name: string, value: InferInput): void {
    if (this.tensors.has(name)) throw new DuplicateNameError('tensor', name);
    this.tensors.set(name, value);
  }

  private scoped(name: string): string {
    return this.scopes.length === 0 ? name : `${this.scopes.join('/')}/${name}`;
  }

  private next(key: string): number {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return n;
  }
}
