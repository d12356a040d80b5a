import type { Decimal, Side } from '@meridian/domain';
import { SimConfigError } from './errors';
import type { LatencyModel, SlippageModel } from './types';

// Ready-made latency and slippage models. Latency is not money: it is drawn with floats and
// returned as whole nanoseconds.

function nonNegativeNs(value: bigint | number, key: string): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new SimConfigError(key, value, 'must not be negative');
    return value;
  }
  if (!Number.isSafeInteger(value) || value < 0) throw new SimConfigError(key, value, 'must be a non-negative whole number of nanoseconds');
  return BigInt(value);
}

/** Every request takes exactly `ns`. */
export function fixedLatency(ns: bigint | number): LatencyModel {
  const value = nonNegativeNs(ns, 'fixedLatency(ns)');
  return { sample: () => value };
}

/** Uniform over whole nanoseconds in [minNs, maxNs]. */
export function uniformLatency(minNs: bigint | number, maxNs: bigint | number): LatencyModel {
  const min = nonNegativeNs(minNs, 'uniformLatency(minNs)');
  const max = nonNegativeNs(maxNs, 'uniformLatency(maxNs)');
  if (max < min) throw new SimConfigError('uniformLatency(maxNs)', maxNs, `must not be below minNs ${min}`);
  const span = Number(max - min) + 1;
  return { sample: (random) => min + BigInt(Math.min(span - 1, Math.floor(random() * span))) };
}

/**
 * Log-normal around `medianNs`: `medianNs × e^(sigma × z)` with z standard normal (Box-Muller, two
 * draws), the usual shape of network and gateway latency (a floor-ish median and a long right tail).
 * `maxNs`, when given, caps the tail.
 */
export function lognormalLatency(medianNs: bigint | number, sigma: number, maxNs?: bigint | number): LatencyModel {
  const median = Number(nonNegativeNs(medianNs, 'lognormalLatency(medianNs)'));
  if (typeof sigma !== 'number' || !Number.isFinite(sigma) || sigma < 0) throw new SimConfigError('lognormalLatency(sigma)', sigma, 'must be a finite number >= 0');
  const cap = maxNs === undefined ? undefined : nonNegativeNs(maxNs, 'lognormalLatency(maxNs)');
  return {
    sample: (random) => {
      const u1 = 1 - random(); // (0, 1]: log(0) is never taken
      const u2 = random();
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const ns = BigInt(Math.round(median * Math.exp(sigma * z)));
      return cap !== undefined && ns > cap ? cap : ns;
    },
  };
}

/** Every taker fill against mirrored liquidity is `ticks` ticks worse for the taker. */
export function fixedSlippage(ticks: number): SlippageModel {
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new SimConfigError('fixedSlippage(ticks)', ticks, 'must be a non-negative whole number of ticks');
  return { ticks: () => ticks };
}

/** Fills at the mirrored book's prices. */
export function noSlippage(): SlippageModel {
  return { ticks: () => 0 };
}

/** Checks what a (possibly user-written) slippage model returned. */
export function slippageTicks(model: SlippageModel, random: () => number, side: Side, quantity: Decimal): number {
  const ticks = model.ticks(random, side, quantity);
  if (!Number.isSafeInteger(ticks) || ticks < 0) throw new SimConfigError('slippage.ticks()', ticks, 'must return a non-negative whole number of ticks');
  return ticks;
}
