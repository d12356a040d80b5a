import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { InvalidFillError, InvalidPositionSnapshotError } from './errors';

/** Fraction digits of the displayed average price; the cost basis behind it stays exact. */
export const AVERAGE_PRICE_SCALE = 12;


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
 * What every cost method keeps the same way: the signed quantity, the exact signed cost of the
 * open quantity, realized P&L, fees and counts, and everything computed from them. A subclass
 * decides only what a fill against the position releases from the cost (and so realizes).
 */
export abstract class LedgerTotals {
  protected qty = Decimal.ZERO;
  protected cost = Decimal.ZERO;
  protected realized = Decimal.ZERO;
  protected feeTotal = Decimal.ZERO;
  protected fills = 0;
  protected bought = Decimal.ZERO;
  protected sold = Decimal.ZERO;

  constructor(readonly symbol: string) {}

  /** Adds what every fill adds, whatever the method: its realized P&L, fee, count and side total. */
  protected book(fill: FillInput, realized: Decimal): { realizedPnl: Decimal } {
    this.realized = this.realized.add(realized);
    this.feeTotal = this.feeTotal.add(fill.fee);
    this.fills += 1;
    if (fill.side === 'BUY') this.bought = this.bought.add(fill.quantity);
    else this.sold = this.sold.add(fill.quantity);
    return { realizedPnl: realized };
  }

  get quantity(): Decimal {
    return this.qty;
  }

  /** Average entry price of the open quantity, rounded half-even to 12 digits; 0 when flat. */
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

  /** Takes a snapshot's totals, once the subclass has checked them and worked out the cost. */
  protected restoreTotals(s: PositionSnapshot, cost: Decimal): void {
    this.qty = s.quantity;
    this.cost = cost;
    this.realized = s.realizedPnl;
    this.feeTotal = s.fees;
    this.fills = s.fillCount;
    this.bought = s.boughtQuantity;
    this.sold = s.soldQuantity;
  }
}

/** Refuses a snapshot whose common fields no ledger can hold, naming the field; returns its symbol. */
export function checkSnapshotTotals(s: PositionSnapshot): string {
  const symbol = String(s.symbol);
  const bad = (field: string, value: unknown, reason: string) => new InvalidPositionSnapshotError(symbol, field, value, reason);
  if (typeof s.symbol !== 'string' || s.symbol === '') throw bad('symbol', s.symbol, 'must be a non-empty string');
  for (const field of ['quantity', 'realizedPnl', 'fees', 'boughtQuantity', 'soldQuantity'] as const) {
    if (!(s[field] instanceof Decimal)) throw bad(field, s[field], 'must be a Decimal');
  }
  if (s.costBasis !== undefined && !(s.costBasis instanceof Decimal)) throw bad('costBasis', s.costBasis, 'must be a Decimal');
  if (!Number.isSafeInteger(s.fillCount) || s.fillCount < 0) throw bad('fillCount', s.fillCount, 'must be a non-negative integer');
  if (s.boughtQuantity.isNegative()) throw bad('boughtQuantity', s.boughtQuantity, 'must not be negative');
  if (s.soldQuantity.isNegative()) throw bad('soldQuantity', s.soldQuantity, 'must not be negative');
  return symbol;
}
