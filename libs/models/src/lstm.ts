import type { ForecastModel, ForwardOptions, ModelInputs, ModelIO } from './model';
import { outputChannels } from './model';
import { dense, dropout, lstmSequence } from './ops';
import { ParamStore } from './params';
import type { NamedWeight } from './params';
import { tf } from './tf';
import { InvalidModelConfigError } from './errors';
import { MAX_FEATURES, MAX_STEPS, MAX_UNITS, intIn, quantiles, rateIn, requireKind, requireKnownKeys, requireRecord } from './validate';

/** A stacked LSTM over the past window, its last hidden state read by a dense head that emits every horizon step at once. */
export interface LstmConfig {
  readonly kind: 'lstm';
  readonly lookback: number;
  readonly horizon: number;
  readonly pastFeatures: number;
  /** Units of each LSTM layer, bottom first. */
  readonly hiddenSizes: readonly number[];
  /** Units of a ReLU layer between the last LSTM state and the output; 0 for a linear head. */
  readonly headUnits: number;
  /** Quantile levels (pinball loss), or empty for a point forecast. */
  readonly quantiles: readonly number[];
  /** Dropout between LSTM layers and before the head, while training. */
  readonly dropout: number;
}

const KEYS = ['kind', 'lookback', 'horizon', 'pastFeatures', 'hiddenSizes', 'headUnits', 'quantiles', 'dropout'];

export function validateLstmConfig(value: unknown): LstmConfig {
  const c = requireRecord('config', value);
  requireKnownKeys('config', c, KEYS);
  const hidden = c.hiddenSizes ?? [64];
  if (!Array.isArray(hidden) || hidden.length === 0 || hidden.length > 8) throw new InvalidModelConfigError('config.hiddenSizes', hidden, 'must be 1 to 8 layer sizes');
  return {
    kind: requireKind('config.kind', c.kind, 'lstm'),
    lookback: intIn('config.lookback', c.lookback, 1, MAX_STEPS),
    horizon: intIn('config.horizon', c.horizon, 1, MAX_STEPS),
    pastFeatures: intIn('config.pastFeatures', c.pastFeatures, 1, MAX_FEATURES),
    hiddenSizes: hidden.map((h, i) => intIn(`config.hiddenSizes[${i}]`, h, 1, MAX_UNITS)),
    headUnits: intIn('config.headUnits', c.headUnits, 0, MAX_UNITS, 0),
    quantiles: quantiles('config.quantiles', c.quantiles, []),
    dropout: rateIn('config.dropout', c.dropout, 0),
  };
}

/**
 * Weights (n_k = hiddenSizes[k], in_0 = pastFeatures, in_k = n_{k−1}, Q = max(1, quantiles)):
 *   lstm{k}.kernel [in_k, 4n_k], lstm{k}.recurrent [n_k, 4n_k], lstm{k}.bias [4n_k]   gates i, f, g, o
 *   head.hidden.kernel [n_last, headUnits], head.hidden.bias [headUnits]               when headUnits > 0
 *   head.out.kernel [headUnits or n_last, horizon·Q], head.out.bias [horizon·Q]        column h·Q + q
 */
export class LstmForecaster implements ForecastModel<LstmConfig> {
  readonly kind = 'lstm' as const;
  readonly config: LstmConfig;
  readonly io: ModelIO;
  private readonly params: ParamStore;

  constructor(config: unknown, seed: number) {
    this.config = validateLstmConfig(config);
    const c = this.config;
    this.io = { lookback: c.lookback, horizon: c.horizon, pastFeatures: c.pastFeatures, futureFeatures: 0, staticFeatures: 0, quantiles: c.quantiles };
    this.params = new ParamStore(seed);
    let inDim = c.pastFeatures;
    c.hiddenSizes.forEach((n, k) => {
      this.params.variable(`lstm${k}.kernel`, [inDim, 4 * n], { kind: 'glorot', fanIn: inDim, fanOut: 4 * n });
      this.params.variable(`lstm${k}.recurrent`, [n, 4 * n], { kind: 'glorot', fanIn: n, fanOut: 4 * n });
      // Forget-gate bias 1 (Jozefowicz et al. 2015): the cell remembers by default early in training.
      const bias = new Float32Array(4 * n);
      bias.fill(1, n, 2 * n);
      this.params.variable(`lstm${k}.bias`, [4 * n], { kind: 'values', data: bias });
      inDim = n;
    });
    if (c.headUnits > 0) {
      this.params.variable('head.hidden.kernel', [inDim, c.headUnits], { kind: 'glorot', fanIn: inDim, fanOut: c.headUnits });
      this.params.variable('head.hidden.bias', [c.headUnits], { kind: 'zeros' });
      inDim = c.headUnits;
    }
    const out = c.horizon * outputChannels(this.io);
    this.params.variable('head.out.kernel', [inDim, out], { kind: 'glorot', fanIn: inDim, fanOut: out });
    this.params.variable('head.out.bias', [out], { kind: 'zeros' });
  }

  forward(inputs: ModelInputs, options: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const p = (n: string) => this.params.get(n);
    const rng = options.training ? options.rng : undefined;
    return tf.tidy(() => {
      let x: tf.Tensor3D = inputs.past;
      const batch = x.shape[0];
      let last: tf.Tensor2D | undefined;
      c.hiddenSizes.forEach((n, k) => {
        if (k > 0) x = dropout(x, c.dropout, rng) as tf.Tensor3D;
        const proj = dense(x, p(`lstm${k}.kernel`), p(`lstm${k}.bias`)) as tf.Tensor3D;
        const zeros = tf.zeros([batch, n]) as tf.Tensor2D;
        const r = lstmSequence(proj, p(`lstm${k}.recurrent`) as tf.Tensor2D, zeros, zeros);
        x = r.outputs;
        last = r.h;
      });
      let h: tf.Tensor = dropout(last!, c.dropout, rng);
      if (c.headUnits > 0) h = tf.relu(dense(h, p('head.hidden.kernel'), p('head.hidden.bias')));
      const y = dense(h, p('head.out.kernel'), p('head.out.bias'));
      return y.reshape([batch, c.horizon, outputChannels(this.io)]) as tf.Tensor3D;
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
