import type { TftConfig } from '@meridian/models';
import { scaledDotProductAttention } from './attention';
import { GraphBuilder } from './builder';
import { lstm } from './blocks';
import { BATCH, INPUT_FUTURE, INPUT_PAST, INPUT_STATIC, OUTPUT_FORECAST, finishExport, type ExportableModel, type ExportedModel, type ExportOptions } from './export-common';
import type { TensorRef } from './graph';
import { WeightSet } from './weights';

/**
 * libs/models' layer-norm ε (its LAYER_NORM_EPSILON), repeated rather than imported so that
 * loading this package does not load TensorFlow.js; a test holds the two equal.
 */
export const LAYER_NORM_EPSILON = 1e-5;

/**
 * The Temporal Fusion Transformer, layer for layer as libs/models computes it: embeddings of
 * real-valued inputs, variable selection networks (GRNs + softmax), static covariate encoders,
 * an LSTM encoder-decoder (ONNX LSTM operators, the decoder starting from the encoder's last
 * state), gate-add-norm, static enrichment, interpretable multi-head attention (per-head queries
 * and keys, one shared value projection, heads averaged, causal mask), the position-wise GRN and
 * the quantile output layer. Inputs `past` [batch, L, P], `future` [batch, H, F] when F > 0,
 * `static` [batch, S] when S > 0; output `forecast` [batch, H, Q].
 */
export function exportTft(model: ExportableModel<TftConfig>, options: ExportOptions): ExportedModel {
  const c = model.config;
  const d = c.hidden;
  const L = c.lookback;
  const H = c.horizon;
  const T = L + H;
  const heads = c.heads;
  const dk = d / heads;
  const Q = Math.max(1, c.quantiles.length);
  const w = new WeightSet('tft', model.getWeights());
  const b = new GraphBuilder(options.name);
  const ref = (name: string, shape: readonly number[]) => w.ref(b, name, shape);

  const denseW = (p: string, x: TensorRef, inDim: number, outDim: number, bias = true): TensorRef => {
    const y = b.matMul(x, ref(`${p}.kernel`, [inDim, outDim]));
    return bias ? b.add(y, ref(`${p}.bias`, [outDim])) : y;
  };

  /** LayerNorm(residual + σ(x·Wg + bg) ⊙ (x·Wv + bv)). */
  const gateAddNorm = (p: string, x: TensorRef, residual: TensorRef, inDim: number, outDim: number): TensorRef =>
    b.scope(p, () => {
      const glu = b.mul(b.sigmoid(denseW(`${p}.gate`, x, inDim, outDim)), denseW(`${p}.value`, x, inDim, outDim));
      return b.layerNorm(b.add(residual, glu), ref(`${p}.norm.gamma`, [outDim]), ref(`${p}.norm.beta`, [outDim]), LAYER_NORM_EPSILON);
    });

  /** GRN(a, ctx) = LayerNorm(skip(a) + GLU(W2·ELU(W1·a + b1 + Wc·ctx) + b2)); ctx [batch, d] is broadcast over a's time axis. */
  const grn = (p: string, a: TensorRef, inDim: number, outDim: number, context?: TensorRef): TensorRef =>
    b.scope(p, () => {
      const skip = inDim !== outDim ? denseW(`${p}.skip`, a, inDim, outDim) : a;
      let pre = denseW(`${p}.fc1`, a, inDim, d);
      if (context !== undefined) {
        let ctx = denseW(`${p}.context`, context, d, d, false);
        while (ctx.shape.length < pre.shape.length) ctx = b.unsqueeze(ctx, [1]);
        pre = b.add(pre, ctx);
      }
      const hidden = denseW(`${p}.fc2`, b.elu(pre), d, d);
      return gateAddNorm(p, hidden, skip, d, outDim);
    });

  /** x [..., m] → [..., m, d]: variable j becomes x_j·W[j] + b[j]. */
  const embed = (group: string, x: TensorRef, m: number): TensorRef =>
    b.scope(`embed.${group}`, () => b.add(b.mul(b.unsqueeze(x, [-1]), ref(`embed.${group}.kernel`, [m, d])), ref(`embed.${group}.bias`, [m, d])));

  /**
   * The m per-variable GRNs (d → d, no context) of a selection network, stored stacked by
   * libs/models (`${p}.vars.*`, leading axis m), as one batched GRN: variables move to the
   * leading axis ([m, ...lead, d]) and each layer is one MatMul against the kernels [m, 1.., d, d].
   */
  const variableGrns = (p: string, embedded: TensorRef, m: number): TensorRef =>
    b.scope(`${p}.vars`, () => {
      const rank = embedded.shape.length;
      const perm = [rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1];
      const x = b.transpose(embedded, perm);
      const ones = Array<number>(rank - 2).fill(1);
      // The stored [m, d, d] and [m, d] tensors, given broadcastable shapes [m, 1.., d, d] and [m, 1.., d].
      const kernel = (part: string) => w.refAs(b, `${p}.vars.${part}.kernel`, [m, d, d], [m, ...ones.slice(1), d, d]);
      const vector = (name: string) => w.refAs(b, `${p}.vars.${name}`, [m, d], [m, ...ones, d]);
      const layer = (part: string, input: TensorRef) => b.add(b.matMul(input, kernel(part)), vector(`${part}.bias`));
      const hidden = layer('fc2', b.elu(layer('fc1', x)));
      const glu = b.mul(b.sigmoid(layer('gate', hidden)), layer('value', hidden));
      // Layer norm with unit scale and zero shift, then each variable's own γ and β.
      const normed = b.layerNorm(b.add(x, glu), b.constant(new Float32Array(d).fill(1), [d]), b.constant(new Float32Array(d), [d]), LAYER_NORM_EPSILON);
      return b.add(b.mul(normed, vector('norm.gamma')), vector('norm.beta'));
    });

  /** Variable selection: softmax weights from one GRN of all embeddings, times each variable's own GRN, summed. */
  const vsn = (p: string, embedded: TensorRef, m: number, context?: TensorRef): TensorRef =>
    b.scope(p, () => {
      const rank = embedded.shape.length;
      const lead = embedded.shape.slice(0, -2).map((dim) => (typeof dim === 'string' ? 0 : dim));
      const flat = b.reshape(embedded, [...lead, m * d]);
      const weights = b.softmax(grn(`${p}.weights`, flat, m * d, m, context), -1);
      // weights [...lead, m] → [m, ...lead, 1], to scale the variables' outputs [m, ...lead, d].
      const perm = [rank - 2, ...Array.from({ length: rank - 2 }, (_, i) => i)];
      const processed = variableGrns(p, embedded, m);
      return b.reduceSum(b.mul(b.unsqueeze(b.transpose(weights, perm), [-1]), processed), [0], false);
    });

  /** An LSTM over [batch, steps, d] as ONNX's LSTM operator (time-major inside). */
  const lstmLayer = (p: string, x: TensorRef, h0?: TensorRef, c0?: TensorRef) => {
    const out = lstm(
      b,
      p,
      b.transpose(x, [1, 0, 2]),
      { kernel: w.data(`${p}.kernel`, [d, 4 * d]), recurrentKernel: w.data(`${p}.recurrent`, [d, 4 * d]), bias: w.data(`${p}.bias`, [4 * d]) },
      { inputSize: d, units: d, recurrentActivation: 'sigmoid', ...(h0 ? { initialHidden: h0 } : {}), ...(c0 ? { initialCell: c0 } : {}) },
    );
    return { outputs: b.transpose(out.sequence, [1, 0, 2]), h: out.lastHidden, c: out.lastCell };
  };

  const past = b.input(INPUT_PAST, [BATCH, L, c.pastFeatures]);
  const future = c.futureFeatures > 0 ? b.input(INPUT_FUTURE, [BATCH, H, c.futureFeatures]) : undefined;
  const statics = c.staticFeatures > 0 ? b.input(INPUT_STATIC, [BATCH, c.staticFeatures]) : undefined;

  let cs: TensorRef | undefined;
  let ce: TensorRef | undefined;
  let h0: TensorRef | undefined;
  let c0: TensorRef | undefined;
  if (statics !== undefined) {
    const sel = vsn('vsn.static', embed('static', statics, c.staticFeatures), c.staticFeatures);
    cs = grn('static.selection', sel, d, d);
    ce = grn('static.enrichment', sel, d, d);
    h0 = grn('static.state_h', sel, d, d);
    c0 = grn('static.state_c', sel, d, d);
  }
  const pastSel = vsn('vsn.past', embed('past', past, c.pastFeatures), c.pastFeatures, cs);
  let futureIn: TensorRef;
  if (future !== undefined) {
    futureIn = vsn('vsn.future', embed('future', future, c.futureFeatures), c.futureFeatures, cs);
  } else {
    // Without known future inputs the decoder reads a learned position embedding, the same for
    // every series: broadcast to [batch, H, d] with the batch size read from `past`.
    const target = b.concat([b.slice(b.shape(past), 0, 0, 1), b.int64([H, d])], 0);
    futureIn = b.expand(ref('decoder.position', [H, d]), target);
  }
  const enc = lstmLayer('encoder', pastSel, h0, c0);
  const dec = lstmLayer('decoder', futureIn, enc.h, enc.c);
  const lstmOut = b.concat([enc.outputs, dec.outputs], 1);
  const selected = b.concat([pastSel, futureIn], 1);
  const gated = gateAddNorm('lstm_gate', lstmOut, selected, d, d);
  const enriched = grn('enrichment', gated, d, d, ce);

  const attended = b.scope('attention', () => {
    const enrichedDec = b.slice(enriched, 1, L, T);
    const q = b.transpose(b.reshape(denseW('attention.query', enrichedDec, d, heads * dk), [0, H, heads, dk]), [0, 2, 1, 3]);
    const k = b.transpose(b.reshape(denseW('attention.key', enriched, d, heads * dk), [0, T, heads, dk]), [0, 2, 1, 3]);
    const v = b.unsqueeze(denseW('attention.value', enriched, d, dk), [1]);
    const { out } = scaledDotProductAttention(b, 'sdpa', q, k, v, Math.sqrt(dk), ref('attention.mask', [H, T]));
    return { out: denseW('attention.output', b.reduceMean(out, [1], false), dk, d), enrichedDec };
  });
  const afterAttention = gateAddNorm('attention_gate', attended.out, attended.enrichedDec, d, d);
  const positionwise = grn('positionwise', afterAttention, d, d);
  const out = gateAddNorm('output_gate', positionwise, b.slice(gated, 1, L, T), d, d);
  b.output(denseW('output', out, d, Q), OUTPUT_FORECAST);
  return finishExport(b, w, 'tft', c, options);
}
