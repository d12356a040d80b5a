import { InvalidOptionError } from '../errors';
import { keyedRng, STREAM } from '../rng';
import { MAX_GRID_SIZE } from '../space';
import type { ParamSpace, Params, ParamValue } from '../space';
import type { SampleRequest, Sampler } from './sampler';

/**
 * Every combination of the parameters' grid values; trial n is the n-th combination (in mixed
 * radix over the sorted names, or a seeded permutation of them with `shuffle`).
 */
export class GridSampler implements Sampler {
  readonly kind = 'grid' as const;
  readonly size: number;
  private readonly values: ParamValue[][];
  private readonly order: Uint32Array | undefined;

  constructor(
    private readonly space: ParamSpace,
    seed: number,
    shuffle = false,
  ) {
    this.values = space.names.map((n) => space.gridValues(n));
    this.size = this.values.reduce((n, v) => n * v.length, 1);
    if (this.size > MAX_GRID_SIZE) throw new InvalidOptionError('sampler.grid', this.size, `has more than ${MAX_GRID_SIZE} points; lower gridPoints or use random/tpe`);
    if (shuffle) {
      const rng = keyedRng(seed, STREAM.shuffle, 0);
      const order = new Uint32Array(this.size);
      for (let i = 0; i < this.size; i++) order[i] = i;
      for (let i = this.size - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      this.order = order;
    }
  }

  sample(request: SampleRequest): Params {
    if (!Number.isInteger(request.trial) || request.trial < 0 || request.trial >= this.size) {
      throw new InvalidOptionError('trial', request.trial, `is outside the grid of ${this.size} points`);
    }
    let index = this.order ? this.order[request.trial]! : request.trial;
    const out: Params = {};
    // Last name varies fastest, like nested loops written in name order.
    for (let d = this.space.names.length - 1; d >= 0; d--) {
      const vs = this.values[d]!;
      out[this.space.names[d]!] = vs[index % vs.length]!;
      index = Math.floor(index / vs.length);
    }
    return out;
  }
}
