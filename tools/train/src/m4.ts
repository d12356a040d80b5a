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
import type { AnyForecastModel, SeriesInput, TrainingConfig, TrainingHooks, TrainingResult } from '@meridian/models';
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

export interface M4Options {
  readonly model: ModelChoice;
  /** Models trained with seeds seed, seed + 1, …; the forecast is their median per point (the N-BEATS paper's ensembling). */
  readonly ensemble: number;
  /** Lookback in horizons (L = lookbackHorizons · 48). */
  readonly lookbackHorizons: number;
  /** Training windows end in the last historyHorizons · 48 points of each series (the paper's L_H). */
  readonly historyHorizons: number;
  /** Use the first n series only (CI). */
  readonly series?: number;
  readonly sizes: ModelSizes;
  readonly training: Partial<TrainingConfig>;
}

export interface M4Scores {
  readonly smape: number;
  readonly mase: number;
  /** Against Naive2 computed here on the same series. */
  readonly owa: number;
}

export interface M4Result {
  readonly series: number;
  readonly horizon: number;
  readonly members: { seed: number; parameters: number; training: TrainingResult }[];
  readonly scores: { model: M4Scores; naive: M4Scores; sNaive: M4Scores; naive2: M4Scores };
  /** Forecasts of the model [series][48]. */
  readonly forecasts: Float64Array[];
  readonly seconds: number;
  readonly models: AnyForecastModel[];
  readonly seriesInputs: SeriesInput[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
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

/**
 * Trains the ensemble on the M4 Hourly training series and forecasts the 48 test points of each.
 * Early stopping reads the last 48 training points of every series (one validation window per
 * series); the test values are read only to score.
 */
export async function runM4(data: M4Data, o: M4Options, hooks: (member: number) => TrainingHooks = () => ({})): Promise<M4Result> {
  const started = performance.now();
  const { horizon: H } = M4_HOURLY;
  const count = Math.min(o.series ?? data.ids.length, data.ids.length);
  const L = o.lookbackHorizons * H;
  const withKnown = o.model === 'tft';
  const series: SeriesInput[] = data.train.slice(0, count).map((values, i) => ({
    id: data.ids[i]!,
    target: values,
    // Position-based daily and weekly cycles (M4 gives no timestamps), extended over the horizon.
    ...(withKnown ? { known: cyclicFeatures(values.length + H, [24, 168]) } : {}),
  }));
  for (const s of series) if (s.target.length < L + 2 * H) throw new TrainCliError('--lookback', `${L} leaves series ${s.id} (${s.target.length} points) no training window`);
  // season 24: each window's weight for the `mase` loss (ignored by the others).
  const ds = new WindowDataset(series, { lookback: L, horizon: H, covariates: 0, known: withKnown ? 4 : 0, statics: 0 }, { kind: 'meanAbs' }, { season: M4_HOURLY.seasonality });
  const train = concatWindows(series.map((s, i) => ds.windows(i, Math.max(0, s.target.length - H - o.historyHorizons * H), s.target.length - H)));
  const validation = concatWindows(series.map((s, i) => ds.windows(i, s.target.length - H, s.target.length)));
  const last = concatWindows(series.map((_, i) => ds.lastWindow(i)));
  const shape = { ...ds.io };
  const config = modelConfigFor(o.model, shape, o.sizes);

  const members: M4Result['members'] = [];
  const models: AnyForecastModel[] = [];
  const memberForecasts: Float64Array[] = [];
  const baseSeed = o.training.seed ?? 1;
  for (let k = 0; k < o.ensemble; k++) {
    const seed = baseSeed + k;
    const model = createModel(config, seed);
    const training = await trainModel(model, ds.source(train), ds.source(validation), { ...o.training, seed }, hooks(k));
    memberForecasts.push(predict(model, ds.source(last)).point);
    members.push({ seed, parameters: model.parameterCount(), training });
    models.push(model);
  }
  const forecasts = Array.from({ length: count }, (_, i) => {
    const f = new Float64Array(H);
    for (let h = 0; h < H; h++) f[h] = median(memberForecasts.map((m) => m[i * H + h]!));
    return f;
  });
  return {
    series: count,
    horizon: H,
    members,
    scores: scoreM4({ ids: data.ids.slice(0, count), train: data.train.slice(0, count), test: data.test.slice(0, count) }, forecasts),
    forecasts,
    seconds: (performance.now() - started) / 1000,
    models,
    seriesInputs: series,
  };
}
