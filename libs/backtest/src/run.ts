import { resolveConfig } from './config';
import type { BacktestConfig } from './config';
import { BacktestEngine } from './engine';
import type { BacktestProgress } from './engine';
import { BacktestConfigError } from './errors';
import type { BacktestResult } from './result';
import type { EventSource } from './sources/source';
import type { Strategy } from './strategy';

export interface BacktestRun {
  readonly config: BacktestConfig;
  /** Merged by time; equal times keep the order of this list, then each source's own order. */
  readonly sources: readonly EventSource[];
  readonly strategies: readonly Strategy[];
  /** Called every `progressEvery` events and once at the end (events processed, event time reached). */
  readonly onProgress?: (p: BacktestProgress) => void;
  /** Events between progress reports; default DEFAULT_PROGRESS_EVERY. */
  readonly progressEvery?: number;
}

export const DEFAULT_PROGRESS_EVERY = 10_000;

/**
 * Runs a backtest to its end. Deterministic: the same configuration (seed included), sources and
 * strategies give the same result, byte for byte once serialised. Strategies keep state: give each
 * run fresh ones.
 */
export async function runBacktest(run: BacktestRun): Promise<BacktestResult> {
  if (run === null || typeof run !== 'object') throw new BacktestConfigError('run', run, 'must be { config, sources, strategies }');
  if (!Array.isArray(run.sources)) throw new BacktestConfigError('sources', run.sources, 'must be an array of event sources');
  if (!Array.isArray(run.strategies) || run.strategies.length === 0) throw new BacktestConfigError('strategies', run.strategies, 'must be a non-empty array');
  if (run.onProgress !== undefined && typeof run.onProgress !== 'function') throw new BacktestConfigError('onProgress', run.onProgress, 'must be a function');
  const every = run.progressEvery ?? DEFAULT_PROGRESS_EVERY;
  if (!Number.isSafeInteger(every) || every < 1) throw new BacktestConfigError('progressEvery', run.progressEvery, 'must be a positive integer of events');
  const engine = new BacktestEngine(resolveConfig(run.config), run.strategies);
  return engine.run(run.sources, run.onProgress === undefined ? undefined : { every, onProgress: run.onProgress });
}
