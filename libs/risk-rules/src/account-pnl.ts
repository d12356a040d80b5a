import type { Decimal } from '@meridian/domain';
import type { Portfolio } from '@meridian/portfolio';
import type { PnlState } from './check';
import { EquityTracker, tradingDayStart } from './equity';

/** The limits' view of equity in the last published equity snapshot. */
export interface EquityCheckpoint {
  atMs: number;
  peak: Decimal;
  dayOpen: Decimal;
}

interface ReplayedFill {
  atMs: number;
  symbol: string;
  /** The symbol's net P&L right after the fill, at the fill's price. */
  value: Decimal;
}

/**
 * The account's equity for the daily-loss and drawdown limits: per symbol, realized P&L − fees +
 * the position at its mark (the BBO mid, else the last fill price), summed as a running total
 * (`EquityTracker`), with its peak and its value when the trading day began.
 *
 * While state is rebuilt, fills of different symbols arrive from separate streams in no common
 * order, and the marks of the past are not kept; so the replayed fills are collected with their
 * times and folded in time order once every stream has caught up, each symbol valued at its own
 * fill prices: the equity path, its peak and the opening equity of today are those of that
 * fold. Live, every fill and BBO updates one symbol's value in O(1).
 *
 * The risk service and the backtester keep the limits' equity with this one class; a backtest has
 * nothing to replay, so it calls `caughtUp(startMs, [])` before its first event.
 */
export class AccountPnl {
  private readonly tracker: EquityTracker;
  private readonly lastFill = new Map<string, Decimal>();
  private replayed: ReplayedFill[] | undefined = [];

  constructor(
    private readonly portfolio: Portfolio,
    private readonly markOf: (symbol: string) => Decimal | undefined,
    readonly dayOffsetMs: number,
  ) {
    this.tracker = new EquityTracker(dayOffsetMs);
  }

  /** After the portfolio booked a fill of `symbol` at `price`, at `atMs` (the report's time while replaying, now when live). */
  filled(symbol: string, price: Decimal, atMs: number): void {
    this.lastFill.set(symbol, price);
    const ledger = this.portfolio.position(symbol);
    if (this.replayed !== undefined) {
      this.replayed.push({ atMs, symbol, value: ledger.netPnl(price) });
      return;
    }
    this.tracker.roll(atMs);
    this.tracker.set(symbol, ledger.netPnl(this.markOf(symbol) ?? price));
  }

  /** After `symbol`'s mark moved. A flat position's value does not depend on its mark. */
  marked(symbol: string, nowMs: number): void {
    if (this.replayed !== undefined || !this.portfolio.has(symbol)) return;
    this.tracker.roll(nowMs);
    const ledger = this.portfolio.position(symbol);
    const mark = this.markOf(symbol);
    if (mark !== undefined && !ledger.isFlat()) this.tracker.set(symbol, ledger.netPnl(mark));
  }

  /**
   * Every stream has caught up: folds the replayed fills in time order, then values each position
   * at its mark. With the last equity snapshot risk published (`checkpoint`), the peak and today's
   * opening equity are taken from it where the fold passes its time, since the fill-price path
   * cannot know the marks seen live; fills after it move them as usual.
   */
  caughtUp(nowMs: number, symbols: readonly string[], checkpoint?: EquityCheckpoint): void {
    const fills = this.replayed ?? [];
    this.replayed = undefined;
    fills.sort((a, b) => a.atMs - b.atMs);
    const today = tradingDayStart(nowMs, this.dayOffsetMs);
    let opened = false;
    let restored = checkpoint === undefined;
    const restore = () => {
      this.tracker.roll(checkpoint!.atMs);
      this.tracker.restore({ peak: checkpoint!.peak, dayOpen: checkpoint!.dayOpen, dayStartMs: tradingDayStart(checkpoint!.atMs, this.dayOffsetMs) });
      restored = true;
    };
    for (const f of fills) {
      if (!restored && f.atMs > checkpoint!.atMs) restore();
      if (!opened && f.atMs >= today) {
        this.tracker.roll(today);
        opened = true;
      }
      this.tracker.set(f.symbol, f.value);
    }
    if (!restored) restore();
    this.tracker.roll(nowMs);
    for (const symbol of symbols) {
      if (!this.portfolio.has(symbol)) continue;
      const mark = this.markOf(symbol) ?? this.lastFill.get(symbol);
      if (mark !== undefined) this.tracker.set(symbol, this.portfolio.position(symbol).netPnl(mark));
    }
  }

  /** The last fill price of `symbol`: its value when it has no mark. */
  lastFillPrice(symbol: string): Decimal | undefined {
    return this.lastFill.get(symbol);
  }

  /** The P&L the checks read, in the trading day of `nowMs`. */
  state(nowMs: number): PnlState {
    this.tracker.roll(nowMs);
    return this.tracker.state();
  }
}
