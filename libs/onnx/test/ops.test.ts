// Each building block the exporters use, run in onnxruntime-node against tfjs (CPU backend) on
// the same random inputs and weights: the maximum absolute difference must stay under 1e-5.
import { GraphBuilder } from '../src/builder';
import { attr } from '../src/graph';
import { activation, dense, layerNorm, lstm, type Activation } from '../src/blocks';
import { causalMask, scaledDotProductAttention } from '../src/attention';
import { seasonalityBasis, trendBasis } from '@meridian/models';
import { maxAbsDiff, randomArray, rngFor, runOrt, tf, values } from './helpers';

const TOL = 1e-5;

describe('dense (MatMul + Add)', () => {
  test.each([
    ['2-D input', [5, 7]],
    ['3-D input', [3, 4, 7]],
  ])('%s matches tf.layers.dense', async (_label, shape) => {
    const rng = rngFor(1);
    const inDim = 7;
    const outDim = 6;
    const kernel = randomArray(rng, inDim * outDim);
    const bias = randomArray(rng, outDim);
    const x = randomArray(rng, shape.reduce((a, b) => a * b, 1));
    const b = new GraphBuilder('dense');
    const input = b.input('x', ['batch', ...shape.slice(1)]);
    b.output(dense(b, 'd', input, { kernel, bias }, inDim, outDim), 'y');
    const { y } = await runOrt(b.build(), { x: { data: x, dims: shape } });

    const layer = tf.layers.dense({ units: outDim, inputShape: [inDim] });
    layer.build([null, inDim]);
    layer.setWeights([tf.tensor(kernel, [inDim, outDim]), tf.tensor(bias, [outDim])]);
    const ref = values(layer.apply(tf.tensor(x, shape)) as tf.Tensor);
    expect(y!.dims).toEqual([...shape.slice(0, -1), outDim]);
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });

  test('Gemm with transB matches tf.matMul', async () => {
    const rng = rngFor(2);
    const a = randomArray(rng, 4 * 5);
    const w = randomArray(rng, 3 * 5); // [out, in]: transposed
    const c = randomArray(rng, 3);
    const b = new GraphBuilder('gemm');
    const x = b.input('a', ['batch', 5]);
    b.output(b.op1('Gemm', [x, b.weight('w', w, [3, 5]), b.weight('c', c, [3])], { transB: attr.int(1) }), 'y');
    const { y } = await runOrt(b.build(), { a: { data: a, dims: [4, 5] } });
    const ref = values(tf.add(tf.matMul(tf.tensor(a, [4, 5]), tf.tensor(w, [3, 5]), false, true), tf.tensor(c, [3])));
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });
});

describe('activations', () => {
  const tfActivation: Record<Activation, (t: tf.Tensor) => tf.Tensor> = {
    linear: (t) => t,
    relu: (t) => tf.relu(t),
    sigmoid: (t) => tf.sigmoid(t),
    tanh: (t) => tf.tanh(t),
    elu: (t) => tf.elu(t),
    // tfjs-layers' hardSigmoid, applied the way its LSTM applies it.
    hardSigmoid: (t) => tf.layers.activation({ activation: 'hardSigmoid' }).apply(t) as tf.Tensor,
  };
  test.each(Object.keys(tfActivation) as Activation[])('%s', async (kind) => {
    const rng = rngFor(3);
    const x = randomArray(rng, 6 * 9, 4);
    const b = new GraphBuilder('act');
    const input = b.input('x', ['batch', 9]);
    b.output(b.op1('Identity', [activation(b, input, kind)]), 'y');
    const { y } = await runOrt(b.build(), { x: { data: x, dims: [6, 9] } });
    const ref = values(tfActivation[kind](tf.tensor(x, [6, 9])));
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });

  test.each([-1, 1])('softmax on axis %i', async (axis) => {
    const rng = rngFor(4);
    const x = randomArray(rng, 2 * 5 * 3, 6);
    const b = new GraphBuilder('softmax');
    const input = b.input('x', ['batch', 5, 3]);
    b.output(b.softmax(input, axis), 'y');
    const { y } = await runOrt(b.build(), { x: { data: x, dims: [2, 5, 3] } });
    const t = tf.tensor(x, [2, 5, 3]);
    const ref = values(axis === -1 ? tf.softmax(t) : tf.transpose(tf.softmax(tf.transpose(t, [0, 2, 1])), [0, 2, 1]));
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });
});

describe('LayerNormalization', () => {
  test.each([1e-3, 1e-6])('matches tf.layers.layerNormalization with epsilon %f', async (epsilon) => {
    const rng = rngFor(5);
    const size = 16;
    const x = randomArray(rng, 3 * 4 * size, 3);
    const gamma = randomArray(rng, size);
    const beta = randomArray(rng, size);
    const b = new GraphBuilder('ln');
    const input = b.input('x', ['batch', 4, size]);
    b.output(layerNorm(b, 'ln', input, { gamma, beta }, size, epsilon), 'y');
    const { y } = await runOrt(b.build(), { x: { data: x, dims: [3, 4, size] } });
    const layer = tf.layers.layerNormalization({ axis: -1, epsilon });
    layer.build([null, 4, size]);
    layer.setWeights([tf.tensor(gamma), tf.tensor(beta)]);
    const ref = values(layer.apply(tf.tensor(x, [3, 4, size])) as tf.Tensor);
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });
});

describe('LSTM (ONNX gate order i, o, f, c from tfjs i, f, c, o)', () => {
  test.each(['sigmoid', 'hardSigmoid'] as const)('matches tf.layers.lstm with recurrentActivation %s', async (gate) => {
    const rng = rngFor(6);
    const [batch, steps, inputSize, units] = [3, 7, 5, 8];
    const kernel = randomArray(rng, inputSize * 4 * units, 0.5);
    const recurrentKernel = randomArray(rng, units * 4 * units, 0.5);
    const bias = randomArray(rng, 4 * units, 0.5);
    const x = randomArray(rng, batch * steps * inputSize, 2);

    const b = new GraphBuilder('lstm');
    const input = b.input('x', ['batch', steps, inputSize]);
    const seqFirst = b.transpose(input, [1, 0, 2]);
    const out = lstm(b, 'lstm', seqFirst, { kernel, recurrentKernel, bias }, { inputSize, units, recurrentActivation: gate });
    b.output(b.transpose(out.sequence, [1, 0, 2]), 'sequence');
    b.output(out.lastHidden, 'h');
    const res = await runOrt(b.build(), { x: { data: x, dims: [batch, steps, inputSize] } });

    const layer = tf.layers.lstm({ units, returnSequences: true, recurrentActivation: gate, activation: 'tanh' });
    // An RNN layer builds its cell on the first apply; a call on zeros builds it before the weights are set.
    (layer.apply(tf.zeros([1, steps, inputSize])) as tf.Tensor).dispose();
    layer.setWeights([tf.tensor(kernel, [inputSize, 4 * units]), tf.tensor(recurrentKernel, [units, 4 * units]), tf.tensor(bias, [4 * units])]);
    const seq = layer.apply(tf.tensor(x, [batch, steps, inputSize])) as tf.Tensor;
    const last = tf.squeeze(tf.slice(seq, [0, steps - 1, 0], [batch, 1, units]), [1]);
    expect(res.sequence!.dims).toEqual([batch, steps, units]);
    expect(maxAbsDiff(res.sequence!.data, values(seq))).toBeLessThan(TOL);
    expect(maxAbsDiff(res.h!.data, values(last))).toBeLessThan(TOL);
  });

  test('the gate order matters: the weights unpermuted give a different result', async () => {
    // Guards the test above against passing by symmetry: feeding tfjs's order as if it were ONNX's must differ.
    const rng = rngFor(7);
    const [steps, inputSize, units] = [4, 3, 4];
    const kernel = randomArray(rng, inputSize * 4 * units);
    const recurrentKernel = randomArray(rng, units * 4 * units);
    const bias = randomArray(rng, 4 * units);
    const x = randomArray(rng, 2 * steps * inputSize);
    const build = (k: Float32Array, r: Float32Array, bi: Float32Array) => {
      const b = new GraphBuilder('lstm');
      const input = b.input('x', [steps, 'batch', inputSize]);
      b.output(lstm(b, 'l', input, { kernel: k, recurrentKernel: r, bias: bi }, { inputSize, units }).lastHidden, 'h');
      return b.build();
    };
    const swap = (a: Float32Array, rows: number) => {
      // Exchange the f and o gate columns: a different model if the order is honoured.
      const o = Float32Array.from(a);
      for (let r = 0; r < rows; r++) for (let u = 0; u < units; u++) {
        o[r * 4 * units + units + u] = a[r * 4 * units + 3 * units + u]!;
        o[r * 4 * units + 3 * units + u] = a[r * 4 * units + units + u]!;
      }
      return o;
    };
    const feeds = { x: { data: x, dims: [steps, 2, inputSize] } };
    const a = await runOrt(build(kernel, recurrentKernel, bias), feeds);
    const c = await runOrt(build(swap(kernel, inputSize), swap(recurrentKernel, units), swap(bias, 1)), feeds);
    expect(maxAbsDiff(a.h!.data, c.h!.data)).toBeGreaterThan(1e-3);
  });
});

describe('attention with a causal mask', () => {
  test('softmax(q·kᵀ/√d + mask)·v matches tfjs with masked scores set to -Infinity', async () => {
    const rng = rngFor(8);
    const [batch, heads, steps, d] = [2, 3, 6, 4];
    const q = randomArray(rng, batch * heads * steps * d, 2);
    const k = randomArray(rng, batch * heads * steps * d, 2);
    const v = randomArray(rng, batch * steps * d, 2);
    const b = new GraphBuilder('attn');
    const qi = b.input('q', ['batch', heads, steps, d]);
    const ki = b.input('k', ['batch', heads, steps, d]);
    const vi = b.input('v', ['batch', 1, steps, d]);
    const { out, weights } = scaledDotProductAttention(b, 'a', qi, ki, vi, Math.sqrt(d), b.weight('mask', causalMask(steps, steps), [steps, steps]));
    b.output(out, 'out');
    b.output(weights, 'weights');
    const res = await runOrt(b.build(), {
      q: { data: q, dims: [batch, heads, steps, d] },
      k: { data: k, dims: [batch, heads, steps, d] },
      v: { data: v, dims: [batch, 1, steps, d] },
    });

    const scores = tf.div(tf.matMul(tf.tensor(q, [batch, heads, steps, d]), tf.tensor(k, [batch, heads, steps, d]), false, true), Math.sqrt(d));
    const allowed = tf.linalg.bandPart(tf.ones([steps, steps]), -1, 0).cast('bool');
    const masked = tf.where(tf.broadcastTo(allowed, scores.shape), scores, tf.fill(scores.shape, -Infinity));
    const w = tf.softmax(masked);
    const o = tf.matMul(w, tf.broadcastTo(tf.tensor(v, [batch, 1, steps, d]), [batch, heads, steps, d]));
    const refW = values(w);
    expect(maxAbsDiff(res.weights!.data, refW)).toBeLessThan(TOL);
    expect(maxAbsDiff(res.out!.data, values(o))).toBeLessThan(TOL);
    // A masked weight is exactly zero, not merely small.
    expect(res.weights!.data[1]).toBe(0);
  });
});

describe('quantile head', () => {
  test('dense to horizon × quantiles, reshaped to [batch, horizon, quantiles]', async () => {
    const rng = rngFor(9);
    const [batch, hidden, horizon, quantiles] = [4, 10, 5, 3];
    const kernel = randomArray(rng, hidden * horizon * quantiles);
    const bias = randomArray(rng, horizon * quantiles);
    const x = randomArray(rng, batch * hidden);
    const b = new GraphBuilder('q');
    const input = b.input('x', ['batch', hidden]);
    b.output(b.reshape(dense(b, 'head', input, { kernel, bias }, hidden, horizon * quantiles), [0, horizon, quantiles]), 'y');
    const { y } = await runOrt(b.build(), { x: { data: x, dims: [batch, hidden] } });
    const ref = values(tf.reshape(tf.add(tf.matMul(tf.tensor(x, [batch, hidden]), tf.tensor(kernel, [hidden, horizon * quantiles])), tf.tensor(bias)), [batch, horizon, quantiles]));
    expect(y!.dims).toEqual([batch, horizon, quantiles]);
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
  });
});

describe('N-BEATS basis projections', () => {
  test.each([
    ['trend (polynomial, degree 3)', () => trendBasis(3, 12), 4, 12],
    ['seasonality (Fourier, 5 harmonics, backcast clock)', () => seasonalityBasis(5, 48, 12, -48), 11, 48],
    ['seasonality (Fourier, 5 harmonics, forecast clock)', () => seasonalityBasis(5, 12, 12, 0), 11, 12],
  ] as const)('θ · %s matches tf.matMul and a float64 sum', async (_label, basisOf, P, steps) => {
    const basis = basisOf();
    const rng = rngFor(10);
    const batch = 6;
    const theta = randomArray(rng, batch * P, 3);
    const b = new GraphBuilder('basis');
    const input = b.input('theta', ['batch', P]);
    b.output(b.matMul(input, b.weight('basis', basis, [P, steps])), 'y');
    const { y } = await runOrt(b.build(), { theta: { data: theta, dims: [batch, P] } });
    const ref = values(tf.matMul(tf.tensor2d(theta, [batch, P]), tf.tensor2d(basis, [P, steps])));
    expect(maxAbsDiff(y!.data, ref)).toBeLessThan(TOL);
    const exact = new Float64Array(batch * steps);
    for (let r = 0; r < batch; r++) for (let j = 0; j < steps; j++) for (let p = 0; p < P; p++) exact[r * steps + j]! += theta[r * P + p]! * basis[p * steps + j]!;
    expect(maxAbsDiff(y!.data, exact)).toBeLessThan(TOL);
  });
});
