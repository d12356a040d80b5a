import { GraphBuilder } from '../src/builder';
import { DuplicateNameError, InvalidGraphError, ShapeMismatchError, UndefinedTensorError } from '../src/errors';
import type { Initializer, OnnxGraph } from '../src/graph';
import { attr } from '../src/graph';
import { serializeModel } from '../src/serialize';
import { validateGraph } from '../src/validate';

const f32 = (n: number) => new Float32Array(n).fill(0.5);
/** `g`'s initializers with `name` replaced by a float32 tensor of `data` (and `shape`, else its own). */
const replaced = (g: OnnxGraph, name: string, data: Float32Array, shape?: readonly number[]): Initializer[] =>
  g.initializers.map((i): Initializer => (i.name === name ? { name, dtype: 'float32', shape: shape ?? i.shape, data } : i));

/** A valid graph y = relu(x·w + b), x [batch, 3], w [3, 2]. */
function base(): OnnxGraph {
  return {
    name: 'g',
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', 3] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 2] }],
    initializers: [
      { name: 'w', dtype: 'float32', shape: [3, 2], data: f32(6) },
      { name: 'b', dtype: 'float32', shape: [2], data: f32(2) },
    ],
    nodes: [
      { name: 'mm', opType: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'], attributes: {} },
      { name: 'add', opType: 'Add', inputs: ['xw', 'b'], outputs: ['z'], attributes: {} },
      { name: 'relu', opType: 'Relu', inputs: ['z'], outputs: ['y'], attributes: {} },
    ],
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as Error).name}:${(e as { code: string }).code}:${(e as Error).message}`;
  }
  return 'no error';
}

describe('validateGraph', () => {
  test('accepts a consistent graph and infers every tensor', () => {
    const { tensors } = validateGraph(base());
    expect(tensors.get('xw')?.shape).toEqual(['batch', 2]);
    expect(tensors.get('y')?.shape).toEqual(['batch', 2]);
  });

  test('a node reading a tensor nothing defines', () => {
    const g = base();
    const nodes = [...g.nodes];
    nodes[1] = { ...nodes[1]!, inputs: ['xw', 'bias'] };
    expect(() => validateGraph({ ...g, nodes })).toThrow(UndefinedTensorError);
    expect(code(() => validateGraph({ ...g, nodes }))).toMatch(/^UndefinedTensorError:ONNX_UNDEFINED_TENSOR:node "add" \(Add\) reads tensor "bias"/);
  });

  test('a node reading a tensor defined only by a later node (not topological)', () => {
    const g = base();
    const nodes = [g.nodes[1]!, g.nodes[0]!, g.nodes[2]!];
    expect(code(() => validateGraph({ ...g, nodes }))).toMatch(/ONNX_UNDEFINED_TENSOR.*"xw"/);
  });

  test('duplicate tensor names: two producers, or an initializer shadowing an input', () => {
    const g = base();
    const twice = [...g.nodes];
    twice[2] = { ...twice[2]!, outputs: ['z'] };
    expect(code(() => validateGraph({ ...g, nodes: twice }))).toMatch(/^DuplicateNameError:ONNX_DUPLICATE_NAME:tensor name "z"/);
    expect(() => validateGraph({ ...g, initializers: [...g.initializers, { name: 'x', dtype: 'float32', shape: [1], data: f32(1) }] })).toThrow(DuplicateNameError);
  });

  test('duplicate node names', () => {
    const g = base();
    const nodes = [...g.nodes];
    nodes[2] = { ...nodes[2]!, name: 'mm' };
    expect(code(() => validateGraph({ ...g, nodes }))).toMatch(/ONNX_DUPLICATE_NAME:node name "mm"/);
  });

  test('inconsistent shapes: MatMul inner dimensions, a bias that does not broadcast', () => {
    const g = base();
    const wrongW = replaced(g, 'w', f32(6), [2, 3]);
    expect(code(() => validateGraph({ ...g, initializers: wrongW }))).toMatch(/^ShapeMismatchError:ONNX_SHAPE_MISMATCH:node "mm" \(MatMul\): inner dimensions differ: \[batch, 3\] x \[2, 3\]/);
    const wrongB = replaced(g, 'b', f32(3), [3]);
    expect(code(() => validateGraph({ ...g, initializers: wrongB }))).toMatch(/node "add" \(Add\): shapes \[batch, 2\] and \[3\] do not broadcast/);
  });

  test('a declared output shape that differs from the computed one', () => {
    const g = base();
    expect(code(() => validateGraph({ ...g, outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 3] }] }))).toMatch(
      /graph output "y": declared float32 \[batch, 3\], computed float32 \[batch, 2\]/,
    );
    expect(() => validateGraph({ ...g, outputs: [{ name: 'nope', dtype: 'float32', shape: ['batch', 2] }] })).toThrow(UndefinedTensorError);
  });

  test('an initializer whose data does not fill its shape', () => {
    const g = base();
    const inits = replaced(g, 'w', f32(5));
    expect(code(() => validateGraph({ ...g, initializers: inits }))).toMatch(/initializer "w": holds 5 values, shape \[3, 2\] needs 6/);
  });

  test('a non-finite weight', () => {
    const g = base();
    const data = f32(6);
    data[4] = NaN;
    const inits = replaced(g, 'w', data);
    expect(code(() => validateGraph({ ...g, initializers: inits }))).toMatch(/ONNX_INVALID_GRAPH:initializer "w": value NaN at index 4 is not finite/);
  });

  test('an operator the builder does not know, a bad input dimension', () => {
    const g = base();
    const nodes = [...g.nodes];
    nodes[2] = { ...nodes[2]!, opType: 'Rellu' };
    expect(() => validateGraph({ ...g, nodes })).toThrow(InvalidGraphError);
    expect(code(() => validateGraph({ ...g, inputs: [{ name: 'x', dtype: 'float32', shape: [0, 3] }] }))).toMatch(/graph input "x": dimension 0 is not a positive integer/);
    expect(code(() => validateGraph({ ...g, inputs: [{ name: 'x', dtype: 'float32', shape: ['bad dim', 3] }] }))).toMatch(/symbolic dimension "bad dim"/);
  });

  test('serializeModel validates first, and refuses duplicate metadata keys', () => {
    const g = base();
    expect(() => serializeModel({ ...g, outputs: [] }, [])).toThrow(InvalidGraphError);
    expect(() => serializeModel(g, [{ key: 'a', value: '1' }, { key: 'a', value: '2' }])).toThrow(DuplicateNameError);
  });
});

describe('GraphBuilder', () => {
  test('checks each node as it is added', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', ['batch', 4]);
    const w = b.weight('w', f32(15), [5, 3]);
    expect(() => b.matMul(x, w)).toThrow(ShapeMismatchError);
  });

  test('reshape keeps the symbolic batch through 0 and infers -1, and refuses to split it', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', ['batch', 6, 4]);
    expect(b.reshape(x, [0, -1]).shape).toEqual(['batch', 24]);
    expect(b.reshape(x, [-1, 6, 4]).shape).toEqual(['batch', 6, 4]);
    expect(() => b.reshape(x, [-1, 4])).toThrow(/would mix dimensions batch/);
    expect(b.reshape(x, [0, 3, 8]).shape).toEqual(['batch', 3, 8]);
    expect(() => b.reshape(x, [0, 5, -1])).toThrow(ShapeMismatchError);
    expect(() => b.reshape(x, [2, -1])).toThrow(/would mix dimensions batch/);
  });

  test('slicing, concatenation, squeeze and the LSTM operator check their shapes', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', ['batch', 10, 3]);
    expect(b.slice(x, 1, 7, 10).shape).toEqual(['batch', 3, 3]);
    expect(b.slice(x, 1, -4, 100).shape).toEqual(['batch', 4, 3]);
    expect(() => b.slice(x, 0, 0, 1)).toThrow(/cannot slice the symbolic dimension batch/);
    const y = b.input('y', ['batch', 10, 2]);
    expect(b.concat([x, y], -1).shape).toEqual(['batch', 10, 5]);
    const z = b.input('z', ['batch', 9, 2]);
    expect(() => b.concat([x, z], -1)).toThrow(/differ outside axis 2/);
    expect(() => b.squeeze(x, [1])).toThrow(/cannot squeeze dimension 1/);
    const seq = b.transpose(x, [1, 0, 2]);
    expect(() =>
      b.op('LSTM', [seq, b.weight('W', f32(1 * 16 * 2), [1, 16, 2]), b.weight('R', f32(1 * 16 * 4), [1, 16, 4])], { hidden_size: attr.int(4) }, 3),
    ).toThrow(/W \[1, 16, 2\] must be \[1, 16, 3\]/);
  });

  test('names are scoped and a second tensor of the same name is refused', () => {
    const b = new GraphBuilder('g');
    const x = b.input('x', ['batch', 2]);
    const y = b.scope('enc', () => b.scope('grn', () => b.relu(x)));
    expect(y.name).toBe('enc/grn/Relu_0');
    b.scope('enc', () => b.weight('w', f32(2), [2]));
    expect(() => b.scope('enc', () => b.weight('w', f32(2), [2]))).toThrow(DuplicateNameError);
    expect(() => b.input('x', [2])).toThrow(DuplicateNameError);
  });

  test('a tensor from another builder is refused', () => {
    const a = new GraphBuilder('a');
    const b = new GraphBuilder('b');
    const x = a.input('x', [2]);
    b.input('y', [2]);
    expect(() => b.relu(x)).toThrow(/belongs to another graph/);
  });
});
