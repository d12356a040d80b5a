import { Decimal } from '@meridian/domain';
import { InvalidRiskInputError } from './risk-input-error';

export interface DrawdownState {
  /** Highest equity seen. */
  peak: Decimal;
  /** peak − equity now (≥ 0). */
  drawdown: Decimal;
  /** drawdown / peak, 8 digits half-even; 0 while the peak is not positive. */
  drawdownFraction: Decimal;
  /** Largest drawdown seen, and how long (ms) the longest stretch below a peak lasted. */
  maxDrawdown: Decimal;
  maxDurationMs: number;
  /** When the peak that equity is now below was set (undefined at a peak). */
  underwaterSinceMs: number | undefined;
}

/**
 * Peak-to-trough tracking of an equity curve, exact: equity is money. Feed it every equity mark in
 * time order; it keeps O(1) state.
 */
export class DrawdownTracker {
  private peak: Decimal | undefined;
  private current = Decimal.ZERO;
  private max = Decimal.ZERO;
  private maxDuration = 0;
  private underwaterSince: number | undefined;
  private peakTs = 0;
  private lastTs = -Infinity;

  update(equity: Decimal, tsMs: number): DrawdownState {
    if (!(equity instanceof Decimal)) throw new InvalidRiskInputError('equity', equity, 'must be a Decimal');
    if (!Number.isFinite(tsMs) || tsMs < this.lastTs) throw new InvalidRiskInputError('tsMs', tsMs, `must not go back in time (last ${this.lastTs})`);
    this.lastTs = tsMs;
    if (this.peak === undefined || equity.gte(this.peak)) {
      if (this.underwaterSince !== undefined) this.maxDuration = Math.max(this.maxDuration, tsMs - this.underwaterSince);
      this.peak = equity;
      this.peakTs = tsMs;
      this.underwaterSince = undefined;
      this.current = Decimal.ZERO;
    } else {
      this.current = this.peak.sub(equity);
      // Underwater since the peak was set, not since the first mark below it.
      this.underwaterSince ??= this.peakTs;
      this.maxDuration = Math.max(this.maxDuration, tsMs - this.underwaterSince);
      if (this.current.gt(this.max)) this.max = this.current;
    }
    return this.state();
  }

  state(): DrawdownState {
    const peak = this.peak ?? Decimal.ZERO;
    return {
      peak,
      drawdown: this.current,
      drawdownFraction: peak.isPositive() ? this.current.div(peak, 8, 'half-even') : Decimal.ZERO,
      maxDrawdown: this.max,
      maxDurationMs: this.maxDuration,
      underwaterSinceMs: this.underwaterSince,
    };
  }
}
