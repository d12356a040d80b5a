import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, TickOverflowError } from './errors';

/**
 * Converts exact Decimal prices and sizes to the integer ticks and lots of an integer-tick book and
 * back. Every conversion is exact: a price that is not a whole number of ticks, or a count of ticks
 * beyond 2^53 - 1 (where JS numbers stop being exact), is refused rather than rounded.
 */
export class TickScale {
  constructor(
    /** The price increment one tick stands for, e.g. 0.01 for US equities, 0.0001 for LOBSTER prices. */
    readonly tickSize: Decimal,
    /** The size increment one lot stands for, e.g. 1 share, or 0.00000001 BTC. */
    readonly lotSize: Decimal,
  ) {
    if (!(tickSize instanceof Decimal) || !tickSize.isPositive()) {
      throw new InvalidBookArgumentError('tick size', tickSize, 'must be a positive Decimal');
    }
    if (!(lotSize instanceof Decimal) || !lotSize.isPositive()) {
      throw new InvalidBookArgumentError('lot size', lotSize, 'must be a positive Decimal');
    }
  }

  /** `price` in ticks. Throws when it is not a positive whole number of ticks within the safe range. */
  toTicks(price: Decimal): number {
    return units(price, this.tickSize, 'price', 'tick size');
  }

  /** `size` in lots. Throws when it is not a positive whole number of lots within the safe range. */
  toLots(size: Decimal): number {
    return units(size, this.lotSize, 'size', 'lot size');
  }

  fromTicks(ticks: number): Decimal {
    return scaled(ticks, this.tickSize, 'ticks');
  }

  fromLots(lots: number): Decimal {
    return scaled(lots, this.lotSize, 'lots');
  }
}

function units(value: Decimal, step: Decimal, what: string, stepName: string): number {
  if (!(value instanceof Decimal) || !value.isPositive()) {
    throw new InvalidBookArgumentError(what, value, 'must be a positive Decimal');
  }
  const n = value.unitsOf(step);
  if (n !== undefined) return n;
  if (!value.isMultipleOf(step)) throw new InvalidBookArgumentError(what, value, `is not a whole multiple of the ${stepName} ${step}`);
  throw new TickOverflowError(what, `${value} (${value.div(step, 0)} x ${step})`);
}

function scaled(count: number, step: Decimal, what: string): Decimal {
  if (!Number.isSafeInteger(count)) throw new InvalidBookArgumentError(what, count, 'must be a safe integer');
  // One Decimal instead of two when the coefficient stays safe (every product at the usual scales).
  const s = step.safeCoef();
  if (s !== undefined) {
    const coef = count * s;
    if (coef <= Number.MAX_SAFE_INTEGER && coef >= -Number.MAX_SAFE_INTEGER) return Decimal.fromUnits(coef, step.scale);
  }
  return step.mul(Decimal.from(count));
}
