import { InvalidModelConfigError } from './errors';
import type { ForecastModel, ForwardOptions, ModelInputs, ModelIO } from './model';
import { outputChannels } from './model';
import { dense, dropout, layerNorm, lstmSequence } from './ops';
import { ParamStore } from './params';
import type { NamedWeight } from './params';
import type { SeededRandom } from './random';
import { tf } from './tf';
import { MAX_FEATURES, MAX_STEPS, MAX_UNITS, intIn, quantiles, rateIn, requireKind, requireKnownKeys, requireRecord } from './validate';

/**
 * Temporal Fusion Transformer (Lim et al. 2021) for real-valued inputs: static covariates
 * (optional), observed past inputs, known future inputs (optional; without them the decoder
 * reads a learned position embedding), quantile outputs.
 */
export interface TftConfig {
  readonly kind: 'tft';
  readonly lookback: number;
  readonly horizon: number;
  readonly pastFeatures: number;
  readonly futureFeatures: number;
  readonly staticFeatures: number;
  /** d_model: the width of every embedding, GRN, LSTM and attention output. */
  readonly hidden: number;
  /** Attention heads; hidden must be divisible by it (d_k = hidden / heads). */
  readonly heads: number;
  readonly quantiles: readonly number[];
  readonly dropout: number;
}

const KEYS = ['kind', 'lookback', 'horizon', 'pastFeatures', 'futureFeatures', 'staticFeatures', 'hidden', 'heads', 'quantiles', 'dropout'];

export function validateTftConfig(value: unknown): TftConfig {
  const c = requireRecord('config', value);
  requireKnownKeys('config', c, KEYS);
  const hidden = intIn('config.hidden', c.hidden, 1, MAX_UNITS, 32);
  const heads = intIn('config.heads', c.heads, 1, 64, 4);
  if (hidden % heads !== 0) throw new InvalidModelConfigError('config.heads', heads, `must divide hidden ${hidden}`);
  return {
    kind: requireKind('config.kind', c.kind, 'tft'),
    lookback: intIn('config.lookback', c.lookback, 1, MAX_STEPS),
    horizon: intIn('config.horizon', c.horizon, 1, MAX_STEPS),
    pastFeatures: intIn('config.pastFeatures', c.pastFeatures, 1, MAX_FEATURES),
    futureFeatures: intIn('config.futureFeatures', c.futureFeatures, 0, MAX_FEATURES, 0),
    staticFeatures: intIn('config.staticFeatures', c.staticFeatures, 0, MAX_FEATURES, 0),
    hidden,
    heads,
    quantiles: quantiles('config.quantiles', c.quantiles, [0.1, 0.5, 0.9]),
    dropout: rateIn('config.dropout', c.dropout, 0.1),
  };
}

/** What the model attended to and selected, for one batch (the paper's interpretability outputs). */
export interface TftExplanation {
  /** Variable selection weights [B, L, pastFeatures], each row sums to 1. */
  readonly past: Float32Array;
  /** [B, H, futureFeatures], empty without future inputs. */
  readonly future: Float32Array;
  /** [B, staticFeatures], empty without static inputs. */
  readonly static: Float32Array;
  /** Attention averaged over heads [B, H, L + H]: decoder step τ over every position; 0 past τ. */
  readonly attention: Float32Array;
}

interface Run {
  rng: SeededRandom | undefined;
  explain?: { past?: tf.Tensor; future?: tf.Tensor; static?: tf.Tensor; attention?: tf.Tensor };
}

/**
 * Weights, d = hidden, dk = hidden / heads, m = number of variables of the group; every GRN
 * `g` (hidden width d, see grn()) has g.fc1.kernel [in, d], g.fc1.bias [d], g.context.kernel [d, d]
 * (only with a context), g.fc2.kernel [d, d], g.fc2.bias [d], g.gate.kernel [d, out], g.gate.bias
 * [out], g.value.kernel [d, out], g.value.bias [out], g.norm.gamma [out], g.norm.beta [out], and
 * g.skip.kernel [in, out], g.skip.bias [out] when in ≠ out. A gate-add-norm `n` has n.gate.*,
 * n.value.* ([d, d], [d]) and n.norm.* ([d]). The README lists every name.
 */
export class TemporalFusionTransformer implements ForecastModel<TftConfig> {
  readonly kind = 'tft' as const;
  readonly config: TftConfig;
  readonly io: ModelIO;
  private readonly params: ParamStore;

  constructor(config: unknown, seed: number) {
    this.config = validateTftConfig(config);
    const c = this.config;
    const d = c.hidden;
    this.io = { lookback: c.lookback, horizon: c.horizon, pastFeatures: c.pastFeatures, futureFeatures: c.futureFeatures, staticFeatures: c.staticFeatures, quantiles: c.quantiles };
    this.params = new ParamStore(seed);
    const hasStatic = c.staticFeatures > 0;
    const embedding = (group: string, m: number) => {
      this.params.variable(`embed.${group}.kernel`, [m, d], { kind: 'glorot', fanIn: 1, fanOut: d });
      this.params.variable(`embed.${group}.bias`, [m, d], { kind: 'zeros' });
    };
    embedding('past', c.pastFeatures);
    if (c.futureFeatures > 0) embedding('future', c.futureFeatures);
    if (hasStatic) {
      embedding('static', c.staticFeatures);
      this.declareVsn('vsn.static', c.staticFeatures, false);
      for (const name of ['selection', 'enrichment', 'state_h', 'state_c']) this.declareGrn(`static.${name}`, d, d, false);
    }
    this.declareVsn('vsn.past', c.pastFeatures, hasStatic);
    if (c.futureFeatures > 0) this.declareVsn('vsn.future', c.futureFeatures, hasStatic);
    else this.params.variable('decoder.position', [c.horizon, d], { kind: 'glorot', fanIn: c.horizon, fanOut: d });
    this.declareLstm('encoder');
    this.declareLstm('decoder');
    this.declareGate('lstm_gate');
    this.declareGrn('enrichment', d, d, hasStatic);
    const dk = d / c.heads;
    this.params.variable('attention.query.kernel', [d, c.heads * dk], { kind: 'glorot', fanIn: d, fanOut: dk });
    this.params.variable('attention.query.bias', [c.heads * dk], { kind: 'zeros' });
    this.params.variable('attention.key.kernel', [d, c.heads * dk], { kind: 'glorot', fanIn: d, fanOut: dk });
    this.params.variable('attention.key.bias', [c.heads * dk], { kind: 'zeros' });
    this.params.variable('attention.value.kernel', [d, dk], { kind: 'glorot', fanIn: d, fanOut: dk });
    this.params.variable('attention.value.bias', [dk], { kind: 'zeros' });
    this.params.variable('attention.output.kernel', [dk, d], { kind: 'glorot', fanIn: dk, fanOut: d });
    this.params.variable('attention.output.bias', [d], { kind: 'zeros' });
    this.params.constant('attention.mask', [c.horizon, c.lookback + c.horizon], causalMask(c.lookback, c.horizon));
    this.declareGate('attention_gate');
    this.declareGrn('positionwise', d, d, false);
    this.declareGate('output_gate');
    const q = outputChannels(this.io);
    this.params.variable('output.kernel', [d, q], { kind: 'glorot', fanIn: d, fanOut: q });
    this.params.variable('output.bias', [q], { kind: 'zeros' });
  }

  private declareGrn(p: string, inDim: number, outDim: number, context: boolean): void {
    const d = this.config.hidden;
    const g = (name: string, shape: number[]) => this.params.variable(`${p}.${name}`, shape, { kind: 'glorot', fanIn: shape[0]!, fanOut: shape[1]! });
    const z = (name: string, n: number) => this.params.variable(`${p}.${name}`, [n], { kind: 'zeros' });
    if (inDim !== outDim) {
      g('skip.kernel', [inDim, outDim]);
      z('skip.bias', outDim);
    }
    g('fc1.kernel', [inDim, d]);
    z('fc1.bias', d);
    if (context) g('context.kernel', [d, d]);
    g('fc2.kernel', [d, d]);
    z('fc2.bias', d);
    g('gate.kernel', [d, outDim]);
    z('gate.bias', outDim);
    g('value.kernel', [d, outDim]);
    z('value.bias', outDim);
    this.params.variable(`${p}.norm.gamma`, [outDim], { kind: 'ones' });
    z('norm.beta', outDim);
  }

  private declareGate(p: string): void {
    const d = this.config.hidden;
    for (const part of ['gate', 'value']) {
      this.params.variable(`${p}.${part}.kernel`, [d, d], { kind: 'glorot', fanIn: d, fanOut: d });
      this.params.variable(`${p}.${part}.bias`, [d], { kind: 'zeros' });
    }
    this.params.variable(`${p}.norm.gamma`, [d], { kind: 'ones' });
    this.params.variable(`${p}.norm.beta`, [d], { kind: 'zeros' });
  }

  /**
   * A variable selection network: a GRN of all m embeddings to m softmax weights, and m
   * per-variable GRNs (d → d) stored stacked: `${p}.vars.*` has a leading axis m, slice j being
   * variable j's GRN (fc1/fc2/gate/value kernels [m, d, d], biases, gamma, beta [m, d]). One
   * batched MatMul then runs all m at once.
   */
  private declareVsn(p: string, m: number, context: boolean): void {
    const d = this.config.hidden;
    this.declareGrn(`${p}.weights`, m * d, m, context);
    for (const part of ['fc1', 'fc2', 'gate', 'value']) {
      this.params.variable(`${p}.vars.${part}.kernel`, [m, d, d], { kind: 'glorot', fanIn: d, fanOut: d });
      this.params.variable(`${p}.vars.${part}.bias`, [m, d], { kind: 'zeros' });
    }
    this.params.variable(`${p}.vars.norm.gamma`, [m, d], { kind: 'ones' });
    this.params.variable(`${p}.vars.norm.beta`, [m, d], { kind: 'zeros' });
  }

  private declareLstm(p: string): void {
    const d = this.config.hidden;
    this.params.variable(`${p}.kernel`, [d, 4 * d], { kind: 'glorot', fanIn: d, fanOut: 4 * d });
    this.params.variable(`${p}.recurrent`, [d, 4 * d], { kind: 'glorot', fanIn: d, fanOut: 4 * d });
    const bias = new Float32Array(4 * d);
    bias.fill(1, d, 2 * d);
    this.params.variable(`${p}.bias`, [4 * d], { kind: 'values', data: bias });
  }

  private p(name: string): tf.Tensor {
    return this.params.get(name);
  }

  /** GRN(a, c) = LayerNorm(skip(a) + GLU(dropout(W2 ELU(W1 a + b1 + Wc c) + b2))). */
  private grn(p: string, a: tf.Tensor, context: tf.Tensor | undefined, run: Run): tf.Tensor {
    const skip = this.params.has(`${p}.skip.kernel`) ? dense(a, this.p(`${p}.skip.kernel`), this.p(`${p}.skip.bias`)) : a;
    let pre = dense(a, this.p(`${p}.fc1.kernel`), this.p(`${p}.fc1.bias`));
    if (context !== undefined) {
      let ctx = dense(context, this.p(`${p}.context.kernel`));
      while (ctx.rank < pre.rank) ctx = ctx.expandDims(1);
      pre = tf.add(pre, ctx);
    }
    const hidden = dense(tf.elu(pre), this.p(`${p}.fc2.kernel`), this.p(`${p}.fc2.bias`));
    return this.gateAddNorm(p, hidden, skip, run);
  }

  /** LayerNorm(residual + σ(x Wg + bg) ⊙ (x Wv + bv)), with dropout on x while training. */
  private gateAddNorm(p: string, x: tf.Tensor, residual: tf.Tensor, run: Run): tf.Tensor {
    const dropped = dropout(x, this.config.dropout, run.rng);
    const glu = tf.mul(tf.sigmoid(dense(dropped, this.p(`${p}.gate.kernel`), this.p(`${p}.gate.bias`))), dense(dropped, this.p(`${p}.value.kernel`), this.p(`${p}.value.bias`)));
    return layerNorm(tf.add(residual, glu), this.p(`${p}.norm.gamma`), this.p(`${p}.norm.beta`));
  }

  /** Each real-valued variable j becomes x_j · W[j] + b[j] ∈ R^d: [..., m] → [..., m, d]. */
  private embed(group: string, x: tf.Tensor): tf.Tensor {
    return tf.add(tf.mul(x.expandDims(-1), this.p(`embed.${group}.kernel`)), this.p(`embed.${group}.bias`));
  }

  /** Variable selection: softmax weights from a GRN of all embeddings, times each variable's own GRN. */
  private vsn(p: string, embedded: tf.Tensor, m: number, context: tf.Tensor | undefined, run: Run): { out: tf.Tensor; weights: tf.Tensor } {
    const d = this.config.hidden;
    const lead = embedded.shape.slice(0, -2);
    const flat = embedded.reshape([...lead, m * d]);
    const weights = tf.softmax(this.grn(`${p}.weights`, flat, context, run));
    // The m per-variable GRNs as one batched GRN: [rows, m, d] → [m, rows, d], MatMul with [m, d, d].
    const byVariable = embedded.reshape([-1, m, d]).transpose([1, 0, 2]) as tf.Tensor3D;
    const k = (part: string) => this.p(`${p}.vars.${part}.kernel`) as tf.Tensor3D;
    const b = (part: string) => this.p(`${p}.vars.${part}.bias`).expandDims(1);
    const hidden = tf.add(tf.matMul(tf.elu(tf.add(tf.matMul(byVariable, k('fc1')), b('fc1'))) as tf.Tensor3D, k('fc2')), b('fc2'));
    const dropped = dropout(hidden, this.config.dropout, run.rng) as tf.Tensor3D;
    const glu = tf.mul(tf.sigmoid(tf.add(tf.matMul(dropped, k('gate')), b('gate'))), tf.add(tf.matMul(dropped, k('value')), b('value')));
    const normed = layerNorm(tf.add(byVariable, glu), this.p(`${p}.vars.norm.gamma`).expandDims(1), this.p(`${p}.vars.norm.beta`).expandDims(1));
    const processed = normed.transpose([1, 0, 2]).reshape(embedded.shape);
    return { out: tf.sum(tf.mul(weights.expandDims(-1), processed), embedded.rank - 2), weights };
  }

  private lstm(p: string, x: tf.Tensor3D, h0: tf.Tensor2D, c0: tf.Tensor2D) {
    return lstmSequence(dense(x, this.p(`${p}.kernel`), this.p(`${p}.bias`)) as tf.Tensor3D, this.p(`${p}.recurrent`) as tf.Tensor2D, h0, c0);
  }

  private requireInputs(inputs: ModelInputs): void {
    const c = this.config;
    const check = (name: string, t: tf.Tensor | undefined, shape: number[]) => {
      if (t === undefined || t.rank !== shape.length || t.shape.some((s, i) => i > 0 && s !== shape[i])) {
        throw new InvalidModelConfigError(`inputs.${name}`, t?.shape, `must be [batch, ${shape.slice(1).join(', ')}]`);
      }
    };
    check('past', inputs.past, [0, c.lookback, c.pastFeatures]);
    if (c.futureFeatures > 0) check('future', inputs.future, [0, c.horizon, c.futureFeatures]);
    if (c.staticFeatures > 0) check('static', inputs.static, [0, c.staticFeatures]);
  }

  private run(inputs: ModelInputs, run: Run): tf.Tensor3D {
    this.requireInputs(inputs);
    const c = this.config;
    const d = c.hidden;
    const batch = inputs.past.shape[0];
    const T = c.lookback + c.horizon;

    let cs: tf.Tensor | undefined;
    let ce: tf.Tensor | undefined;
    let h0 = tf.zeros([batch, d]) as tf.Tensor2D;
    let c0 = h0;
    if (c.staticFeatures > 0) {
      const sel = this.vsn('vsn.static', this.embed('static', inputs.static!), c.staticFeatures, undefined, run);
      if (run.explain) run.explain.static = sel.weights;
      cs = this.grn('static.selection', sel.out, undefined, run);
      ce = this.grn('static.enrichment', sel.out, undefined, run);
      h0 = this.grn('static.state_h', sel.out, undefined, run) as tf.Tensor2D;
      c0 = this.grn('static.state_c', sel.out, undefined, run) as tf.Tensor2D;
    }
    const past = this.vsn('vsn.past', this.embed('past', inputs.past), c.pastFeatures, cs, run);
    if (run.explain) run.explain.past = past.weights;
    let futureIn: tf.Tensor;
    if (c.futureFeatures > 0) {
      const fut = this.vsn('vsn.future', this.embed('future', inputs.future!), c.futureFeatures, cs, run);
      if (run.explain) run.explain.future = fut.weights;
      futureIn = fut.out;
    } else {
      futureIn = tf.tile(this.p('decoder.position').expandDims(0), [batch, 1, 1]);
    }
    const enc = this.lstm('encoder', past.out as tf.Tensor3D, h0, c0);
    const dec = this.lstm('decoder', futureIn as tf.Tensor3D, enc.h, enc.c);
    const lstmOut = tf.concat([enc.outputs, dec.outputs], 1);
    const selected = tf.concat([past.out, futureIn], 1);
    const gated = this.gateAddNorm('lstm_gate', lstmOut, selected, run);
    const enriched = this.grn('enrichment', gated, ce, run);

    // Interpretable multi-head attention: per-head queries and keys, one value projection shared
    // by every head, heads averaged before the output projection; decoder steps query every
    // position up to their own (causal mask).
    const dk = d / c.heads;
    const enrichedDec = enriched.slice([0, c.lookback, 0], [batch, c.horizon, d]);
    const q = dense(enrichedDec, this.p('attention.query.kernel'), this.p('attention.query.bias')).reshape([batch, c.horizon, c.heads, dk]).transpose([0, 2, 1, 3]);
    const k = dense(enriched, this.p('attention.key.kernel'), this.p('attention.key.bias')).reshape([batch, T, c.heads, dk]).transpose([0, 2, 1, 3]);
    const v = dense(enriched, this.p('attention.value.kernel'), this.p('attention.value.bias')) as tf.Tensor3D;
    const scores = tf.add(tf.div(tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true), Math.sqrt(dk)), this.p('attention.mask'));
    const attn = tf.softmax(scores);
    if (run.explain) run.explain.attention = tf.mean(attn, 1);
    const attnDropped = dropout(attn, c.dropout, run.rng);
    const heads = tf.matMul(attnDropped.reshape([batch, c.heads * c.horizon, T]) as tf.Tensor3D, v).reshape([batch, c.heads, c.horizon, dk]);
    const attended = dense(tf.mean(heads, 1), this.p('attention.output.kernel'), this.p('attention.output.bias'));
    const afterAttention = this.gateAddNorm('attention_gate', attended, enrichedDec, run);
    const positionwise = this.grn('positionwise', afterAttention, undefined, run);
    const gatedDec = gated.slice([0, c.lookback, 0], [batch, c.horizon, d]);
    const out = this.gateAddNorm('output_gate', positionwise, gatedDec, run);
    return dense(out, this.p('output.kernel'), this.p('output.bias')) as tf.Tensor3D;
  }

  forward(inputs: ModelInputs, options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => this.run(inputs, { rng: options.training ? options.rng : undefined }));
  }

  /** Variable selection weights and attention for a batch (inference mode). */
  explain(inputs: ModelInputs): TftExplanation {
    const explain: NonNullable<Run['explain']> = {};
    return tf.tidy(() => {
      this.run(inputs, { rng: undefined, explain });
      const read = (t: tf.Tensor | undefined) => (t ? Float32Array.from(t.dataSync() as Float32Array) : new Float32Array(0));
      return { past: read(explain.past), future: read(explain.future), static: read(explain.static), attention: read(explain.attention) };
    });
  }

  getWeights(): NamedWeight[] {
    return this.params.getWeights();
  }

  setWeights(weights: readonly NamedWeight[]): void {
    this.params.setWeights(weights);
  }

  trainableVariables(): tf.Variable[] {
    return this.params.trainableVariables();
  }

  parameterCount(): number {
    return this.params.parameterCount();
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Additive mask [H, L + H]: 0 where decoder step τ may look (positions ≤ L + τ), −1e9 after. */
export function causalMask(lookback: number, horizon: number): Float32Array {
  const T = lookback + horizon;
  const mask = new Float32Array(horizon * T);
  for (let tau = 0; tau < horizon; tau++) for (let k = lookback + tau + 1; k < T; k++) mask[tau * T + k] = -1e9;
  return mask;
}
