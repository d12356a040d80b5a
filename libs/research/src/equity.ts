import { Decimal } from '@meridian/domain';
import { InvalidReportInputError } from './errors';
import type { EquityPoint } from './trial';

export interface ParsedPoint {
  tsMs: number;
  equity: Decimal;
}

/** Parses and checks a curve: decimal equities, finite timestamps in non-decreasing order. */
export function parseEquity(points: readonly EquityPoint[], field = 'equity'): ParsedPoint[] {
  let prev = -Infinity;
  return points.map((p, i) => {
    if (!Number.isFinite(p.tsMs)) throw new InvalidReportInputError(`${field}[${i}].tsMs`, p.tsMs, 'must be a finite number of milliseconds');
    if (p.tsMs < prev) throw new InvalidReportInputError(`${field}[${i}].tsMs`, p.tsMs, `must not be before the previous point (${prev})`);
    prev = p.tsMs;
    let equity: Decimal;
    try {
      equity = Decimal.parse(p.equity);
    } catch (err) {
      throw new InvalidReportInputError(`${field}[${i}].equity`, p.equity, `is not a decimal (${(err as Error).message})`);
    }
    return { tsMs: p.tsMs, equity };
  });
}

export interface DrawdownPoint {
  tsMs: number;
  /** Peak so far minus equity (≥ 0), exact. */
  drawdown: Decimal;
  /** drawdown / peak, for display (0 when the peak is not positive). */
  fraction: number;
}

export function drawdowns(points: readonly ParsedPoint[]): DrawdownPoint[] {
  let peak: Decimal | undefined;
  return points.map((p) => {
    peak = peak === undefined ? p.equity : Decimal.max(peak, p.equity);
    const dd = peak.sub(p.equity);
    return { tsMs: p.tsMs, drawdown: dd, fraction: peak.isPositive() ? dd.div(peak, 12).toNumber() : 0 };
  });
}

export interface CurveSummary {
  startEquity: string;
  endEquity: string;
  pnl: string;
  /** end / start - 1 (display ratio; 0 when start is not positive). */
  returnFraction: number;
  maxDrawdown: string;
  maxDrawdownFraction: number;
  points: number;
}

export function summariseCurve(points: readonly ParsedPoint[], start?: Decimal): CurveSummary {
  if (points.length === 0) return { startEquity: '0', endEquity: '0', pnl: '0', returnFraction: 0, maxDrawdown: '0', maxDrawdownFraction: 0, points: 0 };
  const first = start ?? points[0]!.equity;
  const last = points[points.length - 1]!.equity;
  let maxDd = Decimal.ZERO;
  let maxFrac = 0;
  for (const d of drawdowns(start ? [{ tsMs: points[0]!.tsMs, equity: start }, ...points] : points)) {
    if (d.drawdown.gt(maxDd)) maxDd = d.drawdown;
    if (d.fraction > maxFrac) maxFrac = d.fraction;
  }
  return {
    startEquity: first.toString(),
    endEquity: last.toString(),
    pnl: last.sub(first).toString(),
    returnFraction: first.isPositive() ? last.sub(first).div(first, 12).toNumber() : 0,
    maxDrawdown: maxDd.toString(),
    maxDrawdownFraction: maxFrac,
    points: points.length,
  };
}
