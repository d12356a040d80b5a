import { resolveConfig } from './config';
import type { BacktestConfig } from './config';
import { BacktestEngine } from './engine';
import { BacktestConfigError } from './errors';
import type { BacktestResult } from './result';
import type { EventSource } from './sources/source';
import type { Strategy } from './strategy';

export interface BacktestRun {
  readonly config: BacktestConfig;
  /** Merged by time; equal times keep the order of this list, then each source's own order. */
  readonly sources: readonly EventSource[];
  readonly strategies: readonly Strategy[];
}

/**
 * Runs a backtest to its end. Deterministic: the same configuration (seed included), sources and
 * strategies give the same result, byte for byte once serialised. Strategies keep state: give each
 * run fresh ones.
 */
export async function runBacktest(run: BacktestRun): Promise<BacktestResult> {
  if (run === null || typeof run !== 'object') throw new BacktestConfigError('run', run, 'must be { config, sources, strategies }');
  if (!Array.isArray(run.sources)) throw new BacktestConfigError('sources', run.sources, 'must be an array of event sources');
  if (!Array.isArray(run.strategies) || run.strategies.length === 0) throw new BacktestConfigError('strategies', run.strategies, 'must be a non-empty array');
  const engine = new BacktestEngine(resolveConfig(run.config), run.strategies);
  return engine.run(run.sources);
}
