import { keyedRng, STREAM } from '../rng';
import type { ParamSpace, Params } from '../space';
import type { SampleRequest, Sampler } from './sampler';

/** Uniform draws; trial n's parameters depend only on (seed, n), so a resumed study redraws the same. */
export class RandomSampler implements Sampler {
  readonly kind = 'random' as const;

  constructor(
    private readonly space: ParamSpace,
    private readonly seed: number,
  ) {}

  sample(request: SampleRequest): Params {
    return this.space.sampleUniform(keyedRng(this.seed, STREAM.random, request.trial));
  }
}
