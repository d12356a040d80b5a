import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { SettledIds } from '@meridian/portfolio';
import { DEFAULT_ORDER_RATE_WINDOW_MS, checkOrder } from './check';
import type { AccountState, BreakerView, CheckContext, ExposureState, KillSwitchState, MarketState, OrderToCheck, PnlState, RiskDecision, StrategyState } from './check';
import type { LimitsBook } from './limits';
import { OrderRateWindow } from './rate';
import type { RateWindowView } from './rate';

/** An approved order as the state needs it. */
export interface WorkingOrderInput {
  symbol: string;
  /** Empty or absent: no strategy. */
  strategy?: string;
  side: Side;
  quantity: Decimal;
  /** Its limit or reference price: values the symbol until a fill or a BBO gives it a mark. */
  price?: Decimal;
}

/** What the state knows of one order; events may arrive in any order (replay of separate streams). */
interface OrderEntry {
  readonly symbol: string;
  strategy: string;
  side: Side | undefined;
  quantity: Decimal | undefined;
  filled: Decimal;
  closed: boolean;
  /** The working quantity this entry contributes now. */
  counted: Decimal;
}

class SymbolBook {
  position = Decimal.ZERO;
  workingBuy = Decimal.ZERO;
  workingSell = Decimal.ZERO;
  openOrders = 0;
  /** The price this symbol is valued at: the BBO mid, else its last fill or order price. */
  mark: Decimal | undefined = undefined;
  markFromMarket = false;
  bid: Decimal | undefined = undefined;
  ask: Decimal | undefined = undefined;
  /** Its terms in the account totals. */
  gross = Decimal.ZERO;
  netLong = Decimal.ZERO;
  netShort = Decimal.ZERO;
  open = false;
  readonly rate: OrderRateWindow;
  constructor(horizonMs: number) {
    this.rate = new OrderRateWindow(horizonMs);
  }
}

class StrategyBook {
  openOrders = 0;
  readonly rate: OrderRateWindow;
  constructor(horizonMs: number) {
    this.rate = new OrderRateWindow(horizonMs);
  }
}

const NO_APPROVALS: RateWindowView = { recent: () => undefined, countSince: () => 0 };

/**
 * The running state the pre-trade checks read, kept up to date in O(1) per event so that a
 * decision is O(1) too, however many symbols and working orders there are: per symbol the
 * position, working quantities, open-order count, BBO, mark and its terms in the account's gross
 * and net exposure; per strategy its open orders; order-rate windows per symbol, per strategy and
 * for the account; and the account totals. Each event takes the touched symbol's terms out of the
 * totals and puts the new ones back, exactly (Decimal), so the totals never drift.
 *
 * Feed it every approved order (`open`), fill (`fill`) and end of an order (`close`), and every BBO
 * (`setMarket`). It does not keep P&L: pass a `PnlState` (see `EquityTracker`) to `check`.
 */
export class RiskState {
  private readonly symbols = new Map<string, SymbolBook>();
  private readonly strategies = new Map<string, StrategyBook>();
  private readonly orders = new Map<string, OrderEntry>();
  /** Settled orders awaiting a sweep: kept from the first `forgetSettled` on (an owner that never sweeps, a backtest, pays nothing). */
  private settled: SettledIds | undefined;
  private readonly accountRate: OrderRateWindow;
  private horizonMs: number;
  private book: LimitsBook;
  private gross = Decimal.ZERO;
  private netLong = Decimal.ZERO;
  private netShort = Decimal.ZERO;
  private openOrderCount = 0;
  private openPositionCount = 0;

  constructor(limits: LimitsBook) {
    this.book = limits;
    this.horizonMs = limits.global.orderRateWindowMs ?? DEFAULT_ORDER_RATE_WINDOW_MS;
    this.accountRate = new OrderRateWindow(this.horizonMs);
  }

  /** The limits the checks apply (a validated book, treated as immutable). */
  get limits(): LimitsBook {
    return this.book;
  }

  /**
   * Replaces the limits (a book the caller has validated) from the next check on; positions,
   * working orders and rate windows are kept. A longer `orderRateWindowMs` widens every rate
   * window from now on: approvals older than the previous window were already forgotten, so for
   * one window after the change the rate limits may count fewer approvals than happened.
   */
  setLimits(limits: LimitsBook): void {
    const horizon = limits.global.orderRateWindowMs ?? DEFAULT_ORDER_RATE_WINDOW_MS;
    if (horizon > this.horizonMs) {
      this.horizonMs = horizon;
      this.accountRate.widen(horizon);
      for (const s of this.symbols.values()) s.rate.widen(horizon);
      for (const t of this.strategies.values()) t.rate.widen(horizon);
    }
    this.book = limits;
  }

  // ---- Events

  /**
   * An approved order that may fill up to `quantity`. A repeat of a known order changes nothing
   * and returns false. `approvedAtMs`, when given, counts the approval in the order-rate windows
   * (once per order, on its first `open`).
   */
  open(id: string, order: WorkingOrderInput, approvedAtMs?: number): boolean {
    const strategy = order.strategy ?? '';
    let e = this.orders.get(id);
    if (e === undefined) {
      e = { symbol: order.symbol, strategy, side: undefined, quantity: undefined, filled: Decimal.ZERO, closed: false, counted: Decimal.ZERO };
      this.orders.set(id, e);
    } else if (e.side !== undefined) {
      return false;
    }
    e.strategy = strategy;
    e.side = order.side;
    e.quantity = order.quantity;
    const s = this.symbol(e.symbol);
    if (s.mark === undefined && order.price !== undefined && order.price.isPositive()) s.mark = order.price;
    this.recount(id, e, s);
    if (approvedAtMs !== undefined) {
      s.rate.record(approvedAtMs);
      this.strategy(strategy).rate.record(approvedAtMs);
      this.accountRate.record(approvedAtMs);
    }
    return true;
  }

  /** A fill of order `id` (known or not): moves the position and what the order still has working. */
  fill(id: string, symbol: string, side: Side, quantity: Decimal, price: Decimal): void {
    let e = this.orders.get(id);
    if (e === undefined) {
      e = { symbol, strategy: '', side: undefined, quantity: undefined, filled: Decimal.ZERO, closed: false, counted: Decimal.ZERO };
      this.orders.set(id, e);
    }
    e.filled = e.filled.add(quantity);
    const s = this.symbol(symbol);
    s.position = side === 'BUY' ? s.position.add(quantity) : s.position.sub(quantity);
    if (!s.markFromMarket && price.isPositive()) s.mark = price;
    if (e.symbol === symbol) this.recount(id, e, s);
    else {
      this.revalue(s);
      if (!e.counted.isPositive()) this.settled?.mark(id);
    }
  }

  /** Rejected, cancelled or expired: whatever did not fill never will. Repeats are harmless. */
  close(id: string, symbol?: string): void {
    let e = this.orders.get(id);
    if (e === undefined) {
      if (symbol === undefined) return;
      e = { symbol, strategy: '', side: undefined, quantity: undefined, filled: Decimal.ZERO, closed: false, counted: Decimal.ZERO };
      this.orders.set(id, e);
    }
    if (e.closed) return;
    e.closed = true;
    this.recount(id, e, this.symbol(e.symbol));
  }

  /**
   * Takes back an `open` whose approval was never sent (the publish failed): its working quantity
   * and, with `approvedAtMs`, its approval in the rate windows. The order may be opened again.
   */
  release(id: string, approvedAtMs?: number): void {
    const e = this.orders.get(id);
    if (e === undefined) return;
    const s = this.symbol(e.symbol);
    if (e.filled.isZero()) {
      e.closed = true;
      this.recount(id, e, s);
      this.orders.delete(id);
    }
    if (approvedAtMs !== undefined) {
      s.rate.unrecord(approvedAtMs);
      this.strategy(e.strategy).rate.unrecord(approvedAtMs);
      this.accountRate.unrecord(approvedAtMs);
    }
  }

  /**
   * The BBO of `symbol`: the price band reads it, and its mid becomes the symbol's mark unless
   * `midMarks` is false (the caller marks with `setMark`, e.g. at the last trade).
   */
  setMarket(symbol: string, bid: Decimal | undefined, ask: Decimal | undefined, midMarks = true): void {
    const s = this.symbol(symbol);
    s.bid = bid;
    s.ask = ask;
    if (midMarks && bid !== undefined && ask !== undefined && bid.isPositive() && ask.isPositive()) {
      s.mark = bid.add(ask).div(2n, Math.max(bid.scale, ask.scale) + 1);
      s.markFromMarket = true;
      this.revalue(s);
    }
  }

  /** A market price of `symbol` (e.g. its last trade) becomes its mark, as a BBO mid would. */
  setMark(symbol: string, mark: Decimal): void {
    if (!mark.isPositive()) return;
    const s = this.symbol(symbol);
    s.mark = mark;
    s.markFromMarket = true;
    this.revalue(s);
  }

  // ---- Reads

  /** The order's symbol as `checkOrder` reads it. */
  exposure(symbol: string): ExposureState {
    const s = this.symbols.get(symbol);
    if (s === undefined) return { position: Decimal.ZERO, workingBuy: Decimal.ZERO, workingSell: Decimal.ZERO, openOrders: 0 };
    return { position: s.position, workingBuy: s.workingBuy, workingSell: s.workingSell, openOrders: s.openOrders, mark: s.mark };
  }

  account(): AccountState {
    return {
      grossExposure: this.gross,
      netExposureLong: this.netLong,
      netExposureShort: this.netShort,
      openOrders: this.openOrderCount,
      openPositions: this.openPositionCount,
    };
  }

  strategyState(strategy: string): StrategyState {
    return { openOrders: this.strategies.get(strategy)?.openOrders ?? 0 };
  }

  market(symbol: string): MarketState {
    const s = this.symbols.get(symbol);
    return s === undefined ? {} : { bid: s.bid, ask: s.ask };
  }

  /** The symbol's mark, if it has one. */
  mark(symbol: string): Decimal | undefined {
    return this.symbols.get(symbol)?.mark;
  }

  /**
   * Forgets the orders that settled (closed, filled in full, or known only by a fill or an end)
   * before the previous call and have stayed so; returns how many. Call it on a timer of the
   * retention, once the state is rebuilt: an order is forgotten between one and two intervals
   * after it settles, and nothing a check reads changes (a settled order counts nothing; the rate
   * windows keep their own times). An event for a forgotten order starts it anew, so the retention
   * must outlast any event still on its way: a late approval of a forgotten order would count as
   * working again. The first call only starts the tracking (nothing is kept for an owner that
   * never calls it, such as a backtest): what settled before it goes at the second.
   */
  forgetSettled(): number {
    if (this.settled === undefined) {
      this.settled = SettledIds.startedFrom(this.orders, isSettled);
      return 0;
    }
    return this.settled.forgetFrom(this.orders, isSettled);
  }

  /** Orders known, working or settled and not yet forgotten. */
  get trackedOrders(): number {
    return this.orders.size;
  }

  /** Whether order `id` still has quantity working. */
  isOpen(id: string): boolean {
    const e = this.orders.get(id);
    return e !== undefined && e.counted.isPositive();
  }

  /** The whole context `checkOrder` may need for an order of `symbol` by `strategy`. */
  context(symbol: string, strategy: string, nowMs: number, pnl?: PnlState, breaker?: BreakerView): CheckContext {
    const s = this.symbols.get(symbol);
    const t = this.strategies.get(strategy);
    return {
      nowMs,
      market: s === undefined ? {} : { bid: s.bid, ask: s.ask },
      account: this.account(),
      strategy: { openOrders: t?.openOrders ?? 0 },
      rates: { symbol: s?.rate ?? NO_APPROVALS, strategy: t?.rate ?? NO_APPROVALS, account: this.accountRate },
      ...(pnl === undefined ? {} : { pnl }),
      ...(breaker === undefined ? {} : { breaker }),
    };
  }

  /** `checkOrder` on this state: the same function with the same inputs for every caller. Changes nothing. */
  check(order: OrderToCheck, kill: KillSwitchState, nowMs: number, pnl?: PnlState, breaker?: BreakerView): RiskDecision {
    const symbol = typeof order.symbol === 'string' ? order.symbol : '';
    const strategy = typeof order.strategy === 'string' ? order.strategy : '';
    return checkOrder(order, this.exposure(symbol), this.book, kill, this.context(symbol, strategy, nowMs, pnl, breaker));
  }

  // ---- Internals

  private symbol(symbol: string): SymbolBook {
    let s = this.symbols.get(symbol);
    if (s === undefined) this.symbols.set(symbol, (s = new SymbolBook(this.horizonMs)));
    return s;
  }

  private strategy(strategy: string): StrategyBook {
    let t = this.strategies.get(strategy);
    if (t === undefined) this.strategies.set(strategy, (t = new StrategyBook(this.horizonMs)));
    return t;
  }

  /** Re-derives what order `e` has working and applies the change to its symbol and counters. */
  private recount(id: string, e: OrderEntry, s: SymbolBook): void {
    let remaining = Decimal.ZERO;
    if (!e.closed && e.quantity !== undefined) {
      const r = e.quantity.sub(e.filled);
      if (r.isPositive()) remaining = r;
    }
    const before = e.counted;
    if (!remaining.eq(before)) {
      const delta = remaining.sub(before);
      if (e.side === 'BUY') s.workingBuy = s.workingBuy.add(delta);
      else s.workingSell = s.workingSell.add(delta);
      e.counted = remaining;
      const change = (remaining.isPositive() ? 1 : 0) - (before.isPositive() ? 1 : 0);
      if (change !== 0) {
        s.openOrders += change;
        this.strategy(e.strategy).openOrders += change;
        this.openOrderCount += change;
      }
    }
    if (!remaining.isPositive()) this.settled?.mark(id);
    this.revalue(s);
  }

  /** Replaces the symbol's terms in the account totals. */
  private revalue(s: SymbolBook): void {
    const p = s.position;
    const open = !p.isZero() || s.workingBuy.isPositive() || s.workingSell.isPositive();
    if (open !== s.open) {
      this.openPositionCount += open ? 1 : -1;
      s.open = open;
    }
    const m = s.mark;
    if (m === undefined || (!open && s.gross.isZero() && s.netLong.isZero() && s.netShort.isZero())) return;
    const long = p.add(s.workingBuy);
    const short = p.sub(s.workingSell);
    const gross = Decimal.max(long, short.neg()).mul(m);
    const netLong = long.mul(m);
    const netShort = short.mul(m);
    this.gross = this.gross.sub(s.gross).add(gross);
    this.netLong = this.netLong.sub(s.netLong).add(netLong);
    this.netShort = this.netShort.sub(s.netShort).add(netShort);
    s.gross = gross;
    s.netLong = netLong;
    s.netShort = netShort;
  }
}

/** Counts nothing working: closed, filled in full, or known only by a fill or an end. */
const isSettled = (e: { readonly counted: Decimal }): boolean => !e.counted.isPositive();
