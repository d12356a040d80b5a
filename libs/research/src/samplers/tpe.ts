import { InvalidOptionError } from '../errors';
import { keyedRng, STREAM } from '../rng';
import type { ParamSpace, Params } from '../space';
import type { Direction, TrialRecord } from '../trial';
import { ParzenEstimator } from './parzen';
import type { Dimension, Encoded } from './parzen';
import type { SampleRequest, Sampler, TpeOptions } from './sampler';

export const TPE_DEFAULTS: Required<TpeOptions> = { gamma: 0.25, maxGood: 25, startupTrials: 10, candidates: 24, priorWeight: 1 };

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), multivariate form: finished trials
 * are split by score into a good fraction gamma and the rest; a Parzen estimator is fitted to
 * each (l for good, g for the rest), candidates are drawn from l and the one with the largest
 * l(x)/g(x) is proposed. The state is the history alone, so a resumed study refits from its
 * stored trials.
 *
 * Failed trials and trials still running count as bad: the first keeps TPE away from a region
 * that throws, the second ("constant liar") keeps parallel workers from all being handed the
 * same point.
 */
export class TpeSampler implements Sampler {
  readonly kind = 'tpe' as const;
  private readonly options: Required<TpeOptions>;
  private readonly dims: Dimension[];

  constructor(
    private readonly space: ParamSpace,
    private readonly seed: number,
    private readonly direction: Direction,
    options: TpeOptions = {},
  ) {
    // An option given as undefined takes its default, like one left out.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as TpeOptions;
    this.options = { ...TPE_DEFAULTS, ...given };
    const o = this.options;
    if (!(o.gamma > 0 && o.gamma < 1)) throw new InvalidOptionError('sampler.gamma', o.gamma, 'must be in (0, 1)');
    if (!Number.isInteger(o.maxGood) || o.maxGood < 1) throw new InvalidOptionError('sampler.maxGood', o.maxGood, 'must be a positive integer');
    if (!Number.isInteger(o.startupTrials) || o.startupTrials < 1) throw new InvalidOptionError('sampler.startupTrials', o.startupTrials, 'must be a positive integer');
    if (!Number.isInteger(o.candidates) || o.candidates < 1) throw new InvalidOptionError('sampler.candidates', o.candidates, 'must be a positive integer');
    if (!(o.priorWeight > 0) || !Number.isFinite(o.priorWeight)) throw new InvalidOptionError('sampler.priorWeight', o.priorWeight, 'must be a positive number');
    this.dims = space.names.map((name): Dimension => {
      const def = space.def(name);
      if (def.type === 'choice') return { kind: 'choice', size: def.values.length };
      if (def.type === 'int') return { kind: 'int', cells: space.cardinality(name) };
      return { kind: 'continuous' };
    });
  }

  sample(request: SampleRequest): Params {
    const complete = request.history.filter((t) => t.state === 'complete' && t.score !== undefined);
    if (complete.length < this.options.startupTrials) {
      // The random sampler's own draw for this trial number: TPE and random share their start.
      return this.space.sampleUniform(keyedRng(this.seed, STREAM.random, request.trial));
    }
    const sign = this.direction === 'maximize' ? -1 : 1;
    const ranked = [...complete].sort((a, b) => sign * (a.score! - b.score!) || a.number - b.number);
    const nGood = Math.max(1, Math.min(this.options.maxGood, Math.ceil(this.options.gamma * ranked.length)));
    const good = ranked.slice(0, nGood).map((t) => this.encode(t.params));
    const bad = [
      ...ranked.slice(nGood).map((t) => this.encode(t.params)),
      ...request.history.filter((t: TrialRecord) => t.state === 'failed').map((t) => this.encode(t.params)),
      ...request.pending.map((p) => this.encode(p)),
    ];
    const l = new ParzenEstimator(this.dims, good, { priorWeight: this.options.priorWeight });
    const g = new ParzenEstimator(this.dims, bad, { priorWeight: this.options.priorWeight });
    const rng = keyedRng(this.seed, STREAM.tpe, request.trial);
    let best: Encoded | undefined;
    let bestScore = -Infinity;
    for (let i = 0; i < this.options.candidates; i++) {
      const x = l.sample(rng);
      const s = l.logPdf(x) - g.logPdf(x);
      if (best === undefined || s > bestScore) {
        best = x;
        bestScore = s;
      }
    }
    return this.decode(best!);
  }

  private encode(params: Params): Encoded {
    return this.space.names.map((name, d) => (this.dims[d]!.kind === 'choice' ? this.space.choiceIndex(name, params[name]!) : this.space.toUnit(name, params[name]!)));
  }

  private decode(x: Encoded): Params {
    const out: Params = {};
    this.space.names.forEach((name, d) => {
      const dim = this.dims[d]!;
      out[name] = dim.kind === 'choice' ? this.space.fromUnit(name, (x[d]! + 0.5) / dim.size) : this.space.fromUnit(name, x[d]!);
    });
    return out;
  }
}
