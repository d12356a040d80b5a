import { Decimal } from '@meridian/domain';
import { RiskDrawdown } from '@meridian/proto';
import type { RiskEquitySnapshot, RiskPnl } from '@meridian/proto';
import { DrawdownTracker } from '@meridian/risk-rules';
import type { DrawdownState } from '@meridian/risk-rules';
import type { PnlFigures } from '@meridian/portfolio';

const MS_NS = 1_000_000n;
const toNs = (ms: number | undefined) => (ms === undefined ? 0n : BigInt(ms) * MS_NS);

export function pnlToWire(f: PnlFigures): RiskPnl {
  return {
    equity: f.equity.toString(),
    realizedPnl: f.realized.toString(),
    unrealizedPnl: f.unrealized.toString(),
    fees: f.fees.toString(),
    grossExposure: f.gross.toString(),
    netExposure: f.net.toString(),
  };
}

export function drawdownToWire(s: DrawdownState): RiskDrawdown {
  return RiskDrawdown.fromPartial({
    peakEquity: s.peak.toString(),
    drawdown: s.drawdown.toString(),
    drawdownFraction: s.drawdownFraction.toString(),
    maxDrawdown: s.maxDrawdown.toString(),
    maxDurationMs: BigInt(s.maxDurationMs),
    peakTsNs: toNs(s.peakAtMs),
    underwaterSinceTsNs: toNs(s.underwaterSinceMs),
  });
}

/**
 * The drawdown of the equity curve risk publishes: one point per snapshot, in time order. Points
 * are sampled at a fixed interval rather than at every event so that the curve is exactly what is
 * published and recorded, and a restarted risk resumes it exactly from the last published point.
 */
export class EquityCurve {
  private tracker = new DrawdownTracker();

  /** Resumes from the last published snapshot; false if it carries no curve (nothing to resume). */
  restore(s: RiskEquitySnapshot): boolean {
    const d = s.drawdown;
    if (!s.pnl || !d || d.peakEquity === '') return false;
    this.tracker = DrawdownTracker.restore({
      peak: Decimal.parse(d.peakEquity),
      equity: Decimal.parse(s.pnl.equity),
      maxDrawdown: Decimal.parse(d.maxDrawdown),
      maxDurationMs: Number(d.maxDurationMs),
      peakAtMs: Number(d.peakTsNs / MS_NS),
      lastAtMs: Number(s.tsNs / MS_NS),
    });
    return true;
  }

  /** The next point; a time before the last point (a clock stepping back) is taken as the last point's. */
  sample(equity: Decimal, atMs: number): DrawdownState {
    const last = this.tracker.state().lastAtMs;
    return this.tracker.update(equity, last !== undefined && atMs < last ? last : atMs);
  }

  state(): DrawdownState {
    return this.tracker.state();
  }
}
