import { InvalidModelConfigError } from './errors';
import type { ForecastModel, ForwardOptions, ModelInputs, ModelIO } from './model';
import { dense } from './ops';
import { ParamStore } from './params';
import type { NamedWeight } from './params';
import { tf } from './tf';
import { MAX_STEPS, MAX_UNITS, bool, intIn, requireKind, requireKnownKeys, requireRecord } from './validate';

export type NBeatsStackType = 'generic' | 'trend' | 'seasonality';

export interface NBeatsStack {
  readonly type: NBeatsStackType;
  readonly blocks: number;
  /** Fully connected ReLU layers per block (4 in the paper). */
  readonly layers: number;
  readonly units: number;
  /** Every block of the stack reads block 0's tensors (the paper's interpretable configuration). */
  readonly shareWeights: boolean;
  /** generic: size of θ^b and θ^f, mapped to the backcast and forecast by trainable linear layers. */
  readonly thetaSize?: number;
  /** trend: the polynomial's degree (θ has degree + 1 coefficients). */
  readonly degree?: number;
  /** seasonality: the number of harmonics K (θ has 2K + 1 coefficients). */
  readonly harmonics?: number;
}

/** N-BEATS (Oreshkin et al. 2019): univariate, reads the target history only. */
export interface NBeatsConfig {
  readonly kind: 'nbeats';
  readonly lookback: number;
  readonly horizon: number;
  readonly stacks: readonly NBeatsStack[];
}

const KEYS = ['kind', 'lookback', 'horizon', 'stacks'];
const STACK_KEYS = ['type', 'blocks', 'layers', 'units', 'shareWeights', 'thetaSize', 'degree', 'harmonics'];

function validateStack(at: string, v: unknown, horizon: number): NBeatsStack {
  const s = requireRecord(at, v);
  requireKnownKeys(at, s, STACK_KEYS);
  const type = s.type;
  if (type !== 'generic' && type !== 'trend' && type !== 'seasonality') throw new InvalidModelConfigError(`${at}.type`, type, 'must be generic, trend or seasonality');
  const base = {
    type: type as NBeatsStackType,
    blocks: intIn(`${at}.blocks`, s.blocks, 1, 64, 3),
    layers: intIn(`${at}.layers`, s.layers, 1, 16, 4),
    units: intIn(`${at}.units`, s.units, 1, MAX_UNITS, 256),
    shareWeights: bool(`${at}.shareWeights`, s.shareWeights, type !== 'generic'),
  };
  const refuse = (key: string) => {
    if (s[key] !== undefined) throw new InvalidModelConfigError(`${at}.${key}`, s[key], `is not a setting of a ${type} stack`);
  };
  if (type === 'generic') {
    refuse('degree');
    refuse('harmonics');
    return { ...base, thetaSize: intIn(`${at}.thetaSize`, s.thetaSize, 1, MAX_UNITS, horizon) };
  }
  if (type === 'trend') {
    refuse('thetaSize');
    refuse('harmonics');
    return { ...base, degree: intIn(`${at}.degree`, s.degree, 0, 8, 3) };
  }
  refuse('thetaSize');
  refuse('degree');
  // K = H/2 − 1 (the paper): the shortest period is a little over two steps.
  return { ...base, harmonics: intIn(`${at}.harmonics`, s.harmonics, 1, MAX_UNITS, Math.max(1, Math.floor(horizon / 2) - 1)) };
}

export function validateNBeatsConfig(value: unknown): NBeatsConfig {
  const c = requireRecord('config', value);
  requireKnownKeys('config', c, KEYS);
  const horizon = intIn('config.horizon', c.horizon, 1, MAX_STEPS);
  if (!Array.isArray(c.stacks) || c.stacks.length === 0 || c.stacks.length > 16) throw new InvalidModelConfigError('config.stacks', c.stacks, 'must be 1 to 16 stacks');
  return {
    kind: requireKind('config.kind', c.kind, 'nbeats'),
    lookback: intIn('config.lookback', c.lookback, 1, MAX_STEPS),
    horizon,
    stacks: c.stacks.map((s, i) => validateStack(`config.stacks[${i}]`, s, horizon)),
  };
}

/** N-BEATS-G: one generic stack (the official code's generic model has 30 blocks of 512 units; size it to the machine). */
export function nbeatsGenericConfig(lookback: number, horizon: number, options: { blocks?: number; layers?: number; units?: number; thetaSize?: number } = {}): NBeatsConfig {
  return validateNBeatsConfig({ kind: 'nbeats', lookback, horizon, stacks: [{ type: 'generic', shareWeights: false, ...options }] });
}

/** N-BEATS-I: a trend stack then a seasonality stack, weights shared within each (the paper's interpretable model). */
export function nbeatsInterpretableConfig(
  lookback: number,
  horizon: number,
  options: { trendBlocks?: number; trendUnits?: number; degree?: number; seasonalityBlocks?: number; seasonalityUnits?: number; harmonics?: number; layers?: number } = {},
): NBeatsConfig {
  const layers = options.layers ?? 4;
  return validateNBeatsConfig({
    kind: 'nbeats',
    lookback,
    horizon,
    stacks: [
      { type: 'trend', blocks: options.trendBlocks ?? 3, layers, units: options.trendUnits ?? 256, degree: options.degree ?? 3, shareWeights: true },
      { type: 'seasonality', blocks: options.seasonalityBlocks ?? 3, layers, units: options.seasonalityUnits ?? 256, ...(options.harmonics ? { harmonics: options.harmonics } : {}), shareWeights: true },
    ],
  });
}

/**
 * Fixed bases (non-trainable, saved with the weights). Time runs in forecast units:
 * trend: rows t^p, p = 0..degree, with t = j/H on the forecast (j = 0..H−1) and t = i/L on the
 * backcast (i = 0..L−1), as the official implementation; seasonality: rows 1, cos(2πkt),
 * sin(2πkt) for k = 1..K, with t = j/H on the forecast and t = (i − L)/H on the backcast, so both
 * share one clock and a daily cycle has the same phase in both.
 */
export function trendBasis(degree: number, steps: number): Float32Array {
  const out = new Float32Array((degree + 1) * steps);
  for (let p = 0; p <= degree; p++) for (let j = 0; j < steps; j++) out[p * steps + j] = (j / steps) ** p;
  return out;
}

export function seasonalityBasis(harmonics: number, steps: number, horizon: number, offset: number): Float32Array {
  const rows = 2 * harmonics + 1;
  const out = new Float32Array(rows * steps);
  for (let j = 0; j < steps; j++) {
    const t = (j + offset) / horizon;
    out[j] = 1;
    for (let k = 1; k <= harmonics; k++) {
      out[(2 * k - 1) * steps + j] = Math.cos(2 * Math.PI * k * t);
      out[2 * k * steps + j] = Math.sin(2 * Math.PI * k * t);
    }
  }
  return out;
}

function thetaDims(stack: NBeatsStack): number {
  if (stack.type === 'generic') return stack.thetaSize!;
  if (stack.type === 'trend') return stack.degree! + 1;
  return 2 * stack.harmonics! + 1;
}

/**
 * The doubly residual stacking of the paper: block ℓ reads the residual x_ℓ, x_{ℓ+1} = x_ℓ − x̂_ℓ
 * (its backcast), and the forecast is the sum of every block's partial forecast.
 *
 * Weights of block b of stack s, prefix `stack{s}.block{b}` (with shareWeights only block0 exists,
 * and every block of the stack reads it); P = θ size (see thetaDims):
 *   fc{l}.kernel [L or units, units], fc{l}.bias [units]        l = 0..layers−1, ReLU
 *   theta_b.kernel [units, P], theta_f.kernel [units, P]         no bias
 *   generic:            basis_b.kernel [P, L], basis_b.bias [L], basis_f.kernel [P, H], basis_f.bias [H]   trainable
 *   trend/seasonality:  basis_b [P, L], basis_f [P, H]                                                    constants
 */
export class NBeatsForecaster implements ForecastModel<NBeatsConfig> {
  readonly kind = 'nbeats' as const;
  readonly config: NBeatsConfig;
  readonly io: ModelIO;
  private readonly params: ParamStore;

  constructor(config: unknown, seed: number) {
    this.config = validateNBeatsConfig(config);
    const { lookback: L, horizon: H } = this.config;
    this.io = { lookback: L, horizon: H, pastFeatures: 1, futureFeatures: 0, staticFeatures: 0, quantiles: [] };
    this.params = new ParamStore(seed);
    this.config.stacks.forEach((stack, s) => {
      const P = thetaDims(stack);
      const owned = stack.shareWeights ? 1 : stack.blocks;
      for (let b = 0; b < owned; b++) {
        const pre = `stack${s}.block${b}`;
        let inDim = L;
        for (let l = 0; l < stack.layers; l++) {
          this.params.variable(`${pre}.fc${l}.kernel`, [inDim, stack.units], { kind: 'glorot', fanIn: inDim, fanOut: stack.units });
          this.params.variable(`${pre}.fc${l}.bias`, [stack.units], { kind: 'zeros' });
          inDim = stack.units;
        }
        this.params.variable(`${pre}.theta_b.kernel`, [stack.units, P], { kind: 'glorot', fanIn: stack.units, fanOut: P });
        this.params.variable(`${pre}.theta_f.kernel`, [stack.units, P], { kind: 'glorot', fanIn: stack.units, fanOut: P });
        if (stack.type === 'generic') {
          this.params.variable(`${pre}.basis_b.kernel`, [P, L], { kind: 'glorot', fanIn: P, fanOut: L });
          this.params.variable(`${pre}.basis_b.bias`, [L], { kind: 'zeros' });
          this.params.variable(`${pre}.basis_f.kernel`, [P, H], { kind: 'glorot', fanIn: P, fanOut: H });
          this.params.variable(`${pre}.basis_f.bias`, [H], { kind: 'zeros' });
        } else if (stack.type === 'trend') {
          this.params.constant(`${pre}.basis_b`, [P, L], trendBasis(stack.degree!, L));
          this.params.constant(`${pre}.basis_f`, [P, H], trendBasis(stack.degree!, H));
        } else {
          this.params.constant(`${pre}.basis_b`, [P, L], seasonalityBasis(stack.harmonics!, L, H, -L));
          this.params.constant(`${pre}.basis_f`, [P, H], seasonalityBasis(stack.harmonics!, H, H, 0));
        }
      }
    });
  }

  /** Backcast and forecast of every block, for inspection (the interpretable model's trend and seasonality). */
  decompose(inputs: ModelInputs): { stack: number; block: number; backcast: Float32Array; forecast: Float32Array }[] {
    const parts: { stack: number; block: number; backcast: Float32Array; forecast: Float32Array }[] = [];
    tf.tidy(() => {
      this.run(inputs, (stack, block, backcast, forecast) => {
        parts.push({ stack, block, backcast: backcast.dataSync() as Float32Array, forecast: forecast.dataSync() as Float32Array });
      });
    });
    return parts;
  }

  forward(inputs: ModelInputs, _options: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => {
      const f = this.run(inputs);
      return f.reshape([f.shape[0], this.config.horizon, 1]) as tf.Tensor3D;
    });
  }

  private run(inputs: ModelInputs, onBlock?: (stack: number, block: number, backcast: tf.Tensor, forecast: tf.Tensor) => void): tf.Tensor2D {
    const { lookback: L, horizon: H } = this.config;
    const past = inputs.past;
    if (past.shape[1] !== L || past.shape[2] !== 1) {
      throw new InvalidModelConfigError('inputs.past', past.shape, `must be [batch, ${L}, 1]: N-BEATS reads the target history only`);
    }
    const p = (n: string) => this.params.get(n);
    let residual: tf.Tensor = past.reshape([-1, L]);
    let forecast: tf.Tensor = tf.zeros([past.shape[0], H]);
    this.config.stacks.forEach((stack, s) => {
      for (let b = 0; b < stack.blocks; b++) {
        const pre = `stack${s}.block${stack.shareWeights ? 0 : b}`;
        let h = residual;
        for (let l = 0; l < stack.layers; l++) h = tf.relu(dense(h, p(`${pre}.fc${l}.kernel`), p(`${pre}.fc${l}.bias`)));
        const thetaB = dense(h, p(`${pre}.theta_b.kernel`));
        const thetaF = dense(h, p(`${pre}.theta_f.kernel`));
        const generic = stack.type === 'generic';
        const backcast = generic ? dense(thetaB, p(`${pre}.basis_b.kernel`), p(`${pre}.basis_b.bias`)) : dense(thetaB, p(`${pre}.basis_b`));
        const partial = generic ? dense(thetaF, p(`${pre}.basis_f.kernel`), p(`${pre}.basis_f.bias`)) : dense(thetaF, p(`${pre}.basis_f`));
        onBlock?.(s, b, backcast, partial);
        residual = tf.sub(residual, backcast);
        forecast = tf.add(forecast, partial);
      }
    });
    return forecast as tf.Tensor2D;
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
