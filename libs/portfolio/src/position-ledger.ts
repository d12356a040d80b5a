import { Decimal, sideSign } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidFillError, InvalidPositionSnapshotError } from './errors';

/** Fraction digits of the displayed average price; the cost basis behind it stays exact. */
export const AVERAGE_PRICE_SCALE = 12;

/**
 * Smallest number of fraction digits a partial close allocates cost with. Any rounding of that
 * allocation stays in the remaining cost basis and is realized when the position closes, so the
 * total realized P&L is exact; this only bounds how lumpy the individual partial closes are.
 */
const MIN_ALLOCATION_SCALE = 12;

export interface FillInput {
  side: Side;
  quantity: Decimal;
  price: Decimal;
  /** In quote currency; normally >= 0, a maker rebate may be negative. */
  fee: Decimal;
}

export interface PositionSnapshot {
  symbol: string;
  /** Signed: long > 0, short < 0. */
  quantity: Decimal;
  /** Rounded to 12 fraction digits for display; 0 when flat. */
  averagePrice: Decimal;
  /** Gross of fees. */
  realizedPnl: Decimal;
  fees: Decimal;
  fillCount: number;
  boughtQuantity: Decimal;
  soldQuantity: Decimal;
  /**
   * Exact signed cost of the open quantity (same sign as `quantity`). `snapshot()` always sets it
   * so `restore` round-trips exactly; when absent, `restore` falls back to averagePrice × quantity.
   */
  costBasis?: Decimal;
  /** The open lots, oldest first: set by FIFO and LIFO ledgers (which need them to restore). */
  lots?: PositionLot[];
}

/** Quantity (positive, on the position's side) opened at one price. */
export interface PositionLot {
  quantity: Decimal;
  price: Decimal;
}

/** Refuses a fill no ledger can book, naming the field. */
export function validateFill(symbol: string, fill: FillInput): void {
  const bad = (field: string, value: unknown, reason: string): InvalidFillError => new InvalidFillError(symbol, field, value, reason);
  if (fill?.side !== 'BUY' && fill?.side !== 'SELL') throw bad('side', fill?.side, 'must be BUY or SELL');
  if (!(fill.quantity instanceof Decimal) || !fill.quantity.isPositive()) throw bad('quantity', fill.quantity, 'must be a positive Decimal');
  if (!(fill.price instanceof Decimal) || !fill.price.isPositive()) throw bad('price', fill.price, 'must be a positive Decimal');
  if (!(fill.fee instanceof Decimal)) throw bad('fee', fill.fee, 'must be a Decimal');
}

/**
 * One symbol's position with weighted-average cost.
 *
 * The ledger stores the exact signed cost basis (Σ signed quantity × price of the open position)
 * instead of an average price, because a weighted average is often a repeating decimal (5/3):
 * storing it rounded would make every later P&L drift. Consequently the identity
 * realized + unrealized − fees = cash flow + quantity × mark holds exactly at every step.
 */
export class PositionLedger {
  private qty = Decimal.ZERO;
  private cost = Decimal.ZERO;
  private realized = Decimal.ZERO;
  private feeTotal = Decimal.ZERO;
  private fills = 0;
  private bought = Decimal.ZERO;
  private sold = Decimal.ZERO;

  constructor(readonly symbol: string) {}

  /**
   * Books one fill and returns the P&L it realized (gross of its fee). A fill against the position
   * realizes (price − average) × closed quantity with the position's sign; the part of a fill that
   * crosses through zero opens a new position at the fill price.
   */
  applyFill(fill: FillInput): { realizedPnl: Decimal } {
    validateFill(this.symbol, fill);
    const sign = sideSign(fill.side);
    const held = this.qty.sign();
    let realized = Decimal.ZERO;
    let opening = fill.quantity;

    if (held !== 0 && held !== sign) {
      const heldSize = this.qty.abs();
      const closing = Decimal.min(fill.quantity, heldSize);
      // Cost leaving the position; the whole basis when fully closed, so nothing is left behind.
      const released = closing.eq(heldSize)
        ? this.cost
        : this.cost.mul(closing).div(heldSize, Math.max(MIN_ALLOCATION_SCALE, this.cost.scale, closing.scale + fill.price.scale), 'half-even');
      // Closing a long sells at `price`; closing a short buys back at it.
      const closedSigned = held > 0 ? closing : closing.neg();
      realized = closedSigned.mul(fill.price).sub(released);
      this.qty = this.qty.sub(closedSigned);
      this.cost = this.cost.sub(released);
      opening = fill.quantity.sub(closing);
    }

    if (opening.isPositive()) {
      const signed = sign > 0 ? opening : opening.neg();
      this.qty = this.qty.add(signed);
      this.cost = this.cost.add(signed.mul(fill.price));
    }

    this.realized = this.realized.add(realized);
    this.feeTotal = this.feeTotal.add(fill.fee);
    this.fills += 1;
    if (sign > 0) this.bought = this.bought.add(fill.quantity);
    else this.sold = this.sold.add(fill.quantity);
    return { realizedPnl: realized };
  }

  get quantity(): Decimal {
    return this.qty;
  }

  /** Weighted-average entry price, rounded half-even to 12 digits; 0 when flat. */
  get averagePrice(): Decimal {
    return this.qty.isZero() ? Decimal.ZERO : this.cost.div(this.qty, AVERAGE_PRICE_SCALE, 'half-even');
  }

  /** Exact signed cost of the open quantity. */
  get costBasis(): Decimal {
    return this.cost;
  }

  get realizedPnl(): Decimal {
    return this.realized;
  }

  get fees(): Decimal {
    return this.feeTotal;
  }

  get fillCount(): number {
    return this.fills;
  }

  /** (mark − average) × quantity, computed from the exact cost basis as quantity × mark − cost. */
  unrealizedPnl(mark: Decimal): Decimal {
    if (!(mark instanceof Decimal)) throw new InvalidFillError(this.symbol, 'mark', mark, 'must be a Decimal');
    return this.qty.mul(mark).sub(this.cost);
  }

  /** realized + unrealized − fees. */
  netPnl(mark: Decimal): Decimal {
    return this.realized.add(this.unrealizedPnl(mark)).sub(this.feeTotal);
  }

  isFlat(): boolean {
    return this.qty.isZero();
  }

  snapshot(): PositionSnapshot {
    return {
      symbol: this.symbol,
      quantity: this.qty,
      averagePrice: this.averagePrice,
      realizedPnl: this.realized,
      fees: this.feeTotal,
      fillCount: this.fills,
      boughtQuantity: this.bought,
      soldQuantity: this.sold,
      costBasis: this.cost,
    };
  }

  static restore(s: PositionSnapshot): PositionLedger {
    const symbol = String(s.symbol);
    const bad = (field: string, value: unknown, reason: string): InvalidPositionSnapshotError =>
      new InvalidPositionSnapshotError(symbol, field, value, reason);
    if (typeof s.symbol !== 'string' || s.symbol === '') throw bad('symbol', s.symbol, 'must be a non-empty string');
    for (const field of ['quantity', 'averagePrice', 'realizedPnl', 'fees', 'boughtQuantity', 'soldQuantity'] as const) {
      if (!(s[field] instanceof Decimal)) throw bad(field, s[field], 'must be a Decimal');
    }
    if (s.costBasis !== undefined && !(s.costBasis instanceof Decimal)) throw bad('costBasis', s.costBasis, 'must be a Decimal');
    if (!Number.isSafeInteger(s.fillCount) || s.fillCount < 0) throw bad('fillCount', s.fillCount, 'must be a non-negative integer');
    if (s.boughtQuantity.isNegative()) throw bad('boughtQuantity', s.boughtQuantity, 'must not be negative');
    if (s.soldQuantity.isNegative()) throw bad('soldQuantity', s.soldQuantity, 'must not be negative');

    const cost = s.costBasis ?? s.averagePrice.mul(s.quantity);
    if (s.quantity.isZero()) {
      if (!cost.isZero()) throw bad('costBasis', cost, 'must be 0 when the position is flat');
    } else if (cost.sign() !== s.quantity.sign()) {
      // Same sign means a positive average price; anything else is a corrupt record.
      throw bad(s.costBasis === undefined ? 'averagePrice' : 'costBasis', s.costBasis ?? s.averagePrice, `gives a non-positive average price for quantity ${s.quantity}`);
    }

    const ledger = new PositionLedger(symbol);
    ledger.qty = s.quantity;
    ledger.cost = cost;
    ledger.realized = s.realizedPnl;
    ledger.feeTotal = s.fees;
    ledger.fills = s.fillCount;
    ledger.bought = s.boughtQuantity;
    ledger.sold = s.soldQuantity;
    return ledger;
  }

}
