// BacktestResult (libs/backtest) → ReportInput (libs/research): the same equity points (decimal
// strings), round trips with their nanosecond times in milliseconds, and the figures of the
// result as the report's table (money exact as text, ratios as numbers).
import type { BacktestMetrics, BacktestResult, RoundTrip } from '@meridian/backtest';
import type { ReportInput, TradeRecord, TrialRecord, WalkForwardResult } from '@meridian/research';

const msOf = (ns: string | null): number => (ns === null ? Number.NaN : Number(BigInt(ns) / 1_000_000n));

export function tradeRecord(t: RoundTrip): TradeRecord {
  return {
    symbol: t.symbol,
    direction: t.direction,
    entryTsMs: msOf(t.entryNs),
    exitTsMs: msOf(t.exitNs),
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    quantity: t.quantity,
    pnl: t.pnl,
    fees: t.fees,
    netPnl: t.netPnl,
  };
}

/** The ratios of a result as numbers (null ratios left out): what a study stores per trial. */
export function numericMetrics(m: BacktestMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number | null) => {
    if (v !== null && Number.isFinite(v)) out[k] = v;
  };
  put('totalReturn', m.totalReturn);
  put('annualisedReturn', m.annualisedReturn);
  put('volatility', m.volatility);
  put('sharpe', m.sharpe);
  put('sortino', m.sortino);
  put('calmar', m.calmar);
  put('maxDrawdownFraction', m.maxDrawdownFraction);
  put('maxDrawdownDurationMs', m.maxDrawdownDurationMs);
  put('turnoverRatio', m.turnoverRatio);
  put('exposure', m.exposure);
  put('trades', m.trades.count);
  put('winRate', m.trades.winRate);
  put('profitFactor', m.trades.profitFactor);
  put('payoffRatio', m.trades.payoffRatio);
  return out;
}

/** The figures the CLI prints and the report tabulates, in order: [name, text]. */
export function metricRows(r: BacktestResult): [string, string][] {
  const m = r.metrics;
  const t = m.trades;
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const ratio = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const money = (v: string | null) => (v === null ? 'n/a' : `${v} ${r.currency}`);
  const days = (ms: number | null) => (ms === null ? 'n/a' : ms >= 86_400_000 ? `${(ms / 86_400_000).toFixed(1)} d` : ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 60_000).toFixed(1)} min`);
  return [
    ['initial equity', money(m.initialEquity)],
    ['final equity', money(m.finalEquity)],
    ['net P&L', money(m.netPnl)],
    ['fees', money(m.fees)],
    ['total return', pct(m.totalReturn)],
    ['annualised return', pct(m.annualisedReturn)],
    ['volatility', pct(m.volatility)],
    ['Sharpe', ratio(m.sharpe)],
    ['Sortino', ratio(m.sortino)],
    ['Calmar', ratio(m.calmar)],
    ['max drawdown', `${money(m.maxDrawdown)} (${pct(m.maxDrawdownFraction)})`],
    ['max drawdown duration', days(m.maxDrawdownDurationMs)],
    ['turnover', `${money(m.turnover)} (${ratio(m.turnoverRatio)}× equity)`],
    ['exposure', pct(m.exposure)],
    ['round trips', String(t.count)],
    ['win rate', pct(t.winRate)],
    ['profit factor', ratio(t.profitFactor)],
    ['payoff ratio', ratio(t.payoffRatio)],
    ['average win / loss', `${money(t.averageWin)} / ${money(t.averageLoss)}`],
    ['average holding', days(t.averageHoldingMs)],
    ['orders / fills / risk rejections', `${r.counts.orders} / ${r.counts.fills} / ${r.counts.riskRejections}`],
    // Results stored before risk's post-trade side ran in backtests have no such counts.
    ['stops armed / triggered, breaker trips', `${r.counts.stopsArmed ?? 0} / ${r.counts.stopsTriggered ?? 0}, ${r.counts.breakerTrips ?? 0}`],
    ['events', `${r.counts.events} (${r.counts.bars} bars, ${r.counts.trades} trades, ${r.counts.quotes} quotes, ${r.counts.bookUpdates} book updates)`],
  ];
}

/** The metrics table as text, names padded to one column. */
export function metricsTable(r: BacktestResult): string {
  const rows = metricRows(r);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

function period(r: BacktestResult): string {
  if (r.startNs === null || r.endNs === null) return 'no events';
  return `${new Date(msOf(r.startNs)).toISOString()} → ${new Date(msOf(r.endNs)).toISOString()}`;
}

/** A backtest's report: its curve, trades and figures; a study's trials when given (the parameter heat map). */
export function backtestReportInput(r: BacktestResult, title: string, study?: ReportInput['study'], extraMetrics: Record<string, string | number> = {}): ReportInput {
  const params = Object.entries(r.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return {
    title,
    subtitle: `${Object.keys(r.perSymbol).join(', ')} · ${period(r)} · seed ${r.seed} · ${params}`,
    equity: r.equity,
    startEquity: r.metrics.initialEquity,
    trades: r.trades.map(tradeRecord),
    metrics: { ...Object.fromEntries(metricRows(r)), ...extraMetrics },
    ...(study !== undefined ? { study } : {}),
  };
}

/** A study's report: the best trial's backtest (run again for its curve and trades) and every trial on the heat map. */
export function studyReportInput(best: BacktestResult, name: string, direction: 'maximize' | 'minimize', trials: readonly TrialRecord[], metric: string): ReportInput {
  const complete = trials.filter((t) => t.state === 'complete').length;
  const top = trials.filter((t) => t.state === 'complete').reduce<TrialRecord | undefined>((b, t) => (b === undefined || (direction === 'maximize' ? t.score! > b.score! : t.score! < b.score!) ? t : b), undefined);
  return backtestReportInput(best, `Study ${name}: best of ${trials.length} trials`, { name, direction, trials }, {
    'study objective': `${direction} ${metric}`,
    'trials (complete / failed)': `${complete} / ${trials.length - complete}`,
    'best trial': top === undefined ? 'none' : `#${top.number} ${metric} ${top.score}`,
  });
}

/** A walk-forward run's report: out-of-sample equity and trades, the windows, the summary. */
export function walkForwardReportInput(wf: WalkForwardResult, title: string, metric: string): ReportInput {
  const s = wf.summary;
  return {
    title,
    subtitle: `${wf.windows.length} windows · out of sample only · objective ${metric}`,
    equity: wf.equity,
    startEquity: s.startEquity,
    trades: wf.trades,
    metrics: {
      'start equity': s.startEquity,
      'end equity': s.endEquity,
      'out-of-sample P&L': s.pnl,
      return: `${(s.returnFraction * 100).toFixed(2)}%`,
      'max drawdown': `${s.maxDrawdown} (${(s.maxDrawdownFraction * 100).toFixed(2)}%)`,
      windows: s.windows,
      [`mean test ${metric}`]: s.meanTestScore,
      [`mean train ${metric}`]: s.meanTrainScore,
      'walk-forward efficiency': s.efficiency,
      'round trips': s.trades,
    },
    windows: wf.windows.map((w) => ({ index: w.index, train: w.train, test: w.test, trainScore: w.trainScore, testScore: w.testScore, bestParams: w.bestParams })),
  };
}
