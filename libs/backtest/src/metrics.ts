import { Decimal } from '@meridian/domain';
import { DrawdownTracker } from '@meridian/risk-rules';
import type { BacktestMetrics, EquityPoint, RoundTrip, TradeStatistics } from './result';

// Performance figures as pure functions of the equity curve and the round trips. Money stays
// exact (Decimal); floats appear only for ratios (returns, volatility, Sharpe …), where they are
// what the figure is. Every function is tested against values worked out by hand.

/** A year of calendar time, ms (crypto trades every day; pass `periodsPerYear` for a trading calendar). */
export const YEAR_MS = 365.25 * 86_400_000;

/** Simple returns between consecutive points, e[i] / e[i−1] − 1; a point after a non-positive equity has none (the account was gone). */
export function periodReturns(points: readonly EquityPoint[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const before = Decimal.parse(points[i - 1]!.equity);
    if (!before.isPositive()) continue;
    const after = Decimal.parse(points[i]!.equity);
    out.push(after.sub(before).div(before, 18, 'half-even').toNumber());
  }
  return out;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); undefined for fewer than two values. */
export function sampleStd(xs: readonly number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Annualised volatility: sample σ of the returns × √periodsPerYear. */
export function volatility(returns: readonly number[], periodsPerYear: number): number | null {
  const sd = sampleStd(returns);
  return sd === undefined ? null : sd * Math.sqrt(periodsPerYear);
}

/** mean / sample σ × √periodsPerYear (risk-free rate 0); null without two returns or with σ = 0. */
export function sharpeRatio(returns: readonly number[], periodsPerYear: number): number | null {
  const sd = sampleStd(returns);
  if (sd === undefined || sd === 0) return null;
  return (mean(returns) / sd) * Math.sqrt(periodsPerYear);
}

/** mean / downside deviation × √periodsPerYear, the downside deviation being √(Σ min(r, 0)² / n); null when nothing went down. */
export function sortinoRatio(returns: readonly number[], periodsPerYear: number): number | null {
  if (returns.length === 0) return null;
  let s = 0;
  for (const r of returns) if (r < 0) s += r * r;
  const dd = Math.sqrt(s / returns.length);
  if (dd === 0) return null;
  return (mean(returns) / dd) * Math.sqrt(periodsPerYear);
}

/** final / initial − 1; null when the initial equity is not positive. */
export function totalReturn(initial: Decimal, final: Decimal): number | null {
  if (!initial.isPositive()) return null;
  return final.sub(initial).div(initial, 18, 'half-even').toNumber();
}

/** (final / initial)^(1 / years) − 1 over `spanMs`; −1 when everything was lost; null for an empty span. */
export function annualisedReturn(initial: Decimal, final: Decimal, spanMs: number, yearMs = YEAR_MS): number | null {
  if (!initial.isPositive() || !(spanMs > 0)) return null;
  const growth = final.div(initial, 18, 'half-even').toNumber();
  if (growth <= 0) return -1;
  return Math.pow(growth, yearMs / spanMs) - 1;
}

export interface DrawdownFigures {
  /** Largest fall from a peak, exact. */
  readonly maxDrawdown: Decimal;
  /** Largest fall as a fraction of the peak it fell from. */
  readonly maxDrawdownFraction: number;
  /** Longest time below a previous peak, the stretch still open at the end counted to the last point. */
  readonly maxDrawdownDurationMs: number;
}

/** Drawdowns of the curve, with risk-rules' `DrawdownTracker` (the one the risk service publishes with). */
export function drawdowns(points: readonly EquityPoint[]): DrawdownFigures {
  const tracker = new DrawdownTracker();
  let fraction = 0;
  for (const p of points) {
    const s = tracker.update(Decimal.parse(p.equity), p.tsMs);
    if (s.peak.isPositive() && s.drawdown.isPositive()) fraction = Math.max(fraction, s.drawdown.div(s.peak, 18, 'half-even').toNumber());
  }
  const s = tracker.state();
  return { maxDrawdown: s.maxDrawdown, maxDrawdownFraction: fraction, maxDrawdownDurationMs: s.maxDurationMs };
}

/** Statistics of closed round trips, in the order they closed. */
export function tradeStatistics(trips: readonly RoundTrip[]): TradeStatistics {
  let wins = 0;
  let losses = 0;
  let won = Decimal.ZERO;
  let lost = Decimal.ZERO;
  let total = Decimal.ZERO;
  let largestWin: Decimal | undefined;
  let largestLoss: Decimal | undefined;
  let holding = 0;
  let run = 0;
  let maxWins = 0;
  let maxLosses = 0;
  for (const t of trips) {
    const pnl = Decimal.parse(t.netPnl);
    total = total.add(pnl);
    holding += t.holdingMs;
    if (pnl.isPositive()) {
      wins++;
      won = won.add(pnl);
      if (largestWin === undefined || pnl.gt(largestWin)) largestWin = pnl;
      run = run > 0 ? run + 1 : 1;
    } else if (pnl.isNegative()) {
      losses++;
      lost = lost.add(pnl);
      if (largestLoss === undefined || pnl.lt(largestLoss)) largestLoss = pnl;
      run = run < 0 ? run - 1 : -1;
    } else {
      run = 0;
    }
    maxWins = Math.max(maxWins, run);
    maxLosses = Math.max(maxLosses, -run);
  }
  const n = trips.length;
  const avg = (sum: Decimal, count: number) => (count === 0 ? undefined : sum.div(BigInt(count), Math.max(sum.scale, 8), 'half-even'));
  const avgWin = avg(won, wins);
  const avgLoss = avg(lost, losses);
  return {
    count: n,
    wins,
    losses,
    winRate: n === 0 ? null : wins / n,
    profitFactor: lost.isZero() ? null : won.div(lost.abs(), 18, 'half-even').toNumber(),
    totalNetPnl: total.toString(),
    averageNetPnl: avg(total, n)?.toString() ?? null,
    averageWin: avgWin?.toString() ?? null,
    averageLoss: avgLoss?.toString() ?? null,
    largestWin: largestWin?.toString() ?? null,
    largestLoss: largestLoss?.toString() ?? null,
    payoffRatio: avgWin !== undefined && avgLoss !== undefined ? avgWin.div(avgLoss.abs(), 18, 'half-even').toNumber() : null,
    averageHoldingMs: n === 0 ? null : holding / n,
    maxConsecutiveWins: maxWins,
    maxConsecutiveLosses: maxLosses,
  };
}

export interface MetricsInput {
  readonly equity: readonly EquityPoint[];
  readonly trips: readonly RoundTrip[];
  readonly initialEquity: Decimal;
  readonly fees: Decimal;
  /** Σ |price × quantity| of the fills. */
  readonly turnover: Decimal;
  /** Time with some position open, and the run's whole span, ns. */
  readonly exposedNs: bigint;
  readonly spanNs: bigint;
  readonly periodsPerYear: number;
  /**
   * Shortest curve span (first to last point, ms) whose return is annualised: a shorter one
   * reports annualisedReturn and calmar as null, since compounding minutes into a year says
   * nothing (a 50-minute run losing 0.02 % would annualise to about −97 %). Default 0: always.
   */
  readonly minAnnualisedSpanMs?: number;
}

/** Every figure of `BacktestMetrics`. */
export function computeMetrics(input: MetricsInput): BacktestMetrics {
  const { equity, initialEquity, periodsPerYear } = input;
  const final = equity.length > 0 ? Decimal.parse(equity[equity.length - 1]!.equity) : initialEquity;
  const spanMs = equity.length > 1 ? equity[equity.length - 1]!.tsMs - equity[0]!.tsMs : 0;
  const returns = periodReturns(equity);
  const annualised = spanMs < (input.minAnnualisedSpanMs ?? 0) ? null : annualisedReturn(initialEquity, final, spanMs);
  const dd = drawdowns(equity);
  let sum = Decimal.ZERO;
  for (const p of equity) sum = sum.add(Decimal.parse(p.equity));
  const averageEquity = equity.length > 0 ? sum.div(BigInt(equity.length), 8, 'half-even') : undefined;
  return {
    initialEquity: initialEquity.toString(),
    finalEquity: final.toString(),
    netPnl: final.sub(initialEquity).toString(),
    fees: input.fees.toString(),
    totalReturn: totalReturn(initialEquity, final),
    annualisedReturn: annualised,
    volatility: volatility(returns, periodsPerYear),
    sharpe: sharpeRatio(returns, periodsPerYear),
    sortino: sortinoRatio(returns, periodsPerYear),
    calmar: annualised === null || dd.maxDrawdownFraction === 0 ? null : annualised / dd.maxDrawdownFraction,
    maxDrawdown: dd.maxDrawdown.toString(),
    maxDrawdownFraction: dd.maxDrawdownFraction,
    maxDrawdownDurationMs: dd.maxDrawdownDurationMs,
    turnover: input.turnover.toString(),
    turnoverRatio: averageEquity === undefined || !averageEquity.isPositive() ? null : input.turnover.div(averageEquity, 18, 'half-even').toNumber(),
    exposure: input.spanNs > 0n ? Number(input.exposedNs) / Number(input.spanNs) : null,
    periodsPerYear,
    trades: tradeStatistics(input.trips),
  };
}
