/**
 * Layers written as ONNX subgraphs, each taking its weights in the layout TensorFlow.js keeps
 * them (Dense kernels [in, out], LSTM kernels [in, 4·units] with gates i, f, c, o).
 */
import type { GraphBuilder } from './builder';
import { UnsupportedModelError } from './errors';
import { attr, type TensorRef } from './graph';

export interface DenseWeights {
  /** [in, out], row-major, as tfjs stores a Dense kernel. */
  readonly kernel: Float32Array;
  /** [out], or absent for a layer without bias. */
  readonly bias?: Float32Array;
}

/** x·kernel + bias on the last axis of `x` (any rank); onnxruntime fuses the pair into one GEMM. */
export function dense(b: GraphBuilder, name: string, x: TensorRef, w: DenseWeights, inDim: number, outDim: number): TensorRef {
  return b.scope(name, () => {
    const y = b.matMul(x, b.weight('kernel', w.kernel, [inDim, outDim]));
    return w.bias === undefined ? y : b.add(y, b.weight('bias', w.bias, [outDim]));
  });
}

export type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu' | 'hardSigmoid';

export function activation(b: GraphBuilder, x: TensorRef, kind: Activation): TensorRef {
  switch (kind) {
    case 'linear':
      return x;
    case 'relu':
      return b.relu(x);
    case 'sigmoid':
      return b.sigmoid(x);
    case 'tanh':
      return b.tanh(x);
    case 'elu':
      return b.elu(x, 1);
    case 'hardSigmoid':
      // tfjs's hardSigmoid is clip(0.2·x + 0.5, 0, 1), ONNX's HardSigmoid with its default alpha and beta.
      return b.op1('HardSigmoid', [x], { alpha: attr.float(0.2), beta: attr.float(0.5) });
  }
}

export interface LstmWeights {
  /** [in, 4·units], gates i, f, c, o (Keras and tfjs). */
  readonly kernel: Float32Array;
  /** [units, 4·units], gates i, f, c, o. */
  readonly recurrentKernel: Float32Array;
  /** [4·units], gates i, f, c, o. */
  readonly bias: Float32Array;
}

export interface LstmOptions {
  readonly inputSize: number;
  readonly units: number;
  /** The gate activation (tfjs calls it recurrentActivation; its layers default to hardSigmoid). */
  readonly recurrentActivation?: 'sigmoid' | 'hardSigmoid';
  /** The cell and output activation. */
  readonly activation?: 'tanh';
  /** [batch, units] initial hidden and cell states (a decoder continuing an encoder); zero when absent. */
  readonly initialHidden?: TensorRef;
  readonly initialCell?: TensorRef;
}

export interface LstmOutputs {
  /** [seq, batch, units]: the hidden state at every step. */
  readonly sequence: TensorRef;
  /** [batch, units]: the last hidden state. */
  readonly lastHidden: TensorRef;
  /** [batch, units]: the last cell state. */
  readonly lastCell: TensorRef;
}

/** Where tfjs gate g (i, f, c, o) goes in ONNX's order (i, o, f, c). */
const ONNX_GATE_OF_TFJS = [0, 2, 3, 1];

/**
 * Reorders tfjs LSTM weights into ONNX's W [1, 4H, in], R [1, 4H, H] and B [1, 8H]: ONNX keeps
 * gates in the order i, o, f, c and stores each gate's weights transposed (rows = units).
 */
export function lstmOnnxWeights(w: LstmWeights, inputSize: number, units: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const H = units;
  const check = (what: string, got: number, want: number) => {
    if (got !== want) throw new UnsupportedModelError(`LSTM ${what}`, `holds ${got} values, ${inputSize} inputs and ${H} units need ${want}`);
  };
  check('kernel', w.kernel.length, inputSize * 4 * H);
  check('recurrentKernel', w.recurrentKernel.length, H * 4 * H);
  check('bias', w.bias.length, 4 * H);
  const W = new Float32Array(4 * H * inputSize);
  const R = new Float32Array(4 * H * H);
  const B = new Float32Array(8 * H);
  for (let g = 0; g < 4; g++) {
    const og = ONNX_GATE_OF_TFJS[g]!;
    for (let u = 0; u < H; u++) {
      const col = g * H + u;
      const row = og * H + u;
      for (let k = 0; k < inputSize; k++) W[row * inputSize + k] = w.kernel[k * 4 * H + col]!;
      for (let k = 0; k < H; k++) R[row * H + k] = w.recurrentKernel[k * 4 * H + col]!;
      // tfjs has one bias per gate; ONNX adds an input bias and a recurrent bias, left at 0.
      B[row] = w.bias[col]!;
    }
  }
  return { W, R, B };
}

/**
 * One LSTM layer as ONNX's LSTM operator (onnxruntime runs it as one fused kernel). `x` is
 * [seq, batch, in]: onnxruntime only runs layout 0, so a [batch, seq, in] input is transposed
 * once by the caller. Initial states are zero unless given.
 */
export function lstm(b: GraphBuilder, name: string, x: TensorRef, w: LstmWeights, options: LstmOptions): LstmOutputs {
  const { inputSize, units } = options;
  const gate = options.recurrentActivation ?? 'sigmoid';
  return b.scope(name, () => {
    const { W, R, B } = lstmOnnxWeights(w, inputSize, units);
    const attrs = {
      hidden_size: attr.int(units),
      direction: attr.string('forward'),
      activations: attr.strings([gate === 'hardSigmoid' ? 'HardSigmoid' : 'Sigmoid', 'Tanh', 'Tanh']),
      ...(gate === 'hardSigmoid' ? { activation_alpha: attr.floats([0.2]), activation_beta: attr.floats([0.5]) } : {}),
    };
    const h0 = options.initialHidden === undefined ? undefined : b.unsqueeze(options.initialHidden, [0]);
    const c0 = options.initialCell === undefined ? undefined : b.unsqueeze(options.initialCell, [0]);
    const W_ = b.weight('W', W, [1, 4 * units, inputSize]);
    const R_ = b.weight('R', R, [1, 4 * units, units]);
    const B_ = b.weight('B', B, [1, 8 * units]);
    const [y, yh, yc] = b.op('LSTM', [x, W_, R_, B_, undefined, h0, c0], attrs, 3);
    return { sequence: b.squeeze(y!, [1]), lastHidden: b.squeeze(yh!, [0]), lastCell: b.squeeze(yc!, [0]) };
  });
}

export interface LayerNormWeights {
  readonly gamma: Float32Array;
  readonly beta: Float32Array;
}

/** Layer normalisation over the last axis (ONNX LayerNormalization, opset 17): (x − mean)/√(var + ε)·γ + β. */
export function layerNorm(b: GraphBuilder, name: string, x: TensorRef, w: LayerNormWeights, size: number, epsilon: number): TensorRef {
  return b.scope(name, () => b.layerNorm(x, b.weight('gamma', w.gamma, [size]), b.weight('beta', w.beta, [size]), epsilon));
}
