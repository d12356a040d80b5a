import { Decimal } from '@meridian/domain';
import { SimConfigError } from './errors';
import type { FeeSchedule } from './types';

const MAX_FEE_SCALE = 36;

/** Checks a fee schedule; `key` names it in the error (e.g. `fees`, `accounts["a"].fees`). */
export function validateFeeSchedule(fees: FeeSchedule, key: string): FeeSchedule {
  if (fees === null || typeof fees !== 'object') throw new SimConfigError(key, fees, 'must be an object { maker, taker, scale }');
  if (!(fees.taker instanceof Decimal) || fees.taker.isNegative() || fees.taker.gte(Decimal.ONE)) {
    throw new SimConfigError(`${key}.taker`, fees.taker, 'must be a Decimal in [0, 1)');
  }
  // A rebate (negative maker fee) is allowed, but never one the venue would pay more than it takes on the other side.
  if (!(fees.maker instanceof Decimal) || fees.maker.gte(Decimal.ONE) || fees.maker.add(fees.taker).isNegative()) {
    throw new SimConfigError(`${key}.maker`, fees.maker, `must be a Decimal below 1 and not below -taker (${fees.taker.neg()})`);
  }
  if (!Number.isInteger(fees.scale) || fees.scale < 0 || fees.scale > MAX_FEE_SCALE) {
    throw new SimConfigError(`${key}.scale`, fees.scale, `must be an integer in [0, ${MAX_FEE_SCALE}]`);
  }
  return fees;
}

/**
 * The fee of one fill. Fees are rounded up (against the account) at `scale` on the order's running
 * notional per liquidity kind: the fill's fee is ceil(rate × notional after) − ceil(rate × notional
 * before). Every fee is then a multiple of 10^-scale, and an order's fees add up to the rounded-up
 * fee of its whole notional instead of growing by a rounding unit per fill, which is what lets a
 * cash account's hold (`feeBound`) cover them exactly.
 */
export function fillFee(rate: Decimal, notionalBefore: Decimal, notionalAfter: Decimal, scale: number): Decimal {
  return notionalAfter.mul(rate).round(scale, 'ceil').sub(notionalBefore.mul(rate).round(scale, 'ceil'));
}

/**
 * The most an order can pay in fees on at most `notional` of fills, whatever mix of maker and taker
 * fills it gets: ceil(notional × max rate) plus one rounding unit (the two liquidity kinds are
 * rounded separately, and ceil(a) + ceil(b) < a + b + 2 units). Zero when neither rate is positive.
 */
export function feeBound(notional: Decimal, fees: FeeSchedule): Decimal {
  const rate = Decimal.max(fees.maker, fees.taker);
  if (!rate.isPositive() || !notional.isPositive()) return Decimal.ZERO;
  return notional.mul(rate).round(fees.scale, 'ceil').add(Decimal.fromUnits(1n, fees.scale));
}
