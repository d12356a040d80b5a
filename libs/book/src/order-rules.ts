import { Decimal } from '@meridian/domain';
import { InvalidBookArgumentError, TickOverflowError } from './errors';
import type { RejectReason } from './matching-types';
import type { TickScale } from './tick-scale';

// The value rules every order and amend passes (the same rules, and the same codes, as the domain's
// `validateOrderTerms`), written as functions that return a rejection instead of throwing: a refused
// order is an expected outcome on a venue, reported as an event, not an exception.

export interface Rejection {
  readonly reason: RejectReason;
  readonly message: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const TWO_53 = 2 ** 53;

/** Renders ticks and lots in messages: as Decimals when the engine has a scale, else with their unit. */
export class ValueFormat {
  constructor(private readonly scale: TickScale | undefined) {}

  price(ticks: number): string {
    if (this.scale === undefined || !Number.isSafeInteger(ticks)) return `${ticks} ticks`;
    return this.scale.fromTicks(ticks).toString();
  }

  quantity(lots: number): string {
    if (this.scale === undefined || !Number.isSafeInteger(lots)) return `${lots} lots`;
    return this.scale.fromLots(lots).toString();
  }

  /** A notional given in units of one tick times one lot. */
  notional(units: bigint): string {
    if (this.scale === undefined) return `${units} tick-lots`;
    const { tickSize, lotSize } = this.scale;
    return Decimal.fromUnits(units * tickSize.coef * lotSize.coef, tickSize.scale + lotSize.scale).toString();
  }
}

/** A quantity in lots: a positive safe integer. */
export function checkLots(lots: number, fmt: ValueFormat): Rejection | undefined {
  if (!(lots > 0)) return { reason: 'QUANTITY_NOT_POSITIVE', message: `quantity ${fmt.quantity(lots)} must be positive` };
  if (!Number.isInteger(lots)) return { reason: 'QUANTITY_NOT_LOT_MULTIPLE', message: `quantity ${lots} lots is not a whole number of lots` };
  if (lots > MAX_SAFE) return { reason: 'QUANTITY_OUT_OF_RANGE', message: `quantity ${lots} lots is beyond the exact integer range (2^53 - 1)` };
  return undefined;
}

/** A price in ticks: a positive safe integer. `what` names the field (price, stop price). */
export function checkTicks(ticks: number, what: string, fmt: ValueFormat): Rejection | undefined {
  if (!(ticks > 0)) return { reason: 'PRICE_NOT_POSITIVE', message: `${what} ${fmt.price(ticks)} must be positive` };
  if (!Number.isInteger(ticks)) return { reason: 'PRICE_NOT_TICK_MULTIPLE', message: `${what} ${ticks} ticks is not a whole number of ticks` };
  if (ticks > MAX_SAFE) return { reason: 'PRICE_OUT_OF_RANGE', message: `${what} ${ticks} ticks is beyond the exact integer range (2^53 - 1)` };
  return undefined;
}

/**
 * The minimum notional in units of one tick times one lot (price in ticks × quantity in lots), compared
 * exactly: the product of two safe integers is exact as a double below 2^53, and compared as bigints
 * above it.
 */
export class NotionalFloor {
  readonly units: bigint;
  private readonly unitsNumber: number;

  constructor(units: bigint) {
    this.units = units < 0n ? 0n : units;
    this.unitsNumber = this.units < BigInt(MAX_SAFE) ? Number(this.units) : Infinity;
  }

  /** The minimum that a `minNotional` Decimal means on a tick/lot grid: ceil(min / (tick × lot)). */
  static fromDecimal(minNotional: Decimal, scale: TickScale): NotionalFloor {
    // A notional is always a whole number of tick × lot units, so rounding the minimum up is exact.
    return new NotionalFloor(ceilUnits(minNotional, scale.tickSize.mul(scale.lotSize)));
  }

  below(ticks: number, lots: number): boolean {
    if (this.units === 0n) return false;
    const product = ticks * lots;
    if (product < TWO_53) return product < this.unitsNumber;
    return BigInt(ticks) * BigInt(lots) < this.units;
  }

  check(ticks: number, lots: number, fmt: ValueFormat): Rejection | undefined {
    if (!this.below(ticks, lots)) return undefined;
    const notional = BigInt(ticks) * BigInt(lots);
    return { reason: 'NOTIONAL_BELOW_MIN', message: `notional ${fmt.notional(notional)} is below the minimum ${fmt.notional(this.units)}` };
  }
}

/** A Decimal quantity as lots, or why it is refused (not positive, off the lot grid, out of range). */
export function decimalLots(scale: TickScale, quantity: Decimal): number | Rejection {
  if (!quantity.isPositive()) return { reason: 'QUANTITY_NOT_POSITIVE', message: `quantity ${quantity} must be positive` };
  // The conversion checks the grid and the range itself (without allocating on its fast path); its
  // errors only cost anything on the rare refused order.
  try {
    return scale.toLots(quantity);
  } catch (e) {
    if (e instanceof TickOverflowError) {
      return { reason: 'QUANTITY_OUT_OF_RANGE', message: `quantity ${quantity} is more than 2^53 - 1 lots of ${scale.lotSize}` };
    }
    if (e instanceof InvalidBookArgumentError) {
      return { reason: 'QUANTITY_NOT_LOT_MULTIPLE', message: `quantity ${quantity} is not a multiple of lot size ${scale.lotSize}` };
    }
    throw e;
  }
}

/** A Decimal price as ticks, or why it is refused. `what` names the field (price, stop price). */
export function decimalTicks(scale: TickScale, price: Decimal, what: string): number | Rejection {
  if (!price.isPositive()) return { reason: 'PRICE_NOT_POSITIVE', message: `${what} ${price} must be positive` };
  try {
    return scale.toTicks(price);
  } catch (e) {
    if (e instanceof TickOverflowError) {
      return { reason: 'PRICE_OUT_OF_RANGE', message: `${what} ${price} is more than 2^53 - 1 ticks of ${scale.tickSize}` };
    }
    if (e instanceof InvalidBookArgumentError) {
      return { reason: 'PRICE_NOT_TICK_MULTIPLE', message: `${what} ${price} is not a multiple of tick size ${scale.tickSize}` };
    }
    throw e;
  }
}

/** ceil(value / step) for a positive `step`, exactly; 0 for a value at or below zero. */
export function ceilUnits(value: Decimal, step: Decimal): bigint {
  const s = Math.max(value.scale, step.scale);
  const a = value.coef * 10n ** BigInt(s - value.scale);
  const b = step.coef * 10n ** BigInt(s - step.scale);
  return a <= 0n ? 0n : (a + b - 1n) / b;
}
