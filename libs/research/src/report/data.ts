// The numbers a report draws, computed here (exactly, from the decimal curve) so the page's
// script only has to place them. Curves are thinned to a few thousand points by keeping, per
// horizontal slot, the first, lowest, highest and last point: a drawdown's trough survives.
import { Decimal } from '@meridian/domain';
import { InvalidReportInputError } from '../errors';
import { drawdowns, parseEquity, summariseCurve } from '../equity';
import type { CurveSummary, ParsedPoint } from '../equity';
import type { Direction, EquityPoint, TradeRecord, TrialRecord } from '../trial';
import { better } from '../trial';

export interface ReportInput {
  title: string;
  subtitle?: string;
  equity: readonly EquityPoint[];
  /** Equity before the first point (the first month's return is measured from it); default the first point. */
  startEquity?: string;
  trades?: readonly TradeRecord[];
  /** Shown as a table of figures; numbers or preformatted text. */
  metrics?: Readonly<Record<string, number | string>>;
  /** A study's trials, for the parameter heat map. */
  study?: {
    name?: string;
    direction: Direction;
    trials: readonly TrialRecord[];
    /** The two parameters on the axes; default the first two (by name) that take more than one value. */
    x?: string;
    y?: string;
  };
  /** Walk-forward windows, listed in a table when given. */
  windows?: readonly { index: number; train: { fromMs: number; toMs: number }; test: { fromMs: number; toMs: number }; trainScore: number; testScore: number; bestParams: Record<string, unknown> }[];
  /** Default 2000 points per curve. */
  maxPoints?: number;
  /** Rows of the trade table; the rest are counted, not listed. Default 5000. */
  maxTrades?: number;
  generatedAtMs?: number;
}

/** [tsMs, value] pairs for a chart. */
export type Series = [number, number][];

export interface MonthlyReturns {
  years: number[];
  /** cells[yearIndex][month 0-11]: return fraction, or null where the curve has no point. */
  cells: (number | null)[][];
  /** Whole-year return fraction per year. */
  yearTotals: (number | null)[];
}

export interface ParamHeatmap {
  x: string;
  y: string;
  xLabels: string[];
  yLabels: string[];
  /** cells[yi][xi]: best score among the trials in the cell, or null. */
  cells: (number | null)[][];
  counts: number[][];
  direction: Direction;
  trials: number;
}

export interface ReportData {
  title: string;
  subtitle: string;
  generatedAtMs: number;
  summary: CurveSummary;
  equity: Series;
  drawdown: Series;
  monthly: MonthlyReturns;
  trades: TradeRecord[];
  tradesTotal: number;
  metrics: [string, string][];
  heatmap: ParamHeatmap | null;
  windows: NonNullable<ReportInput['windows']>;
}

/** Thins [t, v] pairs to at most about maxPoints, keeping first/min/max/last of each slot, in time order. */
export function thin(series: Series, maxPoints: number): Series {
  if (series.length <= maxPoints) return series;
  const slots = Math.max(1, Math.floor(maxPoints / 4));
  const t0 = series[0]![0];
  const span = series[series.length - 1]![0] - t0 || 1;
  const out: Series = [];
  let slot = -1;
  let bucket: number[] = [];
  const flush = () => {
    if (bucket.length === 0) return;
    let lo = bucket[0]!;
    let hi = bucket[0]!;
    for (const i of bucket) {
      if (series[i]![1] < series[lo]![1]) lo = i;
      if (series[i]![1] > series[hi]![1]) hi = i;
    }
    const keep = [...new Set([bucket[0]!, lo, hi, bucket[bucket.length - 1]!])].sort((a, b) => a - b);
    for (const i of keep) out.push(series[i]!);
    bucket = [];
  };
  series.forEach((p, i) => {
    const s = Math.min(slots - 1, Math.floor(((p[0] - t0) / span) * slots));
    if (s !== slot) {
      flush();
      slot = s;
    }
    bucket.push(i);
  });
  flush();
  return out;
}

/** Month-by-month returns (UTC): each month's last equity over the previous month's last (or the start). */
export function monthlyReturns(points: readonly ParsedPoint[], start?: Decimal): MonthlyReturns {
  if (points.length === 0) return { years: [], cells: [], yearTotals: [] };
  const ends = new Map<number, Decimal>(); // year*12+month -> last equity
  for (const p of points) {
    const d = new Date(p.tsMs);
    ends.set(d.getUTCFullYear() * 12 + d.getUTCMonth(), p.equity);
  }
  const keys = [...ends.keys()].sort((a, b) => a - b);
  const firstYear = Math.floor(keys[0]! / 12);
  const lastYear = Math.floor(keys[keys.length - 1]! / 12);
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const cells = years.map(() => Array<number | null>(12).fill(null));
  const yearStart = new Map<number, Decimal>();
  const yearEnd = new Map<number, Decimal>();
  let prev = start ?? points[0]!.equity;
  const ratio = (a: Decimal, b: Decimal) => (b.isPositive() ? a.sub(b).div(b, 12).toNumber() : null);
  for (const k of keys) {
    const y = Math.floor(k / 12);
    const end = ends.get(k)!;
    cells[y - firstYear]![k % 12] = ratio(end, prev);
    if (!yearStart.has(y)) yearStart.set(y, prev);
    yearEnd.set(y, end);
    prev = end;
  }
  const yearTotals = years.map((y) => (yearStart.has(y) ? ratio(yearEnd.get(y)!, yearStart.get(y)!) : null));
  return { years, cells, yearTotals };
}

const MAX_AXIS_CELLS = 12;

function axis(values: unknown[]): { labels: string[]; index: (v: unknown) => number } {
  const distinct = [...new Set(values)];
  const numeric = distinct.every((v) => typeof v === 'number');
  if (numeric) {
    const nums = (distinct as number[]).sort((a, b) => a - b);
    if (nums.length <= MAX_AXIS_CELLS) return { labels: nums.map((n) => fmt(n)), index: (v) => nums.indexOf(v as number) };
    // Continuous values: equal-width bins over the observed range.
    const lo = nums[0]!;
    const hi = nums[nums.length - 1]!;
    const w = (hi - lo) / MAX_AXIS_CELLS;
    return {
      labels: Array.from({ length: MAX_AXIS_CELLS }, (_, i) => `${fmt(lo + i * w)}–${fmt(lo + (i + 1) * w)}`),
      index: (v) => Math.min(MAX_AXIS_CELLS - 1, Math.floor(((v as number) - lo) / w)),
    };
  }
  const labels = distinct.map((v) => String(v)).sort();
  return { labels, index: (v) => labels.indexOf(String(v)) };
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : Number(n.toPrecision(4)).toString();
}

/** Best score per (x, y) cell over the complete trials; other parameters are maximised (or minimised) out. */
export function paramHeatmap(study: NonNullable<ReportInput['study']>): ParamHeatmap | null {
  const complete = study.trials.filter((t) => t.state === 'complete' && t.score !== undefined);
  if (complete.length === 0) return null;
  const names = [...new Set(complete.flatMap((t) => Object.keys(t.params)))].sort();
  const varied = names.filter((n) => new Set(complete.map((t) => t.params[n])).size > 1);
  const x = study.x ?? varied[0];
  const y = study.y ?? varied.find((n) => n !== x);
  if (x === undefined || y === undefined) return null;
  for (const [key, name] of [['study.x', x], ['study.y', y]] as const) {
    if (!names.includes(name)) throw new InvalidReportInputError(key, name, `is not a parameter of the trials (${names.join(', ')})`);
  }
  const ax = axis(complete.map((t) => t.params[x]));
  const ay = axis(complete.map((t) => t.params[y]));
  const cells = ay.labels.map(() => Array<number | null>(ax.labels.length).fill(null));
  const counts = ay.labels.map(() => Array<number>(ax.labels.length).fill(0));
  for (const t of complete) {
    const xi = ax.index(t.params[x]);
    const yi = ay.index(t.params[y]);
    const cur = cells[yi]![xi];
    if (cur === null || cur === undefined || better(study.direction, t.score!, cur)) cells[yi]![xi] = t.score!;
    counts[yi]![xi]!++;
  }
  return { x, y, xLabels: ax.labels, yLabels: ay.labels, cells, counts, direction: study.direction, trials: complete.length };
}

export function buildReportData(input: ReportInput): ReportData {
  if (typeof input.title !== 'string' || input.title === '') throw new InvalidReportInputError('title', input.title, 'must be a non-empty string');
  const maxPoints = input.maxPoints ?? 2000;
  if (!Number.isInteger(maxPoints) || maxPoints < 8) throw new InvalidReportInputError('maxPoints', maxPoints, 'must be an integer ≥ 8');
  const maxTrades = input.maxTrades ?? 5000;
  if (!Number.isInteger(maxTrades) || maxTrades < 0) throw new InvalidReportInputError('maxTrades', maxTrades, 'must be a non-negative integer');
  const points = parseEquity(input.equity);
  const start = input.startEquity === undefined ? undefined : parseEquity([{ tsMs: points[0]?.tsMs ?? 0, equity: input.startEquity }], 'startEquity')[0]!.equity;
  // Display values: floats are fine for placing pixels; every printed figure comes from the decimals.
  const equity = thin(points.map((p) => [p.tsMs, p.equity.toNumber()]), maxPoints);
  const drawdown = thin(drawdowns(points).map((d) => [d.tsMs, -d.fraction]), maxPoints);
  const trades = input.trades ?? [];
  const listed = trades.slice(0, maxTrades).map((t, i) => {
    if (t.netPnl !== undefined) return t;
    try {
      return { ...t, netPnl: Decimal.parse(t.pnl).sub(Decimal.parse(t.fees)).toString() };
    } catch (err) {
      throw new InvalidReportInputError(`trades[${i}]`, { pnl: t.pnl, fees: t.fees }, `has a P&L or fee that is not a decimal (${(err as Error).message})`);
    }
  });
  const metrics: [string, string][] = Object.entries(input.metrics ?? {}).map(([k, v]) => [k, typeof v === 'number' ? fmtMetric(v) : String(v)]);
  return {
    title: input.title,
    subtitle: input.subtitle ?? '',
    generatedAtMs: input.generatedAtMs ?? Date.now(),
    summary: summariseCurve(points, start),
    equity,
    drawdown,
    monthly: monthlyReturns(points, start),
    trades: listed,
    tradesTotal: trades.length,
    metrics,
    heatmap: input.study ? paramHeatmap(input.study) : null,
    windows: [...(input.windows ?? [])],
  };
}

function fmtMetric(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1000 ? v.toFixed(2) : Number(v.toPrecision(6)).toString();
}
