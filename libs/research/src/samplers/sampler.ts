import type { Params } from '../space';
import type { TrialRecord } from '../trial';

/** What a sampler sees when asked for trial `trial`'s parameters. */
export interface SampleRequest {
  trial: number;
  /** Every finished trial of the study so far, stored ones included. */
  history: readonly TrialRecord[];
  /** Parameters of trials dispatched but not finished (other workers are running them). */
  pending: readonly Params[];
}

export interface Sampler {
  readonly kind: SamplerSpec['kind'];
  /** The number of distinct points it can propose, when finite (grid). */
  readonly size?: number;
  sample(request: SampleRequest): Params;
}

export interface TpeOptions {
  /** Fraction of finished trials that form the "good" group l(x). Default 0.25. */
  gamma?: number;
  /** Upper bound on the good group's size. Default 25. */
  maxGood?: number;
  /** Trials drawn at random (the random sampler's own draws) before TPE starts fitting. Default 10. */
  startupTrials?: number;
  /** Candidates drawn from l(x) per trial; the one with the largest l(x)/g(x) is proposed. Default 24. */
  candidates?: number;
  /** Weight of the uniform prior component in each Parzen estimator. Default 1. */
  priorWeight?: number;
}

export type SamplerSpec =
  | { kind: 'grid'; /** Visit the grid in a seeded random order (for a budget below the grid size). */ shuffle?: boolean }
  | { kind: 'random' }
  | ({ kind: 'tpe' } & TpeOptions);
