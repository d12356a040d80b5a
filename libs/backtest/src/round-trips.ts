import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import type { RoundTrip } from './result';

/** Digits of a round trip's average prices and of the fee share of a fill split by a flip. */
const PRICE_SCALE = 12;

interface OpenTrip {
  readonly direction: 'long' | 'short';
  readonly entryNs: bigint;
  position: Decimal;
  maxQuantity: Decimal;
  bought: Decimal;
  boughtNotional: Decimal;
  sold: Decimal;
  soldNotional: Decimal;
  fees: Decimal;
  fills: number;
}

/**
 * Cuts one symbol's fills into round trips: a trip opens when the position leaves zero and closes
 * when it returns to zero; a fill that flips the position closes the trip with the part that
 * reaches zero and opens the next with the rest, its fee shared in proportion (rounded to 12
 * digits, the rest to the new trip, so fees add up exactly). P&L is Σ sells − Σ buys of the
 * trip's fills, exact.
 */
export class RoundTripBuilder {
  private trip: OpenTrip | undefined;
  private readonly closed: RoundTrip[] = [];

  constructor(readonly symbol: string) {}

  /** The position the trips have followed so far. */
  get position(): Decimal {
    return this.trip?.position ?? Decimal.ZERO;
  }

  fill(side: Side, quantity: Decimal, price: Decimal, fee: Decimal, tsNs: bigint): void {
    const before = this.position;
    const signed = side === 'BUY' ? quantity : quantity.neg();
    const after = before.add(signed);
    if (!before.isZero() && before.sign() !== after.sign() && !after.isZero()) {
      // A flip: close with what brings the position to zero, open with the rest.
      const closing = before.abs();
      const closingFee = fee.mul(closing).div(quantity, Math.max(fee.scale, PRICE_SCALE), 'half-even');
      this.add(side, closing, price, closingFee, tsNs);
      this.add(side, quantity.sub(closing), price, fee.sub(closingFee), tsNs);
      return;
    }
    this.add(side, quantity, price, fee, tsNs);
  }

  /** The closed trips, in the order they closed. */
  trips(): readonly RoundTrip[] {
    return this.closed;
  }

  private add(side: Side, quantity: Decimal, price: Decimal, fee: Decimal, tsNs: bigint): void {
    let t = this.trip;
    if (t === undefined) {
      t = {
        direction: side === 'BUY' ? 'long' : 'short',
        entryNs: tsNs,
        position: Decimal.ZERO,
        maxQuantity: Decimal.ZERO,
        bought: Decimal.ZERO,
        boughtNotional: Decimal.ZERO,
        sold: Decimal.ZERO,
        soldNotional: Decimal.ZERO,
        fees: Decimal.ZERO,
        fills: 0,
      };
      this.trip = t;
    }
    const notional = price.mul(quantity);
    if (side === 'BUY') {
      t.bought = t.bought.add(quantity);
      t.boughtNotional = t.boughtNotional.add(notional);
      t.position = t.position.add(quantity);
    } else {
      t.sold = t.sold.add(quantity);
      t.soldNotional = t.soldNotional.add(notional);
      t.position = t.position.sub(quantity);
    }
    t.fees = t.fees.add(fee);
    t.fills += 1;
    if (t.position.abs().gt(t.maxQuantity)) t.maxQuantity = t.position.abs();
    if (!t.position.isZero()) return;
    const long = t.direction === 'long';
    const buyAvg = t.boughtNotional.div(t.bought, PRICE_SCALE, 'half-even');
    const sellAvg = t.soldNotional.div(t.sold, PRICE_SCALE, 'half-even');
    const pnl = t.soldNotional.sub(t.boughtNotional);
    this.closed.push({
      symbol: this.symbol,
      direction: t.direction,
      maxQuantity: t.maxQuantity.toString(),
      quantity: t.bought.toString(),
      entryNs: t.entryNs.toString(),
      exitNs: tsNs.toString(),
      entryPrice: (long ? buyAvg : sellAvg).toString(),
      exitPrice: (long ? sellAvg : buyAvg).toString(),
      pnl: pnl.toString(),
      fees: t.fees.toString(),
      netPnl: pnl.sub(t.fees).toString(),
      holdingMs: Number((tsNs - t.entryNs) / 1_000_000n),
      fills: t.fills,
    });
    this.trip = undefined;
  }
}
