import type { SeededRandom } from './random';
import { tf } from './tf';

/**
 * The few operations the models are written in. Each maps to plain ONNX ops (MatMul, Add, Mul,
 * Sigmoid, Tanh, Relu, Elu, Softmax, ReduceMean, Sqrt, Div), so the README's equations and an
 * exporter's graph can be the same thing.
 */

/**
 * tf.unstack, except along an axis of length 1: tfjs's gradient of a one-output Unpack hands
 * `stack` a tensor instead of a list and throws, so that case is a squeeze.
 */
export function unstack(x: tf.Tensor, axis: number): tf.Tensor[] {
  return x.shape[axis] === 1 ? [tf.squeeze(x, [axis])] : tf.unstack(x, axis);
}

/** x [..., in] · kernel [in, out] + bias [out] → [..., out]. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.shape.length - 1]!;
  const outDim = kernel.shape[1]!;
  const lead = x.shape.slice(0, -1);
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inDim]);
  let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, kernel as tf.Tensor2D);
  if (bias) y = tf.add(y, bias);
  return x.rank === 2 ? y : y.reshape([...lead, outDim]);
}

/** Layer normalisation over the last axis: (x − mean) / sqrt(var + eps) · gamma + beta, biased variance. */
export const LAYER_NORM_EPSILON = 1e-5;
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const axis = x.rank - 1;
  const mean = tf.mean(x, axis, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axis, true);
  return tf.add(tf.mul(tf.div(centered, tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON))), gamma), beta);
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1/(1 − rate), during training only. The mask comes from `rng`, so a seeded run is repeatable.
 */
export function dropout(x: tf.Tensor, rate: number, rng: SeededRandom | undefined): tf.Tensor {
  if (rate <= 0 || rng === undefined) return x;
  const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', rng.seed()), rate), 'float32');
  return tf.mul(x, tf.mul(keep, 1 / (1 - rate)));
}

/**
 * One LSTM layer over a sequence whose input projection x·W + b is already computed for every
 * step (one MatMul for the whole sequence instead of one per step).
 *
 *   z_t = xProj_t + h_{t−1} · U            (gate order in the last axis: i, f, g, o)
 *   i = σ(z[0:n]), f = σ(z[n:2n]), g = tanh(z[2n:3n]), o = σ(z[3n:4n])
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
 *
 * xProj [B, T, 4n], recurrent U [n, 4n]; returns every h_t as [B, T, n] and the last (h, c).
 */
export function lstmSequence(
  xProj: tf.Tensor3D,
  recurrent: tf.Tensor2D,
  h0: tf.Tensor2D,
  c0: tf.Tensor2D,
): { outputs: tf.Tensor3D; h: tf.Tensor2D; c: tf.Tensor2D } {
  const n = recurrent.shape[0];
  const steps = unstack(xProj, 1) as tf.Tensor2D[];
  let h = h0;
  let c = c0;
  const outputs: tf.Tensor2D[] = [];
  for (const x of steps) {
    const z = tf.add(x, tf.matMul(h, recurrent));
    const [zi, zf, zg, zo] = tf.split(z, [n, n, n, n], 1) as tf.Tensor2D[];
    c = tf.add(tf.mul(tf.sigmoid(zf!), c), tf.mul(tf.sigmoid(zi!), tf.tanh(zg!)));
    h = tf.mul(tf.sigmoid(zo!), tf.tanh(c));
    outputs.push(h);
  }
  return { outputs: tf.stack(outputs, 1) as tf.Tensor3D, h, c };
}
