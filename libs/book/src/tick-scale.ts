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
  // Fast path without bigint temporaries, for the usual power-of-ten step (0.01, 1, 1e-8): a
  // value with no more decimals than the step is coef × 10^(step.scale - value.scale) steps. Both
  // factors are exact doubles and a product at or below 2^53 - 1 is then exact too.
  const lift = step.scale - value.scale;
  if (step.coef === 1n && lift >= 0 && lift < POW10.length && value.coef <= MAX_SAFE) {
    const n = Number(value.coef) * POW10[lift]!;
    if (n <= Number.MAX_SAFE_INTEGER) return n;
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
  return Decimal.fromUnits(BigInt(count) * step.coef, step.scale);
}
