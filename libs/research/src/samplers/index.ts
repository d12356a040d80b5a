import { InvalidOptionError } from '../errors';
import type { ParamSpace } from '../space';
import type { Direction } from '../trial';
import { GridSampler } from './grid';
import { RandomSampler } from './random';
import type { Sampler, SamplerSpec } from './sampler';
import { TpeSampler } from './tpe';

export function createSampler(spec: SamplerSpec, space: ParamSpace, seed: number, direction: Direction): Sampler {
  switch (spec?.kind) {
    case 'grid':
      return new GridSampler(space, seed, spec.shuffle ?? false);
    case 'random':
      return new RandomSampler(space, seed);
    case 'tpe': {
      return new TpeSampler(space, seed, direction, { gamma: spec.gamma, maxGood: spec.maxGood, startupTrials: spec.startupTrials, candidates: spec.candidates, priorWeight: spec.priorWeight });
    }
    default:
      throw new InvalidOptionError('sampler.kind', (spec as { kind?: unknown } | undefined)?.kind, 'must be one of grid, random, tpe');
  }
}
