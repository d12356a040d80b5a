import { Decimal } from '@meridian/domain';
import type { PnlState } from './check';

const DAY_MS = 86_400_000;

/** The start (ms since the epoch) of the trading day that contains `nowMs`, for days starting `offsetMs` after 00:00 UTC. */
export function tradingDayStart(nowMs: number, offsetMs = 0): number {
  return Math.floor((nowMs - offsetMs) / DAY_MS) * DAY_MS + offsetMs;
}

/**
 * The account's equity (realized P&L − fees + unrealized P&L at the marks) as a running total of
 * one value per symbol, its peak, and its value when the trading day began: what the daily-loss
 * and drawdown limits read (`state()`). Every update is O(1): the caller gives the new value of
 * the one symbol an event touched (a fill, a mark), the total takes the old one out and the new
 * one in, exactly.
 */
export class EquityTracker {
  private readonly values = new Map<string, Decimal>();
  private total = Decimal.ZERO;
  private peak = Decimal.ZERO;
  private dayStart = Decimal.ZERO;
  private day: number | undefined;

  /** `dayOffsetMs`: when the trading day starts, after 00:00 UTC. */
  constructor(readonly dayOffsetMs = 0) {}

  /** Sets one symbol's contribution to equity (its net P&L at its mark). */
  set(symbol: string, value: Decimal): void {
    const old = this.values.get(symbol) ?? Decimal.ZERO;
    if (old.eq(value)) return;
    this.values.set(symbol, value);
    this.total = this.total.sub(old).add(value);
    if (this.total.gt(this.peak)) this.peak = this.total;
  }

  /**
   * Moves to the trading day containing `nowMs`: when it is a new day, the equity now becomes the
   * day's opening equity. Call it before applying each event and before each check, with the
   * time they happen, so the day opens at the equity it had when the day began.
   */
  roll(nowMs: number): boolean {
    const day = tradingDayStart(nowMs, this.dayOffsetMs);
    if (this.day !== undefined && day <= this.day) return false;
    this.day = day;
    this.dayStart = this.total;
    return true;
  }

  /**
   * Takes the peak and, when `dayStartMs` is the current trading day, the day's opening equity
   * from a checkpoint (a restarted caller that rebuilt the running total but not the path it
   * took). The peak never goes below the equity now.
   */
  restore(checkpoint: { peak: Decimal; dayOpen: Decimal; dayStartMs: number }): void {
    this.peak = Decimal.max(checkpoint.peak, this.total);
    if (this.day !== undefined && checkpoint.dayStartMs === this.day) this.dayStart = checkpoint.dayOpen;
  }

  get equity(): Decimal {
    return this.total;
  }

  get peakEquity(): Decimal {
    return this.peak;
  }

  get dayOpenEquity(): Decimal {
    return this.dayStart;
  }

  /** The start of the current trading day, once `roll` has been called. */
  get currentDay(): number | undefined {
    return this.day;
  }

  state(): PnlState {
    return { dailyPnl: this.total.sub(this.dayStart), equity: this.total, peakEquity: this.peak };
  }
}
