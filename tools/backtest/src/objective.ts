// The objective of a study or walk-forward run, loaded by libs/research's worker threads from
// dist/objective.js: one backtest per trial with the trial's parameters, scored by one metric of
// the result. ctx.data carries the job (plain JSON), directly for a study and under `data` for a
// walk-forward run, which also says which window of time to run.
import type { BacktestMetrics } from '@meridian/backtest';
import { Database } from '@meridian/store';
import { InvalidRequestError } from './errors';
import { executeJob, needsDatabase } from './job';
import type { DatabaseSettings, Job } from './job';
import { numericMetrics, tradeRecord } from './report-input';

/** The metrics a study can optimise, and the direction each is better in. */
export const METRICS = {
  sharpe: 'maximize',
  sortino: 'maximize',
  calmar: 'maximize',
  totalReturn: 'maximize',
  annualisedReturn: 'maximize',
  netPnl: 'maximize',
  profitFactor: 'maximize',
  winRate: 'maximize',
  maxDrawdownFraction: 'minimize',
  volatility: 'minimize',
} as const satisfies Record<string, 'maximize' | 'minimize'>;

export type MetricName = keyof typeof METRICS;

export function metricName(field: string, v: string): MetricName {
  if (!Object.hasOwn(METRICS, v)) throw new InvalidRequestError(field, `must be one of ${Object.keys(METRICS).join(', ')}, got ${JSON.stringify(v)}`);
  return v as MetricName;
}

/** What the objective is given besides the trial's parameters. */
export interface ObjectiveData {
  readonly job: Job;
  readonly metric: MetricName;
  readonly db?: DatabaseSettings;
}

interface WalkForwardWindowData {
  readonly phase: 'train' | 'test';
  readonly fromMs: number;
  readonly toMs: number;
  readonly data: ObjectiveData;
}

/** The score of a result; a ratio the engine leaves undefined (a flat curve: no trades) fails the trial. */
export function scoreOf(m: BacktestMetrics, metric: MetricName): number {
  let v: number | null;
  switch (metric) {
    case 'netPnl':
      // A float view for ranking only; the exact amount stays in the result.
      v = Number(m.netPnl);
      break;
    case 'profitFactor':
      v = m.trades.profitFactor;
      break;
    case 'winRate':
      v = m.trades.winRate;
      break;
    default:
      v = m[metric];
  }
  if (v === null || !Number.isFinite(v)) {
    throw new Error(`${metric} is undefined for this run (${m.trades.count} round trips, total return ${m.totalReturn ?? 'n/a'}): nothing to score`);
  }
  return v;
}

// One pool per worker thread and database, opened on first use: trials of a study share it.
const databases = new Map<string, Promise<Database>>();

function databaseFor(settings: DatabaseSettings): Promise<Database> {
  const key = `${settings.url}|${settings.schema}`;
  let db = databases.get(key);
  if (db === undefined) {
    db = Database.open({ url: settings.url, schema: settings.schema, maxConnections: 2 });
    databases.set(key, db);
    db.catch(() => databases.delete(key));
  }
  return db;
}

function isWindow(d: unknown): d is WalkForwardWindowData {
  return typeof d === 'object' && d !== null && 'phase' in d && 'fromMs' in d;
}

export async function objective(params: Record<string, unknown>, ctx: { data?: unknown }) {
  const window = isWindow(ctx.data) ? ctx.data : undefined;
  const data = (window?.data ?? ctx.data) as ObjectiveData;
  if (data === undefined || typeof data !== 'object' || data.job === undefined) throw new TypeError('the backtest objective needs ctx.data = { job, metric }');
  let db: Database | undefined;
  if (needsDatabase(data.job)) {
    if (data.db === undefined) throw new InvalidRequestError('data', 'a postgres source needs DATABASE_URL');
    db = await databaseFor(data.db);
  }
  const result = await executeJob(data.job, { params, ...(window ? { window: { fromMs: window.fromMs, toMs: window.toMs } } : {}), ...(db ? { db } : {}) });
  const score = scoreOf(result.metrics, data.metric);
  const out = { score, metrics: numericMetrics(result.metrics) };
  // Only walk-forward's test runs need the curve and the trades; a study stores the figures.
  if (window?.phase !== 'test') return out;
  return { ...out, equity: result.equity, startEquity: result.metrics.initialEquity, trades: result.trades.map(tradeRecord) };
}
