import { Decimal, sideSign } from '@meridian/domain';
import { InvalidPositionSnapshotError } from './errors';
import { LedgerTotals, checkSnapshotTotals, validateFill } from './ledger';
import type { FillInput, PositionLot, PositionSnapshot } from './ledger';

/** Which open lot a closing fill consumes first. */
export type LotOrder = 'FIFO' | 'LIFO';

/**
 * One symbol's position as the lots that opened it, closed first-in-first-out or
 * last-in-first-out. A close realizes (fill price − lot price) × closed quantity per lot, with the
 * position's sign: products of decimals only, no division, so realized P&L is exact with no
 * rounding at all (the weighted-average ledger has to allocate cost on a partial close).
 *
 * Lots live in an array with a moving head, so FIFO closes are O(1) per lot consumed and the
 * array is compacted only when the consumed prefix dominates it.
 */
export class LotLedger extends LedgerTotals {
  /** Open lots in opening order; quantities positive, all on the position's side. */
  private lots: { quantity: Decimal; price: Decimal }[] = [];
  private head = 0;

  constructor(
    symbol: string,
    readonly order: LotOrder,
  ) {
    super(symbol);
  }

  /** Books one fill and returns the P&L it realized (gross of its fee). */
  applyFill(fill: FillInput): { realizedPnl: Decimal } {
    validateFill(this.symbol, fill);
    const sign = sideSign(fill.side);
    const held = this.qty.sign();
    let realized = Decimal.ZERO;
    let remaining = fill.quantity;

    if (held !== 0 && held !== sign) {
      while (remaining.isPositive() && this.head < this.lots.length) {
        const index = this.order === 'FIFO' ? this.head : this.lots.length - 1;
        const lot = this.lots[index]!;
        const closing = Decimal.min(remaining, lot.quantity);
        // Closing a long sells at the fill price; closing a short buys back at it.
        const pnl = fill.price.sub(lot.price).mul(closing);
        realized = realized.add(held > 0 ? pnl : pnl.neg());
        const signedClosed = held > 0 ? closing : closing.neg();
        this.qty = this.qty.sub(signedClosed);
        this.cost = this.cost.sub(signedClosed.mul(lot.price));
        remaining = remaining.sub(closing);
        if (closing.eq(lot.quantity)) this.dropLot(index);
        else lot.quantity = lot.quantity.sub(closing);
      }
    }

    if (remaining.isPositive()) {
      // From flat, with the position, or what crosses through zero: a new lot at the fill price.
      const signed = sign > 0 ? remaining : remaining.neg();
      this.lots.push({ quantity: remaining, price: fill.price });
      this.qty = this.qty.add(signed);
      this.cost = this.cost.add(signed.mul(fill.price));
    }

    return this.book(fill, realized);
  }

  private dropLot(index: number): void {
    if (index === this.head) {
      this.head += 1;
      if (this.head === this.lots.length) {
        this.lots = [];
        this.head = 0;
      } else if (this.head > 64 && this.head * 2 > this.lots.length) {
        this.lots = this.lots.slice(this.head);
        this.head = 0;
      }
    } else {
      this.lots.pop(); // LIFO consumes from the tail
    }
  }

  /** The open lots, oldest first (quantities positive, on the position's side). */
  openLots(): PositionLot[] {
    return this.lots.slice(this.head).map((l) => ({ quantity: l.quantity, price: l.price }));
  }

  override snapshot(): PositionSnapshot {
    return { ...super.snapshot(), lots: this.openLots() };
  }

  /** Rebuilds a ledger from its snapshot; the lots must be there and add up to the quantity and cost. */
  static restore(s: PositionSnapshot, order: LotOrder): LotLedger {
    const symbol = checkSnapshotTotals(s);
    const bad = (field: string, value: unknown, reason: string) => new InvalidPositionSnapshotError(symbol, field, value, reason);
    if (!Array.isArray(s.lots)) throw bad('lots', s.lots, `must be given (the open lots) to restore a ${order} position`);
    const ledger = new LotLedger(symbol, order);
    const sign = s.quantity.sign();
    let qty = Decimal.ZERO;
    let cost = Decimal.ZERO;
    for (const [i, lot] of s.lots.entries()) {
      if (!(lot?.quantity instanceof Decimal) || !lot.quantity.isPositive()) throw bad(`lots[${i}].quantity`, lot?.quantity, 'must be a positive Decimal');
      if (!(lot.price instanceof Decimal) || !lot.price.isPositive()) throw bad(`lots[${i}].price`, lot.price, 'must be a positive Decimal');
      const signed = sign < 0 ? lot.quantity.neg() : lot.quantity;
      qty = qty.add(signed);
      cost = cost.add(signed.mul(lot.price));
      ledger.lots.push({ quantity: lot.quantity, price: lot.price });
    }
    if (!qty.eq(s.quantity)) throw bad('lots', qty, `add up to ${qty}, not the quantity ${s.quantity}`);
    if (s.costBasis !== undefined && !cost.eq(s.costBasis)) throw bad('lots', cost, `cost ${cost}, not the cost basis ${s.costBasis}`);
    ledger.restoreTotals(s, cost);
    return ledger;
  }

}
