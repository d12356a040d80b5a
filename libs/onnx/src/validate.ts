import { DuplicateNameError, InvalidGraphError, ShapeMismatchError, UndefinedTensorError } from './errors';
import type { OnnxGraph } from './graph';
import { inferNode, type InferInput } from './ops';
import { checkDim, elementCount, formatShape, sameShape, type Dim } from './shape';

export interface ValidatedGraph {
  /** Every tensor of the graph with its inferred element type and shape. */
  readonly tensors: ReadonlyMap<string, { readonly dtype: InferInput['dtype']; readonly shape: readonly Dim[] }>;
}

/**
 * Checks a graph before it is written: names unique (tensors and nodes), every node input defined
 * by a graph input, an initializer or an earlier node, initializer sizes, every node's shapes
 * consistent (by the rules of ops.ts), and each declared graph output equal to what its
 * producer gives. Throws the first problem as a typed error; returns the inferred tensors.
 */
export function validateGraph(graph: OnnxGraph): ValidatedGraph {
  const tensors = new Map<string, InferInput>();
  const define = (name: string, value: InferInput) => {
    if (name === '') throw new InvalidGraphError(`graph ${JSON.stringify(graph.name)}`, 'a tensor has an empty name');
    if (tensors.has(name)) throw new DuplicateNameError('tensor', name);
    tensors.set(name, value);
  };

  for (const input of graph.inputs) {
    input.shape.forEach((d) => checkDim(`graph input ${JSON.stringify(input.name)}`, d));
    define(input.name, { dtype: input.dtype, shape: input.shape });
  }
  for (const init of graph.initializers) {
    const where = `initializer ${JSON.stringify(init.name)}`;
    init.shape.forEach((d) => {
      // A zero-length dimension is legal for an initializer (an empty axes list), never for an input.
      if (!Number.isSafeInteger(d) || d < 0) throw new ShapeMismatchError(where, `dimension ${d} is not a non-negative integer`);
    });
    if (init.data.length !== elementCount(init.shape)) {
      throw new ShapeMismatchError(where, `holds ${init.data.length} values, shape ${formatShape(init.shape)} needs ${elementCount(init.shape)}`);
    }
    if (init.dtype === 'float32') {
      for (let i = 0; i < init.data.length; i++) {
        if (!Number.isFinite(init.data[i]!)) throw new InvalidGraphError(where, `value ${init.data[i]} at index ${i} is not finite`);
      }
    }
    define(init.name, {
      dtype: init.dtype,
      shape: init.shape,
      ...(init.dtype === 'int64' ? { constant: Array.from(init.data, (v) => Number(v)) } : {}),
    });
  }

  const nodeNames = new Set<string>();
  for (const node of graph.nodes) {
    if (node.name === '') throw new InvalidGraphError(`a ${node.opType} node`, 'has an empty name');
    if (nodeNames.has(node.name)) throw new DuplicateNameError('node', node.name);
    nodeNames.add(node.name);
    const inputs = node.inputs.map((name) => {
      if (name === '') return undefined;
      const t = tensors.get(name);
      if (t === undefined) throw new UndefinedTensorError(name, `node ${JSON.stringify(node.name)} (${node.opType})`);
      return t;
    });
    const outs = inferNode(node, inputs);
    node.outputs.forEach((name, i) => {
      if (name !== '') define(name, outs[i]!);
    });
  }

  if (graph.outputs.length === 0) throw new InvalidGraphError(`graph ${JSON.stringify(graph.name)}`, 'has no outputs');
  for (const out of graph.outputs) {
    const t = tensors.get(out.name);
    if (t === undefined) throw new UndefinedTensorError(out.name, 'graph output');
    if (t.dtype !== out.dtype || !sameShape(t.shape, out.shape)) {
      throw new ShapeMismatchError(`graph output ${JSON.stringify(out.name)}`, `declared ${out.dtype} ${formatShape(out.shape)}, computed ${t.dtype} ${formatShape(t.shape)}`);
    }
  }
  return { tensors };
}
