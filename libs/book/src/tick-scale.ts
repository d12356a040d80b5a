import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, TickOverflowError } from './errors';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** 10^k as exact doubles, k = 0..15 (every one is below 2^53). */
const POW10 = Array.from({ length: 16 }, (_, k) => 10 ** k);

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
  // Without bigint temporaries while both coefficients are safe integers (prices and sizes at
  // their usual scales): both brought to the larger scale, each product checked to be still safe
  // (a float product that is comes out exact), then one exact float remainder and quotient.
  const v = value.safeCoef();
  const st = step.safeCoef();
  if (v !== undefined && st !== undefined) {
    const lift = step.scale - value.scale;
    const a = lift >= 0 ? (lift < POW10.length ? v * POW10[lift]! : Number.POSITIVE_INFINITY) : v;
    const b = lift >= 0 ? st : -lift < POW10.length ? st * POW10[-lift]! : Number.POSITIVE_INFINITY;
    if (a <= Number.MAX_SAFE_INTEGER && b <= Number.MAX_SAFE_INTEGER) {
      if (a % b !== 0) throw new InvalidBookArgumentError(what, value, `is not a whole multiple of the ${stepName} ${step}`);
      return a / b;
    }
  }
  // value / step with both coefficients brought to the larger scale.
  const a = value.scale >= step.scale ? value.coef : value.coef * 10n ** BigInt(step.scale - value.scale);
  const b = step.scale >= value.scale ? step.coef : step.coef * 10n ** BigInt(value.scale - step.scale);
  if (a % b !== 0n) throw new InvalidBookArgumentError(what, value, `is not a whole multiple of the ${stepName} ${step}`);
  const n = a / b;
  if (n > MAX_SAFE) throw new TickOverflowError(what, `${value} (${n} x ${step})`);
  return Number(n);
}

function scaled(count: number, step: Decimal, what: string): Decimal {
  if (!Number.isSafeInteger(count)) throw new InvalidBookArgumentError(what, count, 'must be a safe integer');
  const c = step.safeCoef();
  if (c !== undefined) {
    // A float product that is a safe integer is exact; a larger one takes bigint.
    const units = count * c;
    if (Number.isSafeInteger(units)) return Decimal.fromUnits(units, step.scale);
  }
  return Decimal.fromUnits(BigInt(count) * step.coef, step.scale);
}
