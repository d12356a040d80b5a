import { historicalVar, parametricVar } from '@meridian/risk-rules';
import type { VarEstimate, VarOptions } from '@meridian/risk-rules';

interface Close {
  readonly close: number;
  readonly revision: number;
}

/**
 * The closes of the last `capacity` time bars per symbol (the market data's
 * `md.<venue>.<symbol>.bars.<interval>`, latest revision of each bar), the price history of Value
 * at Risk. Closes are floats on purpose: VaR is an estimate, never booked.
 */
export class BarHistory {
  private readonly bars = new Map<string, Map<bigint, Close>>();

  constructor(private readonly capacity: number) {}

  /** A bar of `symbol` starting at `startNs`; a revision older than the one kept is ignored. */
  add(symbol: string, startNs: bigint, close: number, revision: number): void {
    if (!(Number.isFinite(close) && close > 0)) return;
    let series = this.bars.get(symbol);
    if (series === undefined) this.bars.set(symbol, (series = new Map()));
    const kept = series.get(startNs);
    if (kept !== undefined && kept.revision > revision) return;
    series.set(startNs, { close, revision });
    if (series.size > this.capacity) {
      let oldest: bigint | undefined;
      for (const start of series.keys()) if (oldest === undefined || start < oldest) oldest = start;
      series.delete(oldest!);
    }
  }

  /**
   * The closes of `symbols` on the bar start times they all have, oldest first: the common
   * observation times the estimates need.
   */
  aligned(symbols: readonly string[]): Record<string, number[]> {
    if (symbols.length === 0) return {};
    const series = symbols.map((s) => this.bars.get(s) ?? new Map<bigint, Close>());
    const starts = [...series[0]!.keys()].filter((t) => series.every((m) => m.has(t))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(symbols.map((s, i) => [s, starts.map((t) => series[i]!.get(t)!.close)]));
  }

  /** Historical and parametric VaR and expected shortfall of `positions` (signed quantities). */
  estimate(positions: Readonly<Record<string, number>>, options: VarOptions): [VarEstimate, VarEstimate] {
    const held = Object.keys(positions).filter((s) => positions[s] !== 0);
    const history = { positions, prices: this.aligned(held) };
    return [historicalVar(history, options), parametricVar(history, options)];
  }
}
