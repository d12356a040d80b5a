import { Decimal } from '@meridian/domain';
import { InvalidOptionError, NoCompletedTrialError, WalkForwardEvaluationError } from './errors';
import { parseEquity, summariseCurve } from './equity';
import type { CurveSummary } from './equity';
import { InlineEvaluator } from './evaluator';
import type { Evaluator, ObjectiveFunction } from './evaluator';
import { WorkerPool } from './pool';
import type { ObjectiveRef } from './pool';
import type { SamplerSpec } from './samplers/sampler';
import type { Params, SpaceSpec } from './space';
import { ParamSpace } from './space';
import { runStudy } from './study';
import type { StudyProgress } from './study';
import type { StudyStore } from './study-store';
import type { Direction, EquityPoint, TradeRecord } from './trial';
import { walkForwardWindows } from './windows';
import type { TimeRange, WalkWindow, WindowSpec } from './windows';

/** ctx.data the objective receives in a walk-forward run: which period to backtest, and why. */
export interface WalkForwardData {
  phase: 'train' | 'test';
  window: number;
  fromMs: number;
  toMs: number;
  /** The caller's own `data`, unchanged. */
  data?: unknown;
}

export interface WalkForwardProgress {
  window: number;
  windows: number;
  phase: 'train' | 'test';
  /** The train study's progress (phase train). */
  study?: StudyProgress;
  /** The test evaluation's score (phase test, when it finished). */
  testScore?: number;
}

export interface WalkForwardOptions {
  /** Each window's train study is stored as `<name>/w<index>`, so a stopped run resumes. */
  name: string;
  windows: WindowSpec;
  space: SpaceSpec | ParamSpace;
  objective: ObjectiveRef | ObjectiveFunction;
  sampler?: SamplerSpec;
  seed?: number;
  /** Trials per window's study (grid: default its size). */
  nTrials?: number;
  direction?: Direction;
  store?: StudyStore;
  workers?: number;
  trialTimeoutMs?: number;
  /** See StudyOptions.prefetch. */
  prefetch?: number;
  evaluator?: Evaluator;
  data?: unknown;
  /** Equity the stitched out-of-sample curve starts from; default the first test window's starting equity. */
  initialEquity?: string;
  onProgress?: (progress: WalkForwardProgress) => void;
  signal?: AbortSignal;
}

export interface WindowResult {
  index: number;
  train: TimeRange;
  test: TimeRange;
  study: string;
  bestParams: Params;
  /** Best in-sample score: reported for comparison, never part of the out-of-sample figures. */
  trainScore: number;
  trials: number;
  failedTrials: number;
  testScore: number;
  testMetrics: Record<string, number>;
  /** Equity points of the test evaluation inside the test window (stitched), and outside it (dropped). */
  testPoints: number;
  droppedPoints: number;
  testPnl: string;
}

export interface WalkForwardResult {
  name: string;
  windows: WindowResult[];
  /** Out-of-sample equity: the test windows' curves chained by P&L, nothing from a train window. */
  equity: EquityPoint[];
  /** Round trips opened inside a test window. */
  trades: TradeRecord[];
  summary: CurveSummary & {
    windows: number;
    meanTestScore: number;
    meanTrainScore: number;
    /** meanTestScore / meanTrainScore: how much of the in-sample score survives out of sample (walk-forward efficiency). */
    efficiency: number;
    trades: number;
  };
}

const inside = (r: TimeRange, ts: number) => ts >= r.fromMs && ts < r.toMs;

/**
 * Walk-forward analysis: for each window, optimise on the train period, then run the best
 * parameters once on the test period that follows. Only test periods make up the reported
 * equity, trades and summary; the objective is told which period it runs through ctx.data
 * (WalkForwardData) and points it returns outside that period are dropped, not stitched.
 *
 * Curves are chained by P&L (each window adds its end minus its start), which is exact with
 * decimals and does not assume the windows compound.
 */
export async function walkForward(options: WalkForwardOptions): Promise<WalkForwardResult> {
  const windows = walkForwardWindows(options.windows);
  const space = ParamSpace.from(options.space);
  if (options.initialEquity !== undefined) parseEquity([{ tsMs: 0, equity: options.initialEquity }], 'initialEquity');
  let evaluator = options.evaluator;
  let own: Evaluator | undefined;
  if (!evaluator) {
    const o = options.objective;
    if (o === undefined) throw new InvalidOptionError('objective', o, 'is required');
    own = typeof o === 'function' ? new InlineEvaluator(o, options.workers ?? 1) : await WorkerPool.start({ objective: o, workers: options.workers, trialTimeoutMs: options.trialTimeoutMs });
    evaluator = own;
  }
  try {
    const results: WindowResult[] = [];
    const equity: EquityPoint[] = [];
    const trades: TradeRecord[] = [];
    let carry: Decimal | undefined = options.initialEquity === undefined ? undefined : Decimal.parse(options.initialEquity);
    let firstStart: Decimal | undefined;
    for (const w of windows) {
      if (options.signal?.aborted) break;
      const r = await runWindow(w, windows.length, space, evaluator, options);
      if (!r) break;
      const { result, points, windowTrades, start } = r;
      firstStart ??= carry ?? start;
      carry ??= start;
      for (const p of points) equity.push({ tsMs: p.tsMs, equity: carry.add(p.equity.sub(start)).toString() });
      const end = points.length > 0 ? points[points.length - 1]!.equity : start;
      carry = carry.add(end.sub(start));
      trades.push(...windowTrades);
      results.push(result);
    }
    const parsed = parseEquity(equity, 'walk-forward equity');
    const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
    const meanTestScore = mean(results.map((r) => r.testScore));
    const meanTrainScore = mean(results.map((r) => r.trainScore));
    return {
      name: options.name,
      windows: results,
      equity,
      trades,
      summary: {
        ...summariseCurve(parsed, firstStart),
        windows: results.length,
        meanTestScore,
        meanTrainScore,
        efficiency: meanTrainScore === 0 ? 0 : meanTestScore / meanTrainScore,
        trades: trades.length,
      },
    };
  } finally {
    await own?.close();
  }
}

async function runWindow(w: WalkWindow, total: number, space: ParamSpace, evaluator: Evaluator, options: WalkForwardOptions) {
  const studyName = `${options.name}/w${w.index}`;
  const trainData: WalkForwardData = { phase: 'train', window: w.index, fromMs: w.train.fromMs, toMs: w.train.toMs, data: options.data };
  const study = await runStudy({
    name: studyName,
    space,
    objective: options.objective,
    objectiveId: typeof options.objective === 'function' ? undefined : `${options.objective.module}#${options.objective.export ?? 'objective'}`,
    sampler: options.sampler,
    seed: options.seed,
    nTrials: options.nTrials,
    direction: options.direction,
    store: options.store,
    evaluator,
    prefetch: options.prefetch,
    data: trainData,
    signal: options.signal,
    onProgress: options.onProgress ? (p) => options.onProgress!({ window: w.index, windows: total, phase: 'train', study: p }) : undefined,
  });
  if (study.stopped) return undefined;
  const best = study.best;
  if (!best) throw new NoCompletedTrialError(studyName, study.failed, study.trials.find((t) => t.error)?.error);

  const testData: WalkForwardData = { phase: 'test', window: w.index, fromMs: w.test.fromMs, toMs: w.test.toMs, data: options.data };
  const outcome = await evaluator.evaluate(best.params, { study: `${studyName}/test`, trial: 0, seed: options.seed ?? 0, data: testData });
  if (!outcome.ok) throw new WalkForwardEvaluationError(w.index, `the test run of ${JSON.stringify(best.params)} failed: ${outcome.error}`);
  const all = parseEquity(outcome.result.equity ?? [], `window ${w.index} test equity`);
  const points = all.filter((p) => inside(w.test, p.tsMs));
  if (points.length === 0) throw new WalkForwardEvaluationError(w.index, `the test run returned no equity point inside [${w.test.fromMs}, ${w.test.toMs})`);
  const start = outcome.result.startEquity !== undefined ? parseEquity([{ tsMs: 0, equity: outcome.result.startEquity }], `window ${w.index} startEquity`)[0]!.equity : points[0]!.equity;
  const windowTrades = (outcome.result.trades ?? []).filter((t) => inside(w.test, t.entryTsMs));
  const end = points[points.length - 1]!.equity;
  options.onProgress?.({ window: w.index, windows: total, phase: 'test', testScore: outcome.result.score });
  const result: WindowResult = {
    index: w.index,
    train: w.train,
    test: w.test,
    study: studyName,
    bestParams: best.params,
    trainScore: best.score!,
    trials: study.trials.length,
    failedTrials: study.failed,
    testScore: outcome.result.score,
    testMetrics: outcome.result.metrics ?? {},
    testPoints: points.length,
    droppedPoints: all.length - points.length,
    testPnl: end.sub(start).toString(),
  };
  return { result, points, windowTrades, start };
}
