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
  /** When the peak was set, and when the last mark was given (undefined before the first mark). */
  peakAtMs: number | undefined;
  lastAtMs: number | undefined;
}

/** What `DrawdownTracker.restore` resumes from: a state it returned, with the equity of its last mark. */
export interface DrawdownCheckpoint {
  peak: Decimal;
  equity: Decimal;
  maxDrawdown: Decimal;
  maxDurationMs: number;
  peakAtMs: number;
  lastAtMs: number;
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

  /**
   * A tracker that continues a curve from its last checkpointed mark exactly as the tracker that
   * wrote the checkpoint would have (a restarted service): same peak, drawdown, maximum and time
   * under water; later marks must not go back before `lastAtMs`.
   */
  static restore(c: DrawdownCheckpoint): DrawdownTracker {
    for (const key of ['peak', 'equity', 'maxDrawdown'] as const) {
      if (!(c[key] instanceof Decimal)) throw new InvalidRiskInputError(key, c[key], 'must be a Decimal');
    }
    if (c.equity.gt(c.peak)) throw new InvalidRiskInputError('equity', c.equity.toString(), `must not exceed the peak ${c.peak}`);
    if (c.maxDrawdown.lt(c.peak.sub(c.equity))) throw new InvalidRiskInputError('maxDrawdown', c.maxDrawdown.toString(), `must be at least the drawdown ${c.peak.sub(c.equity)}`);
    for (const key of ['maxDurationMs', 'peakAtMs', 'lastAtMs'] as const) {
      if (!Number.isFinite(c[key])) throw new InvalidRiskInputError(key, c[key], 'must be a finite number of ms');
    }
    if (c.peakAtMs > c.lastAtMs) throw new InvalidRiskInputError('peakAtMs', c.peakAtMs, `must not be after the last mark ${c.lastAtMs}`);
    const t = new DrawdownTracker();
    t.peak = c.peak;
    t.peakTs = c.peakAtMs;
    t.lastTs = c.lastAtMs;
    t.current = c.peak.sub(c.equity);
    t.max = c.maxDrawdown;
    t.maxDuration = c.maxDurationMs;
    t.underwaterSince = t.current.isPositive() ? c.peakAtMs : undefined;
    return t;
  }

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
      peakAtMs: this.peak === undefined ? undefined : this.peakTs,
      lastAtMs: this.peak === undefined ? undefined : this.lastTs,
    };
  }
}
