import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  WindowDataset,
  concatWindows,
  createModel,
  cyclicFeatures,
  naive2Forecast,
  naiveForecast,
  owa,
  predict,
  scoreSeries,
  seasonalNaiveForecast,
  trainModel,
} from '@meridian/models';
import type { AnyForecastModel, PointLoss, SeriesInput, TrainingConfig, TrainingHooks, TrainingResult, WindowBaseline, Windows } from '@meridian/models';
import { DataMissingError, TrainCliError } from './errors';
import { modelConfigFor } from './model-choice';
import type { ModelChoice, ModelSizes } from './model-choice';

/** M4 Hourly: 414 series, horizon 48, seasonality 24 (MASE and the Naive2 test). */
export const M4_HOURLY = { horizon: 48, seasonality: 24, series: 414 } as const;

/** Published Hourly scores (M4 organisers' "Evaluation and Ranks", see ../shared/data/MANIFEST.md). */
export const M4_HOURLY_PUBLISHED = [
  { method: 'Naive2 (OWA baseline)', smape: 18.383, mase: 2.395, owa: 1.0 },
  { method: 'sNaive', smape: 13.912, mase: 1.193, owa: 0.627 },
  { method: 'Theta', smape: 18.138, mase: 2.455, owa: 1.006 },
  { method: 'Smyl (ES-RNN, overall winner)', smape: 9.328, mase: 0.893, owa: 0.44 },
  { method: 'Montero-Manso et al. (FFORMA, 2nd)', smape: 11.506, mase: 0.819, owa: 0.484 },
  { method: 'Pawlikowski et al.', smape: 9.611, mase: 0.873, owa: 0.444 },
  { method: 'Doornik et al. (best Hourly OWA)', smape: 8.913, mase: 0.801, owa: 0.41 },
] as const;

export interface M4Data {
  readonly ids: string[];
  readonly train: Float64Array[];
  readonly test: Float64Array[];
}

/** One row of an M4 CSV: `"H1","605","586",…` with trailing empty cells for shorter series. */
function parseRow(line: string, file: string, n: number): { id: string; values: Float64Array } {
  const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
  const id = cells[0]!;
  const values: number[] = [];
  for (let i = 1; i < cells.length; i++) {
    if (cells[i] === '') continue;
    const v = Number(cells[i]);
    if (!Number.isFinite(v)) throw new TrainCliError(file, `line ${n}: cell ${i + 1} ${JSON.stringify(cells[i])} is not a number`);
    values.push(v);
  }
  return { id, values: Float64Array.from(values) };
}

async function readM4File(file: string): Promise<Map<string, Float64Array>> {
  const text = await readFile(file, 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const out = new Map<string, Float64Array>();
  lines.slice(1).forEach((line, i) => {
    const row = parseRow(line, file, i + 2);
    out.set(row.id, row.values);
  });
  return out;
}

/** Reads Hourly-train.csv and Hourly-test.csv from `dir`; DataMissingError when they are absent. */
export async function readM4Hourly(dir: string): Promise<M4Data> {
  const trainFile = join(dir, 'Hourly-train.csv');
  const testFile = join(dir, 'Hourly-test.csv');
  for (const f of [trainFile, testFile]) if (!existsSync(f)) throw new DataMissingError(f);
  const train = await readM4File(trainFile);
  const test = await readM4File(testFile);
  const ids = [...train.keys()];
  for (const id of ids) {
    const t = test.get(id);
    if (!t || t.length !== M4_HOURLY.horizon) throw new TrainCliError(testFile, `series ${id} has ${t?.length ?? 0} test values, not ${M4_HOURLY.horizon}`);
  }
  return { ids, train: ids.map((id) => train.get(id)!), test: ids.map((id) => test.get(id)!) };
}

/** What the network's output is added to: nothing, the last value (the official N-BEATS), or the last day repeated (seasonal naive, m = 24). */
export type M4Baseline = 'none' | 'naive' | 'seasonal';
export const M4_BASELINES: readonly M4Baseline[] = ['none', 'naive', 'seasonal'];

/** A loss and the baseline the network's output is added to. */
export interface M4Variant {
  readonly loss: PointLoss;
  readonly baseline: M4Baseline;
}

export interface M4Options {
  readonly model: ModelChoice;
  /** Lookbacks in horizons (L = k · 48); one set of members per value. */
  readonly lookbackHorizons: readonly number[];
  /** Training variants, each a loss and the baseline its output is added to; one set of members per variant. */
  readonly variants: readonly M4Variant[];
  /** Seeds per (lookback, variant): members = lookbacks × variants × ensemble, forecast = their median per point (the N-BEATS paper's ensembling). */
  readonly ensemble: number;
  /** Training windows' targets lie in the last historyHorizons · 48 points of each series' training part (the paper's L_H). */
  readonly historyHorizons: number;
  /**
   * `last`: each series' last 48 training points are its validation window (early stopping) and
   * no training target reaches them; `none`: training windows run to the end of each series and
   * every member trains for `epochs` (the paper's fixed number of steps).
   */
  readonly validation: 'last' | 'none';
  /** Use the first n series only (CI). */
  readonly series?: number;
  readonly sizes: ModelSizes;
  /** `loss` comes from each variant; `seed` is the first member's seed (member k: seed + k). */
  readonly training: Partial<TrainingConfig>;
}

export interface M4Scores {
  readonly smape: number;
  readonly mase: number;
  /** Against Naive2 computed here on the same series. */
  readonly owa: number;
}

/** One member's settings. */
export interface M4MemberPlan {
  readonly lookbackHorizons: number;
  readonly baseline: M4Baseline;
  readonly loss: PointLoss;
  readonly seed: number;
}

export interface M4Member extends M4MemberPlan {
  readonly seed: number;
  readonly parameters: number;
  readonly training: TrainingResult;
  /** This member alone, scored as the ensemble is. */
  readonly scores: M4Scores;
  /** This member's forecasts [series][48]. */
  readonly forecasts: Float64Array[];
}

export interface M4Result {
  readonly series: number;
  readonly horizon: number;
  readonly members: M4Member[];
  readonly scores: { model: M4Scores; naive: M4Scores; sNaive: M4Scores; naive2: M4Scores };
  /** Forecasts of the model [series][48]. */
  readonly forecasts: Float64Array[];
  readonly seconds: number;
  readonly models: AnyForecastModel[];
}

/** The pointwise median of member forecasts (each [series][H]). */
export function medianForecast(members: readonly (readonly Float64Array[])[]): Float64Array[] {
  if (members.length === 0) throw new TrainCliError('--ensemble', 'no members to combine');
  const count = members[0]!.length;
  const values = new Float64Array(members.length);
  return Array.from({ length: count }, (_, i) => {
    const H = members[0]![i]!.length;
    const f = new Float64Array(H);
    for (let h = 0; h < H; h++) {
      members.forEach((m, k) => (values[k] = m[i]![h]!));
      values.sort();
      const mid = values.length >> 1;
      f[h] = values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
    }
    return f;
  });
}

/**
 * The M4 set with each series' last `horizon` training points moved to the test side: a
 * pseudo-test for choosing settings without reading the real test values.
 */
export function holdoutM4(data: M4Data, horizon: number = M4_HOURLY.horizon): M4Data {
  return {
    ids: data.ids,
    train: data.train.map((x) => x.slice(0, x.length - horizon)),
    test: data.train.map((x) => x.slice(x.length - horizon)),
  };
}

/** The M4 definition of OWA for a set of forecasts, beside Naive, sNaive and Naive2 on the same series. */
export function scoreM4(data: M4Data, forecasts: readonly Float64Array[]): M4Result['scores'] {
  const { horizon: h, seasonality: m } = M4_HOURLY;
  const n = forecasts.length;
  const score = (f: (i: number) => Float64Array) => scoreSeries(Array.from({ length: n }, (_, i) => ({ insample: data.train[i]!, actual: data.test[i]!, forecast: f(i) })), m);
  const naive2 = score((i) => naive2Forecast(data.train[i]!, h, m));
  const withOwa = (s: { smape: number; mase: number }): M4Scores => ({ smape: s.smape, mase: s.mase, owa: owa(s.smape, s.mase, naive2.smape, naive2.mase) });
  return {
    model: withOwa(score((i) => forecasts[i]!)),
    naive: withOwa(score((i) => naiveForecast(data.train[i]!, h))),
    sNaive: withOwa(score((i) => seasonalNaiveForecast(data.train[i]!, h, m))),
    naive2: withOwa(naive2),
  };
}

/** Members in training order: for each seed replicate, every lookback, every variant; member k has seed baseSeed + k. */
export function m4Members(o: Pick<M4Options, 'lookbackHorizons' | 'variants' | 'ensemble'>, baseSeed: number): M4MemberPlan[] {
  const out: M4MemberPlan[] = [];
  for (let r = 0; r < o.ensemble; r++) for (const lookbackHorizons of o.lookbackHorizons) for (const v of o.variants) out.push({ lookbackHorizons, baseline: v.baseline, loss: v.loss, seed: baseSeed + out.length });
  return out;
}

/** The dataset's baseline for a CLI choice. */
export function datasetBaseline(b: M4Baseline): WindowBaseline {
  if (b === 'seasonal') return { kind: 'seasonalNaive', season: M4_HOURLY.seasonality };
  return { kind: b };
}

/**
 * Trains the ensemble on the M4 Hourly training series and forecasts the 48 test points of each.
 * With validation `last`, early stopping reads the last 48 training points of every series (one
 * validation window per series); the test values are read only to score.
 */
export async function runM4(
  data: M4Data,
  o: M4Options,
  hooks: (member: number, total: number) => TrainingHooks = () => ({}),
  // Called as each member finishes, so a long run leaves its finished members behind (files written here survive a later failure or stop).
  onMember: (k: number, member: M4Member, model: AnyForecastModel) => Promise<void> = async () => {},
): Promise<M4Result> {
  const started = performance.now();
  const { horizon: H } = M4_HOURLY;
  const count = Math.min(o.series ?? data.ids.length, data.ids.length);
  const withKnown = o.model === 'tft';
  const series: SeriesInput[] = data.train.slice(0, count).map((values, i) => ({
    id: data.ids[i]!,
    target: values,
    // Position-based daily and weekly cycles (M4 gives no timestamps), extended over the horizon.
    ...(withKnown ? { known: cyclicFeatures(values.length + H, [24, 168]) } : {}),
  }));
  const scored: M4Data = { ids: data.ids.slice(0, count), train: data.train.slice(0, count), test: data.test.slice(0, count) };
  const held = o.validation === 'last' ? H : 0;

  const datasets = new Map<string, { ds: WindowDataset; train: Windows; validation: Windows | undefined; last: Windows }>();
  const prepared = (k: number, baseline: M4Baseline) => {
    let p = datasets.get(`${k}/${baseline}`);
    if (p) return p;
    const L = k * H;
    for (const s of series) if (s.target.length < L + H + held) throw new TrainCliError('--lookback-horizons', `${k} (${L} points) leaves series ${s.id} (${s.target.length} points) no training window`);
    // season 24: each window's weight for the `mase` loss (ignored by the others).
    const ds = new WindowDataset(series, { lookback: L, horizon: H, covariates: 0, known: withKnown ? 4 : 0, statics: 0 }, { kind: 'meanAbs' }, { season: M4_HOURLY.seasonality, baseline: datasetBaseline(baseline) });
    const end = (s: SeriesInput) => s.target.length - held;
    p = {
      ds,
      train: concatWindows(series.map((s, i) => ds.windows(i, Math.max(0, end(s) - o.historyHorizons * H), end(s)))),
      validation: held > 0 ? concatWindows(series.map((s, i) => ds.windows(i, s.target.length - H, s.target.length))) : undefined,
      last: concatWindows(series.map((_, i) => ds.lastWindow(i))),
    };
    datasets.set(`${k}/${baseline}`, p);
    return p;
  };

  const plan = m4Members(o, o.training.seed ?? 1);
  const members: M4Member[] = [];
  const models: AnyForecastModel[] = [];
  const memberForecasts: Float64Array[][] = [];
  for (const [k, m] of plan.entries()) {
    const { ds, train, validation, last } = prepared(m.lookbackHorizons, m.baseline);
    const model = createModel(modelConfigFor(o.model, { ...ds.io }, o.sizes), m.seed);
    const training = await trainModel(model, ds.source(train), validation && ds.source(validation), { ...o.training, loss: m.loss, seed: m.seed }, hooks(k, plan.length));
    const point = predict(model, ds.source(last)).point;
    const forecasts = Array.from({ length: count }, (_, i) => point.slice(i * H, (i + 1) * H));
    memberForecasts.push(forecasts);
    const member: M4Member = { ...m, parameters: model.parameterCount(), training, scores: scoreM4(scored, forecasts).model, forecasts };
    members.push(member);
    models.push(model);
    await onMember(k, member, model);
  }
  const forecasts = medianForecast(memberForecasts);
  return {
    series: count,
    horizon: H,
    members,
    scores: scoreM4(scored, forecasts),
    forecasts,
    seconds: (performance.now() - started) / 1000,
    models,
  };
}
