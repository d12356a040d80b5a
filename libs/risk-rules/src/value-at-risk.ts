import { InvalidRiskInputError } from './risk-input-error';

/**
 * Value at Risk and expected shortfall of a portfolio, post-trade. These are statistical
 * estimates, computed in floating point on purpose: they size a warning, they are never booked
 * (positions, P&L and fees stay exact Decimals elsewhere). Losses are reported as positive numbers
 * in the quote currency.
 */
export interface VarOptions {
  /** One-sided confidence, e.g. 0.99. */
  confidence: number;
  /** Horizon in periods of the price history (e.g. days for daily closes). */
  horizon: number;
}

export interface VarEstimate {
  method: 'historical' | 'parametric';
  confidence: number;
  horizon: number;
  /** The loss not exceeded with probability `confidence` (0 when the quantile is a gain). */
  valueAtRisk: number;
  /** The mean loss beyond the VaR: expected shortfall (conditional VaR). */
  expectedShortfall: number;
  /** Scenarios (historical) or observations (parametric) the estimate rests on. */
  observations: number;
}

/** Positions and the price history of each symbol, oldest first, on common observation times. */
export interface PortfolioHistory {
  /** Signed quantity per symbol. */
  positions: Readonly<Record<string, number>>;
  prices: Readonly<Record<string, readonly number[]>>;
}

function checkOptions({ confidence, horizon }: VarOptions): void {
  if (!(confidence > 0.5 && confidence < 1)) throw new InvalidRiskInputError('confidence', confidence, 'must be between 0.5 and 1 (exclusive)');
  if (!Number.isInteger(horizon) || horizon < 1) throw new InvalidRiskInputError('horizon', horizon, 'must be a whole number of periods, at least 1');
}

/**
 * The profit and loss of today's positions over each overlapping `horizon`-period window of the
 * history: Σ quantity × (price[t + h] − price[t]). Full revaluation, so no linearisation of returns.
 */
export function scenarioPnl(history: PortfolioHistory, horizon: number): number[] {
  const symbols = Object.keys(history.positions).filter((s) => history.positions[s] !== 0);
  if (symbols.length === 0) return [];
  const lengths = symbols.map((s) => {
    const series = history.prices[s];
    if (!series) throw new InvalidRiskInputError(`prices.${s}`, undefined, 'is missing for a symbol with a position');
    series.forEach((p, i) => {
      if (!(Number.isFinite(p) && p > 0)) throw new InvalidRiskInputError(`prices.${s}[${i}]`, p, 'must be a positive finite number');
    });
    return series.length;
  });
  const n = Math.min(...lengths);
  if (lengths.some((l) => l !== n)) throw new InvalidRiskInputError('prices', lengths, 'every series must have the same length (common observation times)');
  const out: number[] = [];
  for (let t = 0; t + horizon < n; t++) {
    let pnl = 0;
    for (const s of symbols) {
      const series = history.prices[s]!;
      pnl += history.positions[s]! * (series[t + horizon]! - series[t]!);
    }
    out.push(pnl);
  }
  return out;
}

/**
 * Historical simulation: the P&L of the current positions replayed over every window of the
 * history. VaR is the loss at the (1 − confidence) quantile of the scenarios, taken as the
 * ⌈n(1 − c)⌉-th worst scenario (no interpolation, so the estimate is always an observed loss);
 * expected shortfall is the mean of the scenarios at or beyond it.
 */
export function historicalVar(history: PortfolioHistory, options: VarOptions): VarEstimate {
  checkOptions(options);
  const scenarios = scenarioPnl(history, options.horizon);
  if (scenarios.length === 0) return { method: 'historical', ...options, valueAtRisk: 0, expectedShortfall: 0, observations: 0 };
  const sorted = [...scenarios].sort((a, b) => a - b);
  // 1 − 0.95 is 0.05000000000000004 in binary: round the product before taking its ceiling, or
  // 100 scenarios at 95% would use the 6th worst instead of the 5th.
  const k = Math.max(1, Math.ceil(Number((sorted.length * (1 - options.confidence)).toFixed(9))));
  const tail = sorted.slice(0, k);
  const valueAtRisk = Math.max(0, -sorted[k - 1]!);
  const expectedShortfall = Math.max(0, -tail.reduce((a, b) => a + b, 0) / k);
  return { method: 'historical', ...options, valueAtRisk, expectedShortfall, observations: sorted.length };
}

/**
 * Parametric (variance-covariance) VaR: one-period P&L changes of the positions assumed normal
 * with the sample mean and covariance; over `horizon` periods the mean scales with h and the
 * standard deviation with √h. VaR = −(μh − z σ√h), ES = −(μh − σ√h φ(z)/(1 − c)).
 */
export function parametricVar(history: PortfolioHistory, options: VarOptions): VarEstimate {
  checkOptions(options);
  const changes = scenarioPnl(history, 1);
  const n = changes.length;
  if (n < 2) return { method: 'parametric', ...options, valueAtRisk: 0, expectedShortfall: 0, observations: n };
  const mean = changes.reduce((a, b) => a + b, 0) / n;
  const variance = changes.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const sigma = Math.sqrt(variance * options.horizon);
  const mu = mean * options.horizon;
  const z = inverseNormalCdf(options.confidence);
  const valueAtRisk = Math.max(0, -(mu - z * sigma));
  const expectedShortfall = Math.max(0, -(mu - (sigma * normalPdf(z)) / (1 - options.confidence)));
  return { method: 'parametric', ...options, valueAtRisk, expectedShortfall, observations: n };
}

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Φ⁻¹(p) by Acklam's rational approximation: relative error below 1.15e-9 over (0, 1). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new InvalidRiskInputError('p', p, 'must be strictly between 0 and 1');
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  return x;
}
