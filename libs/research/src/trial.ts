import type { Params } from './space';

export type Direction = 'maximize' | 'minimize';

/** What an objective returns: a score to optimise and named numbers to keep beside it. */
export interface ObjectiveResult {
  score: number;
  metrics?: Record<string, number>;
  /**
   * The equity curve of the run, decimals as strings. Walk-forward needs it from the test-window
   * evaluations; study trials do not store it.
   */
  equity?: EquityPoint[];
  /** Equity at the start of the run (before the first point); defaults to the first point's. */
  startEquity?: string;
  trades?: TradeRecord[];
}

export interface EquityPoint {
  tsMs: number;
  equity: string;
}

/** One round trip (the backtester's RoundTrip with times in ms). Money fields are decimal strings (exact). */
export interface TradeRecord {
  symbol: string;
  direction: 'long' | 'short';
  entryTsMs: number;
  exitTsMs: number;
  entryPrice: string;
  exitPrice: string;
  quantity: string;
  /** Gross of fees. */
  pnl: string;
  fees: string;
  /** pnl − fees; computed when absent. */
  netPnl?: string;
}

/** What the objective is told about the run it is asked for. */
export interface TrialContext {
  study: string;
  trial: number;
  seed: number;
  /** Caller data passed through unchanged (e.g. the walk-forward window's time range). */
  data?: unknown;
}

export type TrialState = 'complete' | 'failed';

/** A finished trial, as stored. */
export interface TrialRecord {
  number: number;
  state: TrialState;
  params: Params;
  /** Finite for a complete trial, undefined for a failed one. */
  score?: number;
  metrics: Record<string, number>;
  /** The thrown error's name and message for a failed trial. */
  error?: string;
  startedAtMs: number;
  durationMs: number;
}

/** Is `a` a better score than `b` under the direction. */
export function better(direction: Direction, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}

/** The best complete trial, the earliest one on ties; undefined when none completed. */
export function bestTrial(trials: readonly TrialRecord[], direction: Direction): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'complete' || t.score === undefined) continue;
    if (!best || better(direction, t.score, best.score!) || (t.score === best.score && t.number < best.number)) best = t;
  }
  return best;
}
