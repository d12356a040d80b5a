/**
 * Shape inference for the operators the exporters use, at opset 17. It is how validation knows
 * that shapes are consistent before anything is written: each rule checks its inputs the way the
 * operator's specification requires and gives its outputs' shapes.
 */
import { InvalidGraphError, ShapeMismatchError } from './errors';
import type { Attribute, DType, GraphNode } from './graph';
import { broadcast, formatShape, normaliseAxis, type Dim, type Shape } from './shape';

export interface InferInput {
  readonly dtype: DType;
  readonly shape: Shape;
  /**
   * The values of an int64 tensor known before run time: an initializer (shapes, axes, slice
   * bounds), or a Shape of a tensor and what is sliced, gathered or concatenated from it, whose
   * entries may be symbolic (`batch`).
   */
  readonly constant?: readonly Dim[];
}

export interface InferOutput {
  readonly dtype: DType;
  readonly shape: Dim[];
  readonly constant?: readonly Dim[];
}

type Rule = (where: string, inputs: readonly (InferInput | undefined)[], attributes: Readonly<Record<string, Attribute>>) => InferOutput[];

/** The opset the builder writes and every rule here follows. */
export const OPSET_VERSION = 17;

export function supportedOps(): string[] {
  return [...Object.keys(RULES)].sort();
}

export function inferNode(node: GraphNode, inputs: readonly (InferInput | undefined)[]): InferOutput[] {
  const where = `node ${JSON.stringify(node.name)} (${node.opType})`;
  const rule = RULES[node.opType];
  if (rule === undefined) throw new InvalidGraphError(where, `operator ${node.opType} is not one the builder supports (${supportedOps().join(', ')})`);
  const outs = rule(where, inputs, node.attributes);
  if (node.outputs.length > outs.length) throw new InvalidGraphError(where, `has ${node.outputs.length} outputs, the operator gives at most ${outs.length}`);
  return outs;
}

function need(where: string, inputs: readonly (InferInput | undefined)[], i: number, what: string): InferInput {
  const x = inputs[i];
  if (x === undefined) throw new InvalidGraphError(where, `input ${i} (${what}) is required`);
  return x;
}

function intAttr(where: string, attrs: Readonly<Record<string, Attribute>>, name: string, fallback?: number): number {
  const a = attrs[name];
  if (a === undefined) {
    if (fallback === undefined) throw new InvalidGraphError(where, `attribute ${name} is required`);
    return fallback;
  }
  if (a.kind !== 'int') throw new InvalidGraphError(where, `attribute ${name} must be an int, got ${a.kind}`);
  return a.value;
}

function intsAttr(where: string, attrs: Readonly<Record<string, Attribute>>, name: string): readonly number[] | undefined {
  const a = attrs[name];
  if (a === undefined) return undefined;
  if (a.kind !== 'ints') throw new InvalidGraphError(where, `attribute ${name} must be ints, got ${a.kind}`);
  return a.value;
}

function constantOf(where: string, x: InferInput, what: string): readonly number[] {
  if (x.constant === undefined) throw new InvalidGraphError(where, `${what} must be an int64 initializer so that shapes can be checked`);
  const c = x.constant;
  if (c.some((v) => typeof v !== 'number')) throw new InvalidGraphError(where, `${what} [${c.join(', ')}] must be known numbers`);
  return c as readonly number[];
}

/** Like constantOf, but symbolic entries (a batch size read with Shape) are allowed. */
function dimsOf(where: string, x: InferInput, what: string): readonly Dim[] {
  if (x.constant === undefined) throw new InvalidGraphError(where, `${what} must be known before run time (an int64 initializer or derived from Shape)`);
  return x.constant;
}

function float(where: string, x: InferInput, what: string): void {
  if (x.dtype !== 'float32') throw new ShapeMismatchError(where, `${what} must be float32, got ${x.dtype}`);
}

const unary: Rule = (where, inputs) => {
  const x = need(where, inputs, 0, 'X');
  float(where, x, 'X');
  return [{ dtype: x.dtype, shape: [...x.shape] }];
};

const binary: Rule = (where, inputs) => {
  const a = need(where, inputs, 0, 'A');
  const b = need(where, inputs, 1, 'B');
  if (a.dtype !== b.dtype) throw new ShapeMismatchError(where, `element types ${a.dtype} and ${b.dtype} differ`);
  return [{ dtype: a.dtype, shape: broadcast(where, a.shape, b.shape) }];
};

function matMulShape(where: string, a: Shape, b: Shape): Dim[] {
  if (a.length < 2 || b.length < 2) throw new ShapeMismatchError(where, `MatMul operands ${formatShape(a)} and ${formatShape(b)} must have rank 2 or more`);
  const k1 = a[a.length - 1]!;
  const k2 = b[b.length - 2]!;
  if (k1 !== k2) throw new ShapeMismatchError(where, `inner dimensions differ: ${formatShape(a)} x ${formatShape(b)}`);
  const batch = broadcast(where, a.slice(0, -2), b.slice(0, -2));
  return [...batch, a[a.length - 2]!, b[b.length - 1]!];
}

function product(dims: readonly Dim[]): { n: number; symbols: string[] } {
  let n = 1;
  const symbols: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else symbols.push(d);
  }
  return { n, symbols: symbols.sort() };
}

function reshape(where: string, input: Shape, target: readonly number[]): Dim[] {
  const out: (Dim | undefined)[] = target.map((t, i) => {
    if (t === 0) {
      if (i >= input.length) throw new ShapeMismatchError(where, `target ${formatShape(target)} copies dimension ${i}, beyond input ${formatShape(input)}`);
      return input[i]!;
    }
    if (t === -1) return undefined;
    if (!Number.isSafeInteger(t) || t < 0) throw new ShapeMismatchError(where, `target dimension ${t} is invalid`);
    return t;
  });
  const unknown = out.filter((d) => d === undefined).length;
  if (unknown > 1) throw new ShapeMismatchError(where, `target ${formatShape(target)} has more than one -1`);
  const have = product(input);
  const known = product(out.filter((d): d is Dim => d !== undefined));
  // Symbolic dimensions must cancel: a batch dimension can be carried through (0) or left to -1, never split.
  const remaining = [...have.symbols];
  for (const s of known.symbols) {
    const i = remaining.indexOf(s);
    if (i < 0) throw new ShapeMismatchError(where, `target ${formatShape(out.map((d) => d ?? -1))} has a dimension ${s} the input ${formatShape(input)} lacks`);
    remaining.splice(i, 1);
  }
  if (unknown === 0) {
    if (remaining.length > 0 || have.n !== known.n) throw new ShapeMismatchError(where, `cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
    return out as Dim[];
  }
  if (have.n % known.n !== 0) throw new ShapeMismatchError(where, `cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
  const rest = have.n / known.n;
  let fill: Dim;
  if (remaining.length === 0) fill = rest;
  else if (remaining.length === 1 && rest === 1) fill = remaining[0]!;
  else throw new ShapeMismatchError(where, `the -1 of ${formatShape(target)} would mix dimensions ${remaining.join(', ')} of ${formatShape(input)}`);
  return out.map((d) => d ?? fill);
}

/** Slice bounds on one dimension, numpy-style clamping; a symbolic dimension can only be taken whole. */
function sliceDim(where: string, d: Dim, start: number, end: number, step: number): Dim {
  if (step === 0) throw new ShapeMismatchError(where, 'slice step 0');
  if (typeof d === 'string') {
    if (step === 1 && start === 0 && end >= Number.MAX_SAFE_INTEGER) return d;
    throw new ShapeMismatchError(where, `cannot slice the symbolic dimension ${d} except whole`);
  }
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (step > 0) {
    const s = clamp(start < 0 ? start + d : start, 0, d);
    const e = clamp(end < 0 ? end + d : end, 0, d);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  const s = clamp(start < 0 ? start + d : start, -1, d - 1);
  const e = clamp(end < 0 ? end + d : end, -1, d - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

const RULES: Record<string, Rule> = {
  Relu: unary,
  Sigmoid: unary,
  Tanh: unary,
  Exp: unary,
  Neg: unary,
  Abs: unary,
  Sqrt: unary,
  Reciprocal: unary,
  Softplus: unary,
  Identity: (where, inputs) => {
    const x = need(where, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  Elu: unary,
  HardSigmoid: unary,
  LeakyRelu: unary,
  Softmax: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'input');
    float(where, x, 'input');
    normaliseAxis(where, intAttr(where, attrs, 'axis', -1), x.shape.length);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Pow: binary,
  MatMul: (where, inputs) => {
    const a = need(where, inputs, 0, 'A');
    const b = need(where, inputs, 1, 'B');
    float(where, a, 'A');
    float(where, b, 'B');
    return [{ dtype: 'float32', shape: matMulShape(where, a.shape, b.shape) }];
  },
  Gemm: (where, inputs, attrs) => {
    const a = need(where, inputs, 0, 'A');
    const b = need(where, inputs, 1, 'B');
    if (a.shape.length !== 2 || b.shape.length !== 2) throw new ShapeMismatchError(where, `Gemm needs 2-D operands, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
    const [m, ka] = intAttr(where, attrs, 'transA', 0) ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = intAttr(where, attrs, 'transB', 0) ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    if (ka !== kb) throw new ShapeMismatchError(where, `inner dimensions differ: ${formatShape(a.shape)} x ${formatShape(b.shape)}`);
    const c = inputs[2];
    if (c !== undefined) {
      const full = broadcast(where, [m, n], c.shape);
      if (full.length !== 2 || full[0] !== m || full[1] !== n) throw new ShapeMismatchError(where, `C ${formatShape(c.shape)} does not broadcast to [${m}, ${n}]`);
    }
    return [{ dtype: 'float32', shape: [m, n] }];
  },
  LayerNormalization: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'X');
    const scale = need(where, inputs, 1, 'Scale');
    const axis = normaliseAxis(where, intAttr(where, attrs, 'axis', -1), x.shape.length);
    const normalised = x.shape.slice(axis);
    const check = (t: InferInput, what: string) => {
      if (formatShape(t.shape) !== formatShape(normalised)) throw new ShapeMismatchError(where, `${what} ${formatShape(t.shape)} must be ${formatShape(normalised)}`);
    };
    check(scale, 'Scale');
    if (inputs[2] !== undefined) check(inputs[2], 'B');
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  LSTM: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'X');
    const w = need(where, inputs, 1, 'W');
    const r = need(where, inputs, 2, 'R');
    const h = intAttr(where, attrs, 'hidden_size');
    if (intAttr(where, attrs, 'layout', 0) !== 0) throw new InvalidGraphError(where, 'only layout 0 ([seq, batch, input]) is supported: onnxruntime refuses layout 1');
    const dirAttr = attrs.direction;
    const dirs = dirAttr?.kind === 'string' && dirAttr.value === 'bidirectional' ? 2 : 1;
    if (x.shape.length !== 3) throw new ShapeMismatchError(where, `X ${formatShape(x.shape)} must be [seq, batch, input]`);
    const [t, b, i] = x.shape as [Dim, Dim, Dim];
    const expect = (v: InferInput | undefined, shape: Dim[], what: string) => {
      if (v !== undefined && formatShape(v.shape) !== formatShape(shape)) throw new ShapeMismatchError(where, `${what} ${formatShape(v.shape)} must be ${formatShape(shape)}`);
    };
    expect(w, [dirs, 4 * h, i], 'W');
    expect(r, [dirs, 4 * h, h], 'R');
    expect(inputs[3], [dirs, 8 * h], 'B');
    if (inputs[4] !== undefined) throw new InvalidGraphError(where, 'sequence_lens is not supported: every sequence has the full length');
    expect(inputs[5], [dirs, b, h], 'initial_h');
    expect(inputs[6], [dirs, b, h], 'initial_c');
    if (inputs[7] !== undefined) throw new InvalidGraphError(where, 'peepholes are not supported');
    return [
      { dtype: 'float32', shape: [t, dirs, b, h] },
      { dtype: 'float32', shape: [dirs, b, h] },
      { dtype: 'float32', shape: [dirs, b, h] },
    ];
  },
  Transpose: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'data');
    const perm = intsAttr(where, attrs, 'perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    const sorted = [...perm].sort((p, q) => p - q);
    if (perm.length !== x.shape.length || sorted.some((p, i) => p !== i)) throw new ShapeMismatchError(where, `perm [${perm.join(', ')}] is not a permutation of rank ${x.shape.length}`);
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
  },
  Reshape: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'data');
    const target = constantOf(where, need(where, inputs, 1, 'shape'), 'shape');
    if (intAttr(where, attrs, 'allowzero', 0) !== 0) throw new InvalidGraphError(where, 'allowzero is not supported');
    return [{ dtype: x.dtype, shape: reshape(where, x.shape, target) }];
  },
  Concat: (where, inputs, attrs) => {
    const present = inputs.filter((x): x is InferInput => x !== undefined);
    if (present.length === 0) throw new InvalidGraphError(where, 'Concat needs at least one input');
    const first = present[0]!;
    const axis = normaliseAxis(where, intAttr(where, attrs, 'axis'), first.shape.length);
    let total: Dim = 0;
    for (const x of present) {
      if (x.shape.length !== first.shape.length || x.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new ShapeMismatchError(where, `inputs ${formatShape(first.shape)} and ${formatShape(x.shape)} differ outside axis ${axis}`);
      }
      const d = x.shape[axis]!;
      if (typeof d !== 'number' || typeof total !== 'number') throw new ShapeMismatchError(where, `cannot concatenate along the symbolic dimension ${String(d)}`);
      total += d;
    }
    const shape = [...first.shape];
    shape[axis] = total;
    const known = first.dtype === 'int64' && present.every((x) => x.constant !== undefined);
    return [{ dtype: first.dtype, shape, ...(known ? { constant: present.flatMap((x) => [...x.constant!]) } : {}) }];
  },
  Slice: (where, inputs) => {
    const x = need(where, inputs, 0, 'data');
    const starts = constantOf(where, need(where, inputs, 1, 'starts'), 'starts');
    const ends = constantOf(where, need(where, inputs, 2, 'ends'), 'ends');
    const axes = inputs[3] !== undefined ? constantOf(where, inputs[3], 'axes') : starts.map((_, i) => i);
    const steps = inputs[4] !== undefined ? constantOf(where, inputs[4], 'steps') : starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) throw new ShapeMismatchError(where, 'starts, ends, axes and steps differ in length');
    const shape = [...x.shape];
    axes.forEach((a, i) => {
      const axis = normaliseAxis(where, a, x.shape.length);
      shape[axis] = sliceDim(where, x.shape[axis]!, starts[i]!, ends[i]!, steps[i]!);
    });
    // Slicing a known 1-D int64 tensor (a Shape) with step 1 keeps its values known.
    if (x.constant !== undefined && x.shape.length === 1 && steps[0] === 1 && typeof shape[0] === 'number') {
      const n = x.constant.length;
      const start = Math.min(Math.max(starts[0]! < 0 ? starts[0]! + n : starts[0]!, 0), n);
      return [{ dtype: x.dtype, shape, constant: x.constant.slice(start, start + shape[0]) }];
    }
    return [{ dtype: x.dtype, shape }];
  },
  Squeeze: (where, inputs) => {
    const x = need(where, inputs, 0, 'data');
    const axes = constantOf(where, need(where, inputs, 1, 'axes'), 'axes').map((a) => normaliseAxis(where, a, x.shape.length));
    for (const a of axes) if (x.shape[a] !== 1) throw new ShapeMismatchError(where, `cannot squeeze dimension ${a} of ${formatShape(x.shape)}`);
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  Unsqueeze: (where, inputs) => {
    const x = need(where, inputs, 0, 'data');
    const rank = x.shape.length + constantOf(where, need(where, inputs, 1, 'axes'), 'axes').length;
    const axes = constantOf(where, inputs[1]!, 'axes').map((a) => normaliseAxis(where, a, rank));
    if (new Set(axes).size !== axes.length) throw new ShapeMismatchError(where, `repeated axes [${axes.join(', ')}]`);
    const rest = [...x.shape];
    const shape: Dim[] = [];
    for (let i = 0; i < rank; i++) shape.push(axes.includes(i) ? 1 : rest.shift()!);
    return [{ dtype: x.dtype, shape }];
  },
  ReduceMean: (where, inputs, attrs) => {
    // Opset 17 still takes ReduceMean's axes as an attribute (an input from opset 18).
    const x = need(where, inputs, 0, 'data');
    const axes = (intsAttr(where, attrs, 'axes') ?? x.shape.map((_, i) => i)).map((a) => normaliseAxis(where, a, x.shape.length));
    const keep = intAttr(where, attrs, 'keepdims', 1) !== 0;
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dtype: x.dtype, shape }];
  },
  ReduceSum: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'data');
    const axes = (inputs[1] !== undefined ? constantOf(where, inputs[1], 'axes') : x.shape.map((_, i) => i)).map((a) => normaliseAxis(where, a, x.shape.length));
    const keep = intAttr(where, attrs, 'keepdims', 1) !== 0;
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    return [{ dtype: x.dtype, shape }];
  },
  Split: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'input');
    const axis = normaliseAxis(where, intAttr(where, attrs, 'axis', 0), x.shape.length);
    const sizes = constantOf(where, need(where, inputs, 1, 'split'), 'split');
    const d = x.shape[axis]!;
    if (typeof d !== 'number' || sizes.reduce((s, v) => s + v, 0) !== d) throw new ShapeMismatchError(where, `split [${sizes.join(', ')}] does not add up to dimension ${axis} of ${formatShape(x.shape)}`);
    return sizes.map((s) => {
      const shape = [...x.shape];
      shape[axis] = s;
      return { dtype: x.dtype, shape };
    });
  },
  Gather: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'data');
    const idx = need(where, inputs, 1, 'indices');
    if (idx.dtype !== 'int64') throw new ShapeMismatchError(where, `indices must be int64, got ${idx.dtype}`);
    const axis = normaliseAxis(where, intAttr(where, attrs, 'axis', 0), x.shape.length);
    const d = x.shape[axis]!;
    if (idx.constant !== undefined && typeof d === 'number') {
      for (const i of constantOf(where, idx, 'indices')) if (i < -d || i >= d) throw new ShapeMismatchError(where, `index ${i} is out of range for dimension ${axis} of ${formatShape(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)] }];
  },
  Expand: (where, inputs) => {
    const x = need(where, inputs, 0, 'input');
    const target = dimsOf(where, need(where, inputs, 1, 'shape'), 'shape');
    return [{ dtype: x.dtype, shape: broadcast(where, x.shape, target) }];
  },
  Shape: (where, inputs, attrs) => {
    const x = need(where, inputs, 0, 'data');
    if (attrs.start !== undefined || attrs.end !== undefined) throw new InvalidGraphError(where, 'start and end are not supported: Slice the shape instead');
    return [{ dtype: 'int64', shape: [x.shape.length], constant: [...x.shape] }];
  },
};
