import { featureMatrix, fitNormalisation } from '@meridian/signals';
import type { Bar, FeatureSpec } from '@meridian/signals';
import { calendarFeatures, CALENDAR_FEATURES } from './calendar';
import { WindowDataset } from './dataset';
import type { SeriesInput, WindowScaling, Windows } from './dataset';
import { InvalidDatasetError } from './errors';
import type { ModelColumns } from './serialize';
import type { Fold, Segment } from './splits';

export interface BarFoldOptions {
  readonly lookback: number;
  readonly horizon: number;
  /** The FeatureSpec whose zscore/minmax statistics are fitted here, on the fold's training bars. */
  readonly spec: unknown;
  /** Known future inputs: the calendar of each forecast step (hour of day, day of week). */
  readonly calendar: boolean;
  /** Read the target history only (N-BEATS): no covariates. */
  readonly univariate?: boolean;
  /** Test windows every `testStride` origins (1: every bar). */
  readonly testStride?: number;
}

/** One walk-forward fold of a bar series, ready to train: nothing in it has seen a validation or test bar. */
export interface BarFold {
  readonly fold: Fold;
  /** The spec with statistics fitted on bars [fitBars.start, fitBars.end) only. */
  readonly spec: FeatureSpec;
  readonly fitBars: Segment;
  readonly series: SeriesInput;
  /** Window scaling of the target (log close): shift by the origin, divide by the one-bar log-return σ of the training bars. */
  readonly scaling: WindowScaling;
  readonly dataset: WindowDataset;
  readonly train: Windows;
  readonly validation: Windows;
  readonly test: Windows;
  readonly columns: ModelColumns;
}

/**
 * Builds a fold over bars (rows = bars, so `fold` is in bar indices): fits the FeatureSpec and
 * the target scale on the training bars, computes the features of every bar with the fitted
 * spec (a feature at bar t reads bars ≤ t only: the pipeline is streaming), and cuts windows
 * whose targets stay inside each segment. The target is ln(close).
 */
export function prepareBarFold(bars: readonly Bar[], fold: Fold, o: BarFoldOptions): BarFold {
  if (fold.test.end > bars.length) throw new InvalidDatasetError('fold.test.end', fold.test.end, `is past the ${bars.length} bars`);
  const fitBars = { start: 0, end: fold.validation.start };
  const trainBars = bars.slice(fitBars.start, fitBars.end);
  const T = bars.length;
  const target = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const c = bars[t]!.close;
    if (!(c > 0 && Number.isFinite(c))) throw new InvalidDatasetError(`bars[${t}].close`, c, 'must be a positive finite number');
    target[t] = Math.log(c);
  }
  // One-bar log-return σ over the training bars only.
  let sum = 0;
  let sq = 0;
  for (let t = 1; t < fitBars.end; t++) {
    const r = target[t]! - target[t - 1]!;
    sum += r;
    sq += r * r;
  }
  const n = fitBars.end - 1;
  const sigma = n > 1 ? Math.sqrt(Math.max(0, sq / n - (sum / n) ** 2)) : 0;
  if (!(sigma > 0)) throw new InvalidDatasetError('training bars', fitBars.end, 'have no price variation to scale the target by');
  const scaling: WindowScaling = { kind: 'shift', scale: sigma };

  const spec = fitNormalisation(o.spec, trainBars);
  let covariates: Float32Array | undefined;
  let start = 0;
  let names: string[] = [];
  if (!o.univariate) {
    const m = featureMatrix(spec, bars);
    covariates = new Float32Array(T * m.columns);
    covariates.set(m.data, m.firstBar * m.columns);
    start = m.firstBar;
    names = [...m.names];
  }
  let known: Float32Array | undefined;
  if (o.calendar) {
    const last = bars[T - 1]!;
    const step = last.endMs - last.startMs;
    const times = new Float64Array(T + o.horizon);
    for (let t = 0; t < T; t++) times[t] = bars[t]!.startMs;
    for (let h = 0; h < o.horizon; h++) times[T + h] = last.startMs + (h + 1) * step;
    known = calendarFeatures(times);
  }
  const series: SeriesInput = {
    id: 'bars',
    target,
    ...(covariates ? { covariates } : {}),
    ...(known ? { known } : {}),
    times: bars.map((b) => b.startMs),
    start,
  };
  const dataset = new WindowDataset([series], { lookback: o.lookback, horizon: o.horizon, covariates: names.length, known: o.calendar ? CALENDAR_FEATURES.length : 0, statics: 0 }, scaling);
  return {
    fold,
    spec,
    fitBars,
    series,
    scaling,
    dataset,
    train: dataset.windows(0, fold.train.start, fold.train.end),
    validation: dataset.windows(0, fold.validation.start, fold.validation.end),
    test: dataset.windows(0, fold.test.start, fold.test.end, o.testStride ?? 1),
    columns: { past: [...names, 'target'], future: o.calendar ? [...CALENDAR_FEATURES] : [], static: [] },
  };
}
