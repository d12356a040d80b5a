import { Decimal, sideSign } from '@meridian/domain';
import { InvalidPositionSnapshotError } from './errors';
import { LedgerTotals, checkSnapshotTotals, validateFill } from './ledger';
import type { FillInput, PositionSnapshot } from './ledger';

/**
 * Smallest number of fraction digits a partial close allocates cost with. Any rounding of that
 * allocation stays in the remaining cost basis and is realized when the position closes, so the
 * total realized P&L is exact; this only bounds how lumpy the individual partial closes are.
 */
const MIN_ALLOCATION_SCALE = 12;

/**
 * One symbol's position with weighted-average cost.
 *
 * The ledger stores the exact signed cost basis (Σ signed quantity × price of the open position)
 * instead of an average price, because a weighted average is often a repeating decimal (5/3):
 * storing it rounded would make every later P&L drift. Consequently the identity
 * realized + unrealized − fees = cash flow + quantity × mark holds exactly at every step.
 */
export class PositionLedger extends LedgerTotals {
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

    return this.book(fill, realized);
  }

  static restore(s: PositionSnapshot): PositionLedger {
    const symbol = checkSnapshotTotals(s);
    const bad = (field: string, value: unknown, reason: string): InvalidPositionSnapshotError =>
      new InvalidPositionSnapshotError(symbol, field, value, reason);
    if (s.costBasis === undefined && !(s.averagePrice instanceof Decimal)) throw bad('averagePrice', s.averagePrice, 'must be a Decimal');

    const cost = s.costBasis ?? s.averagePrice.mul(s.quantity);
    if (s.quantity.isZero()) {
      if (!cost.isZero()) throw bad('costBasis', cost, 'must be 0 when the position is flat');
    } else if (cost.sign() !== s.quantity.sign()) {
      // Same sign means a positive average price; anything else is a corrupt record.
      throw bad(s.costBasis === undefined ? 'averagePrice' : 'costBasis', s.costBasis ?? s.averagePrice, `gives a non-positive average price for quantity ${s.quantity}`);
    }

    const ledger = new PositionLedger(symbol);
    ledger.restoreTotals(s, cost);
    return ledger;
  }
}
