import { compareForecasts, createModel, predict, prepareBarFold, trainModel, walkForwardSplits } from '@meridian/models';
import type { AccuracyRow, AnyForecastModel, BarFold, Fold, TrainingConfig, TrainingHooks, TrainingResult } from '@meridian/models';
import { windowBaselines } from '@meridian/models';
import type { Bar } from '@meridian/signals';
import { modelConfigFor, readsCovariates } from './model-choice';
import type { ModelChoice, ModelSizes } from './model-choice';

export interface BarsRunOptions {
  readonly model: ModelChoice;
  readonly sizes: ModelSizes;
  readonly training: Partial<TrainingConfig>;
  readonly spec: unknown;
  readonly lookback: number;
  readonly horizon: number;
  readonly folds: number;
  readonly testSize: number;
  readonly validationSize: number;
  readonly minTrainSize: number;
  /** Season of the seasonal naive baseline, in bars (24 for hourly bars: a day). */
  readonly season: number;
  /** Window of the moving-average baseline, in bars. */
  readonly movingAverage: number;
}

export interface FoldResult {
  readonly fold: Fold;
  readonly windows: { train: number; validation: number; test: number };
  readonly training: TrainingResult;
  readonly parameters: number;
  /** Errors of ln(close) forecasts over every test window and step, in basis points (1e-4 log units). */
  readonly accuracy: AccuracyRow[];
  /** Share of actual values inside the outer quantiles (TFT, quantile LSTM), or null. */
  readonly coverage: { low: number; high: number; share: number } | null;
}

/** Shares of the period covered, for the report: when each segment starts, in bar time. */
export function foldTimes(bars: readonly Bar[], f: Fold): Record<string, string> {
  const at = (i: number) => new Date(bars[Math.min(i, bars.length - 1)]!.startMs).toISOString();
  return { trainFrom: at(f.train.start), validationFrom: at(f.validation.start), testFrom: at(f.test.start), testTo: at(f.test.end - 1) };
}

/**
 * Walk-forward training on one bar series: per fold a fresh model (same seed), trained with
 * early stopping on the fold's validation segment, scored on its test segment against the naive,
 * seasonal naive and moving-average forecasts of the same windows. Returns the last fold's model.
 */
export async function runBars(bars: readonly Bar[], o: BarsRunOptions, hooks: (fold: number) => TrainingHooks = () => ({})): Promise<{ folds: FoldResult[]; model: AnyForecastModel; last: BarFold }> {
  const folds = walkForwardSplits({ length: bars.length, folds: o.folds, testSize: o.testSize, validationSize: o.validationSize, minTrainSize: o.minTrainSize });
  const results: FoldResult[] = [];
  let model: AnyForecastModel | undefined;
  let last: BarFold | undefined;
  for (const fold of folds) {
    // Test windows every `horizon` bars: non-overlapping forecasts, each step scored once.
    const prepared = prepareBarFold(bars, fold, { lookback: o.lookback, horizon: o.horizon, spec: o.spec, calendar: o.model === 'tft', univariate: !readsCovariates(o.model), testStride: o.horizon });
    const config = modelConfigFor(o.model, { ...prepared.dataset.io }, o.sizes);
    model?.dispose();
    model = createModel(config, o.training.seed ?? 1);
    const ds = prepared.dataset;
    const training = await trainModel(model, ds.source(prepared.train), ds.source(prepared.validation), o.training, hooks(fold.index));
    const f = predict(model, ds.source(prepared.test));
    const base = windowBaselines(prepared.series.target, prepared.test.origin, o.horizon, { season: o.season, movingAverage: o.movingAverage });
    const bp = (a: Float64Array) => a.map((x) => x * 1e4);
    // Errors in log space ×1e4 are relative errors in basis points, comparable across price levels.
    const center = new Float64Array(f.actual.length);
    for (let i = 0; i < prepared.test.origin.length; i++) center.fill(prepared.series.target[prepared.test.origin[i]!] as number, i * o.horizon, (i + 1) * o.horizon);
    const rel = (a: Float64Array) => bp(a.map((x, i) => x - center[i]!));
    const accuracy = compareForecasts(rel(f.actual), { [o.model]: rel(f.point), naive: rel(base.naive), seasonalNaive: rel(base.seasonalNaive), movingAverage: rel(base.movingAverage) });
    let coverage: FoldResult['coverage'] = null;
    if (f.quantiles.length >= 2) {
      let inside = 0;
      const Q = f.outputs;
      for (let i = 0; i < f.actual.length; i++) if (f.actual[i]! >= f.values[i * Q]! && f.actual[i]! <= f.values[i * Q + Q - 1]!) inside += 1;
      coverage = { low: f.quantiles[0]!, high: f.quantiles[Q - 1]!, share: inside / f.actual.length };
    }
    results.push({ fold, windows: { train: prepared.train.origin.length, validation: prepared.validation.origin.length, test: prepared.test.origin.length }, training, parameters: model.parameterCount(), accuracy, coverage });
    last = prepared;
  }
  return { folds: results, model: model!, last: last! };
}
