import { Decimal } from '@meridian/domain';
import { SimInvariantError } from './errors';
import type { OrderRecord } from './order-record';
import type { AccountMode, Balance, FeeSchedule, SimFill, SimUpdate } from './types';

interface Holding {
  available: Decimal;
  hold: Decimal;
}

/**
 * One account's money and orders. Balances are kept as available and hold per currency, so
 * total = available + hold holds by construction; every change goes through the four moves below,
 * each of which the venue pairs with the opposite move on another account (the counterparty, the
 * house or the fee account), so the venue's total of each currency never changes.
 */
export class Account {
  private readonly holdings = new Map<string, Holding>();
  /** Every order in placement order. */
  readonly orders: OrderRecord[] = [];
  readonly byClientId = new Map<string, OrderRecord>();
  readonly byOrderId = new Map<string, OrderRecord>();
  /** Live orders (resting or held stops), in placement order. */
  readonly open = new Set<OrderRecord>();
  /** Fills, oldest first (trade ids increase). */
  readonly fills: SimFill[] = [];
  readonly listeners = new Set<(update: SimUpdate) => void>();
  /**
   * Open quantity per quote currency and base currency, by side: what the open orders would still
   * buy or sell. Kept as running totals (margin checks read them on every order) and audited
   * against the orders by `SimulatedVenue.audit()`.
   */
  readonly working = new Map<string, Map<string, { buy: Decimal; sell: Decimal }>>();

  constructor(
    readonly id: string,
    readonly mode: AccountMode,
    readonly fees: FeeSchedule,
    readonly leverage: Decimal,
    /** The house (mirrored liquidity's counterparty) and fee accounts: they never place orders. */
    readonly venueOwned: boolean,
  ) {}

  private holding(currency: string): Holding {
    let h = this.holdings.get(currency);
    if (h === undefined) {
      h = { available: Decimal.ZERO, hold: Decimal.ZERO };
      this.holdings.set(currency, h);
    }
    return h;
  }

  available(currency: string): Decimal {
    return this.holdings.get(currency)?.available ?? Decimal.ZERO;
  }

  hold(currency: string): Decimal {
    return this.holdings.get(currency)?.hold ?? Decimal.ZERO;
  }

  total(currency: string): Decimal {
    const h = this.holdings.get(currency);
    return h === undefined ? Decimal.ZERO : h.available.add(h.hold);
  }

  currencies(): string[] {
    return [...this.holdings.keys()].sort();
  }

  /** Adds to (or, negative, takes from) the available balance: a deposit, proceeds, a payment. */
  credit(currency: string, amount: Decimal): void {
    if (amount.isZero()) return;
    const h = this.holding(currency);
    h.available = h.available.add(amount);
  }

  /** Moves `amount` from available to hold (an order reserving funds). */
  reserve(currency: string, amount: Decimal): void {
    if (amount.isZero()) return;
    const h = this.holding(currency);
    h.available = h.available.sub(amount);
    h.hold = h.hold.add(amount);
    this.checkHold(currency, h);
  }

  /** Moves `amount` from hold back to available. */
  release(currency: string, amount: Decimal): void {
    if (amount.isZero()) return;
    const h = this.holding(currency);
    h.hold = h.hold.sub(amount);
    h.available = h.available.add(amount);
    this.checkHold(currency, h);
  }

  /** Pays `amount` out of the hold (a fill settling what its order reserved). */
  payFromHold(currency: string, amount: Decimal): void {
    if (amount.isZero()) return;
    const h = this.holding(currency);
    h.hold = h.hold.sub(amount);
    this.checkHold(currency, h);
  }

  /** Adds `delta` (negative: less) to the open quantity of `base` against `quote` on `side`. */
  addWorking(quote: string, base: string, side: 'BUY' | 'SELL', delta: Decimal): void {
    if (delta.isZero()) return;
    let byBase = this.working.get(quote);
    if (byBase === undefined) {
      byBase = new Map();
      this.working.set(quote, byBase);
    }
    const w = byBase.get(base) ?? { buy: Decimal.ZERO, sell: Decimal.ZERO };
    const next = side === 'BUY' ? { buy: w.buy.add(delta), sell: w.sell } : { buy: w.buy, sell: w.sell.add(delta) };
    if (next.buy.isNegative() || next.sell.isNegative()) throw new SimInvariantError(`account ${this.id}: open ${side} quantity of ${base}/${quote} went negative`);
    if (next.buy.isZero() && next.sell.isZero()) byBase.delete(base);
    else byBase.set(base, next);
  }

  balances(): Balance[] {
    return this.currencies().map((currency) => {
      const h = this.holdings.get(currency)!;
      return { currency, total: h.available.add(h.hold), available: h.available, hold: h.hold };
    });
  }

  private checkHold(currency: string, h: Holding): void {
    if (h.hold.isNegative()) throw new SimInvariantError(`account ${this.id}: the hold of ${currency} went negative (${h.hold})`);
  }
}
