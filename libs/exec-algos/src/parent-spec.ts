import { Decimal, isSymbol } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidParentOrderError } from './errors';
import { exactLots } from './lots';
import type { AlgoParams, ChildStyle, ParentOrderSpec } from './types';
import { validateVolumeProfile } from './volume-profile';

/** The parameters of each algorithm after validation, quantities in lots. */
export type ValidatedAlgo =
  | {
      readonly kind: 'twap';
      readonly slices: number | undefined;
      readonly sliceIntervalNs: bigint | undefined;
      readonly seed: number;
      readonly jitter: Decimal;
      readonly style: ChildStyle;
    }
  | { readonly kind: 'vwap'; readonly profile: readonly Decimal[]; readonly style: ChildStyle }
  | { readonly kind: 'iceberg'; readonly displayLots: bigint; readonly displayVariance: Decimal; readonly seed: number }
  | { readonly kind: 'pov'; readonly rate: Decimal; readonly minChildLots: bigint; readonly maxChildLots: bigint | undefined };

export interface ValidatedParent {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly lots: bigint;
  readonly limitPrice: Decimal | undefined;
  readonly startNs: bigint;
  readonly endNs: bigint | undefined;
  readonly lotSize: Decimal;
  readonly tickSize: Decimal;
  readonly algo: ValidatedAlgo;
  readonly maxChildRejects: number;
  readonly retryIntervalNs: bigint;
}

export const DEFAULT_MAX_CHILD_REJECTS = 3;
export const DEFAULT_RETRY_INTERVAL_NS = 1_000_000_000n;
/** Used when a TWAP has a seed and no jitter. */
export const DEFAULT_TWAP_JITTER = Decimal.from('0.5');
const MAX_SLICES = 100_000;
const PARENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function positiveDecimal(value: unknown, field: string): Decimal {
  if (!(value instanceof Decimal)) throw new InvalidParentOrderError(field, value, 'must be a Decimal');
  if (!value.isPositive()) throw new InvalidParentOrderError(field, value, 'must be positive');
  return value;
}

function lotsOf(value: unknown, field: string, lotSize: Decimal): bigint {
  const quantity = positiveDecimal(value, field);
  const lots = exactLots(quantity, lotSize);
  if (lots === undefined) throw new InvalidParentOrderError(field, quantity, `must be a whole number of lots (lot size ${lotSize})`);
  return lots;
}

function fraction(value: unknown, field: string, min: 'open' | 'closed', max: 'open' | 'closed'): Decimal {
  if (!(value instanceof Decimal)) throw new InvalidParentOrderError(field, value, 'must be a Decimal');
  const belowMin = min === 'open' ? value.lte(Decimal.ZERO) : value.lt(Decimal.ZERO);
  const aboveMax = max === 'open' ? value.gte(Decimal.ONE) : value.gt(Decimal.ONE);
  if (belowMin || aboveMax) {
    throw new InvalidParentOrderError(field, value, `must be in ${min === 'open' ? '(' : '['}0, 1${max === 'open' ? ')' : ']'}`);
  }
  return value;
}

function seedOf(value: unknown, field: string): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new InvalidParentOrderError(field, value, 'must be an integer in [0, 4294967295]');
  }
  return value;
}

function styleOf(value: unknown, field: string): ChildStyle {
  if (value === undefined) return 'aggressive';
  if (value !== 'aggressive' && value !== 'passive') throw new InvalidParentOrderError(field, value, "must be 'aggressive' or 'passive'");
  return value;
}

function nanos(value: unknown, field: string): bigint {
  if (typeof value !== 'bigint') throw new InvalidParentOrderError(field, value, 'must be a bigint of nanoseconds');
  if (value < 0n) throw new InvalidParentOrderError(field, value, 'must not be negative');
  return value;
}

function validateAlgo(algo: AlgoParams, spec: { lotSize: Decimal; lots: bigint; startNs: bigint; endNs: bigint | undefined; limitPrice: Decimal | undefined }): ValidatedAlgo {
  if (algo === null || typeof algo !== 'object') throw new InvalidParentOrderError('algo', algo, 'must be an object with a kind');
  const duration = spec.endNs === undefined ? undefined : spec.endNs - spec.startNs;
  switch (algo.kind) {
    case 'twap': {
      if (duration === undefined) throw new InvalidParentOrderError('endNs', undefined, 'is required by a TWAP');
      const hasSlices = algo.slices !== undefined;
      const hasInterval = algo.sliceIntervalNs !== undefined;
      if (hasSlices === hasInterval) {
        throw new InvalidParentOrderError('algo.slices', algo.slices, 'or algo.sliceIntervalNs must be given, and not both');
      }
      if (hasSlices) {
        const n = algo.slices;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SLICES) {
          throw new InvalidParentOrderError('algo.slices', n, `must be an integer in [1, ${MAX_SLICES}]`);
        }
        if (BigInt(n) > duration) throw new InvalidParentOrderError('algo.slices', n, `must not exceed the window's ${duration} ns`);
      } else {
        const interval = algo.sliceIntervalNs;
        if (typeof interval !== 'bigint' || interval <= 0n) throw new InvalidParentOrderError('algo.sliceIntervalNs', interval, 'must be a positive bigint');
        if (interval > duration) throw new InvalidParentOrderError('algo.sliceIntervalNs', interval, `must not exceed the window's ${duration} ns`);
        if ((duration + interval - 1n) / interval > BigInt(MAX_SLICES)) {
          throw new InvalidParentOrderError('algo.sliceIntervalNs', interval, `makes more than ${MAX_SLICES} slices`);
        }
      }
      const seed = seedOf(algo.seed, 'algo.seed');
      if (algo.jitter !== undefined && seed === 0) throw new InvalidParentOrderError('algo.jitter', algo.jitter, 'needs a non-zero algo.seed');
      const jitter = algo.jitter === undefined ? DEFAULT_TWAP_JITTER : fraction(algo.jitter, 'algo.jitter', 'open', 'open');
      return { kind: 'twap', slices: algo.slices, sliceIntervalNs: algo.sliceIntervalNs, seed, jitter, style: styleOf(algo.style, 'algo.style') };
    }
    case 'vwap': {
      if (duration === undefined) throw new InvalidParentOrderError('endNs', undefined, 'is required by a VWAP');
      const profile = validateVolumeProfile(algo.profile, 'algo.profile');
      if (BigInt(profile.length) > duration) {
        throw new InvalidParentOrderError('algo.profile', profile.length, `has more buckets than the window's ${duration} ns`);
      }
      return { kind: 'vwap', profile, style: styleOf(algo.style, 'algo.style') };
    }
    case 'iceberg': {
      if (spec.limitPrice === undefined) throw new InvalidParentOrderError('limitPrice', undefined, 'is required by an iceberg');
      const displayLots = lotsOf(algo.displayQuantity, 'algo.displayQuantity', spec.lotSize);
      const displayVariance = algo.displayVariance === undefined ? Decimal.ZERO : fraction(algo.displayVariance, 'algo.displayVariance', 'closed', 'open');
      return { kind: 'iceberg', displayLots, displayVariance, seed: seedOf(algo.seed, 'algo.seed') };
    }
    case 'pov': {
      const rate = fraction(algo.rate, 'algo.rate', 'open', 'closed');
      const minChildLots = algo.minChildQuantity === undefined ? 1n : lotsOf(algo.minChildQuantity, 'algo.minChildQuantity', spec.lotSize);
      const maxChildLots = algo.maxChildQuantity === undefined ? undefined : lotsOf(algo.maxChildQuantity, 'algo.maxChildQuantity', spec.lotSize);
      if (maxChildLots !== undefined && maxChildLots < minChildLots) {
        throw new InvalidParentOrderError('algo.maxChildQuantity', algo.maxChildQuantity, `must not be below algo.minChildQuantity (${spec.lotSize.mul(minChildLots)})`);
      }
      return { kind: 'pov', rate, minChildLots, maxChildLots };
    }
    default:
      throw new InvalidParentOrderError('algo.kind', (algo as { kind: unknown }).kind, "must be 'twap', 'vwap', 'iceberg' or 'pov'");
  }
}

/** Checks every field of a parent order; the first bad one throws `InvalidParentOrderError` naming it. */
export function validateParentOrder(spec: ParentOrderSpec): ValidatedParent {
  if (spec === null || typeof spec !== 'object') throw new InvalidParentOrderError('spec', spec, 'must be a parent order object');
  if (typeof spec.id !== 'string' || !PARENT_ID.test(spec.id)) {
    throw new InvalidParentOrderError('id', spec.id, 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit');
  }
  if (typeof spec.symbol !== 'string' || !isSymbol(spec.symbol)) throw new InvalidParentOrderError('symbol', spec.symbol, 'must be a normalised symbol');
  if (spec.side !== 'BUY' && spec.side !== 'SELL') throw new InvalidParentOrderError('side', spec.side, "must be 'BUY' or 'SELL'");
  const lotSize = positiveDecimal(spec.lotSize, 'lotSize');
  const tickSize = positiveDecimal(spec.tickSize, 'tickSize');
  const lots = lotsOf(spec.quantity, 'quantity', lotSize);
  let limitPrice: Decimal | undefined;
  if (spec.limitPrice !== undefined) {
    limitPrice = positiveDecimal(spec.limitPrice, 'limitPrice');
    if (!limitPrice.isMultipleOf(tickSize)) throw new InvalidParentOrderError('limitPrice', limitPrice, `must be a whole number of ticks (tick size ${tickSize})`);
  }
  const startNs = nanos(spec.startNs, 'startNs');
  let endNs: bigint | undefined;
  if (spec.endNs !== undefined) {
    endNs = nanos(spec.endNs, 'endNs');
    if (endNs <= startNs) throw new InvalidParentOrderError('endNs', endNs, `must be after startNs (${startNs})`);
  }
  let maxChildRejects = DEFAULT_MAX_CHILD_REJECTS;
  if (spec.maxChildRejects !== undefined) {
    if (typeof spec.maxChildRejects !== 'number' || !Number.isInteger(spec.maxChildRejects) || spec.maxChildRejects < 1) {
      throw new InvalidParentOrderError('maxChildRejects', spec.maxChildRejects, 'must be a positive integer');
    }
    maxChildRejects = spec.maxChildRejects;
  }
  let retryIntervalNs = DEFAULT_RETRY_INTERVAL_NS;
  if (spec.retryIntervalNs !== undefined) {
    retryIntervalNs = nanos(spec.retryIntervalNs, 'retryIntervalNs');
    if (retryIntervalNs === 0n) throw new InvalidParentOrderError('retryIntervalNs', retryIntervalNs, 'must be positive');
  }
  const algo = validateAlgo(spec.algo, { lotSize, lots, startNs, endNs, limitPrice });
  return {
    id: spec.id,
    symbol: spec.symbol,
    side: spec.side,
    quantity: spec.quantity,
    lots,
    limitPrice,
    startNs,
    endNs,
    lotSize,
    tickSize,
    algo,
    maxChildRejects,
    retryIntervalNs,
  };
}
