import { Decimal } from '@meridian/domain';
import { PositionLedger } from '@meridian/portfolio';
import { SimInvariantError } from './errors';
import type { OrderRecord } from './order-record';
import type { AccountMode, Balance, FeeSchedule, SimFill, SimPosition, SimUpdate } from './types';

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
  /**
   * The orders remembered, in placement order, and until the next compaction those forgotten
   * (`forgotten` set): readers skip those.
   */
  readonly orders: OrderRecord[] = [];
  /** The orders remembered (open, or done and not forgotten), by client order id and by order id. */
  readonly byClientId = new Map<string, OrderRecord>();
  readonly byOrderId = new Map<string, OrderRecord>();
  /** Live orders (resting or held stops), in placement order. */
  readonly open = new Set<OrderRecord>();
  /** Fills, oldest first (trade ids increase); until the next compaction also those of forgotten orders (`isForgottenFill`). */
  readonly fills: SimFill[] = [];
  /**
   * Each symbol's position folded from every fill in order, kept from the first `forget` on: until
   * then `fills` holds every fill and positions are folded from it when asked (a backtest's venue,
   * which never forgets, pays nothing per fill).
   */
  private ledgers: Map<string, PositionLedger> | undefined;
  /** Entries of `orders` and `fills` forgotten and not yet compacted away. */
  private staleOrders = 0;
  private staleFills = 0;
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

  /** Each currency's available and held balance, in the order the currencies first appeared (read-only: the moves below change them). */
  get balancesByCurrency(): ReadonlyMap<string, Readonly<Holding>> {
    return this.holdings;
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

  /** A fill of one of this account's orders (the venue's settlement records each once). */
  recordFill(fill: SimFill): void {
    this.fills.push(fill);
    if (this.ledgers !== undefined) foldFill(this.ledgers, fill);
  }

  /** Positions that are not flat, by symbol in order of their first fill, from every fill ever (forgotten ones included). */
  positions(): SimPosition[] {
    const ledgers = this.ledgers ?? foldFills(this.fills);
    const out: SimPosition[] = [];
    for (const [symbol, ledger] of ledgers) if (!ledger.isFlat()) out.push({ symbol, quantity: ledger.quantity, averagePrice: ledger.averagePrice });
    return out;
  }

  /** Orders remembered: open, or done and not forgotten. */
  get orderCount(): number {
    return this.byOrderId.size;
  }

  /** Fills remembered: those of the orders remembered. */
  get fillCount(): number {
    return this.fills.length - this.staleFills;
  }

  /** Whether a fill in `fills` belongs to a forgotten order (it stays there until the next compaction). */
  isForgottenFill(fill: SimFill): boolean {
    // Order ids are never reused, so a fill's order is missing from `byOrderId` only once forgotten.
    return this.staleFills > 0 && !this.byOrderId.has(fill.orderId);
  }

  /**
   * Forgets a done order and its fills. Removing each from `orders` and `fills` at once would shift
   * the arrays every time; instead they are compacted once as many of their entries are stale as
   * live, so forgetting costs O(1) per order and fill, amortised, and the arrays stay at most twice
   * what is remembered.
   */
  forget(order: OrderRecord): void {
    if (!order.done || this.open.has(order)) throw new SimInvariantError(`account ${this.id}: order ${order.orderId} is ${order.status}, not done: it cannot be forgotten`);
    if (order.forgotten || this.byOrderId.get(order.orderId) !== order) return;
    // Positions outlive the fills they come from: folded from all of them, in order, before any goes.
    this.ledgers ??= foldFills(this.fills);
    this.byClientId.delete(order.clientOrderId);
    this.byOrderId.delete(order.orderId);
    order.forgotten = true;
    this.staleOrders++;
    this.staleFills += order.fillCount;
    if (this.staleOrders * 2 >= this.orders.length) {
      compact(this.orders, (o) => !o.forgotten);
      this.staleOrders = 0;
    }
    if (this.staleFills > 0 && this.staleFills * 2 >= this.fills.length) {
      compact(this.fills, (f) => this.byOrderId.has(f.orderId));
      this.staleFills = 0;
    }
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

/** Keeps the entries `keep` accepts, in order, in place. */
function compact<T>(list: T[], keep: (item: T) => boolean): void {
  let n = 0;
  for (const item of list) if (keep(item)) list[n++] = item;
  list.length = n;
}

function foldFill(ledgers: Map<string, PositionLedger>, f: SimFill): void {
  let ledger = ledgers.get(f.symbol);
  if (ledger === undefined) {
    ledger = new PositionLedger(f.symbol);
    ledgers.set(f.symbol, ledger);
  }
  ledger.applyFill({ side: f.side, quantity: f.quantity, price: f.price, fee: f.fee });
}

function foldFills(fills: readonly SimFill[]): Map<string, PositionLedger> {
  const ledgers = new Map<string, PositionLedger>();
  for (const f of fills) foldFill(ledgers, f);
  return ledgers;
}
