import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POINT_LOSSES, currentBackend, saveModel, useBackend } from '@meridian/models';
import type { AnyForecastModel, PointLoss, TrainingHooks } from '@meridian/models';
import { M4_BASELINES, M4_HOURLY, M4_HOURLY_PUBLISHED, datasetBaseline, holdoutM4, readM4Hourly, runM4 } from './m4';
import type { M4Baseline, M4Member, M4Options, M4Result, M4Variant } from './m4';
import { m4Distances, m4ScoreRows, m4Summary } from './m4-report';
import { COMMON_OPTIONS, commonSettings, int, str } from './options';
import type { Values } from './options';
import { Progress, formatSeconds } from './progress';
import { DataMissingError, TrainCliError } from './errors';
import { htmlPage, htmlTable, learningCurvesSvg } from './report';

export const M4_OPTIONS = {
  ...COMMON_OPTIONS,
  data: { type: 'string' },
  ensemble: { type: 'string' },
  'lookback-horizons': { type: 'string' },
  'history-horizons': { type: 'string' },
  baseline: { type: 'string' },
  validation: { type: 'string' },
  evaluate: { type: 'string' },
  series: { type: 'string' },
} as const;

export const M4_HELP = `npm run train -- m4 [options]    N-BEATS (or --model lstm|tft) on M4 Hourly, scored with sMAPE, MASE, OWA

  --data DIR                 M4 files (Hourly-train.csv, Hourly-test.csv); default ../shared/data/m4. Absent: skipped, exit 0
  --out DIR                  report.html, report.json, forecasts.csv, members/<k>/ model files (default .tmp/train/m4, git-ignored)
  --model M                  nbeats-g (default), nbeats-i, lstm, tft
  --lookback-horizons K,..   lookback = K·48, one set of members per K (default 3)
  --loss L[:B],..            training variants, one set of members each: a loss mae|mse|smape|mase, optionally with
                             its own baseline B (e.g. mase:seasonal,mae:none); default mae
  --baseline B               the baseline of variants that name none: none (default): the network's output is the
                             forecast; naive: it is added to the last value; seasonal: to the last 24 values repeated
  --ensemble N               seeds per (lookback, variant): members = lookbacks × variants × N, member k has seed
                             seed+k; the forecast is the members' median per point (default 1)
  --history-horizons K       training targets lie in the last K·48 points of each series (default 10)
  --validation V             last (default): each series' last 48 training points stop training early;
                             none: training runs to the end of each series for --epochs
  --evaluate E               test (default): score on the 48 test values; holdout: train without each series' last 48
                             training points and score on them (for choosing settings without the test set)
  --series N                 the first N series only
  --learning-rate-halvings N the learning rate halves N times at evenly spaced epochs (default 0)
  --epochs, --batch-size, --batches-per-epoch, --learning-rate, --patience, --clip-norm, --seed
  --units, --blocks, --layers (N-BEATS), --hidden, --heads, --dropout, --quantiles (LSTM, TFT)
  --backend wasm|cpu         (default wasm)   --quiet   no progress output
`;

export interface M4CommandResult {
  readonly skipped?: string;
  readonly result?: M4Result;
  readonly outDir?: string;
  /** The score table the CLI prints. */
  readonly summary?: string;
}

function list<T extends string = string>(values: Values, key: string, fallback: string, allowed?: readonly T[]): T[] {
  const raw = str(values, key, fallback)!;
  const items = raw.split(',').map((x) => x.trim());
  if (items.some((x) => x === '')) throw new TrainCliError(`--${key}`, `${JSON.stringify(raw)} has an empty item`);
  if (allowed) for (const x of items) if (!(allowed as readonly string[]).includes(x)) throw new TrainCliError(`--${key}`, `${JSON.stringify(x)} is not one of ${allowed.join(', ')}`);
  if (new Set(items).size !== items.length) throw new TrainCliError(`--${key}`, `${JSON.stringify(raw)} repeats an item`);
  return items as T[];
}

function choice<T extends string>(values: Values, key: string, fallback: T, allowed: readonly T[]): T {
  const v = str(values, key, fallback)!;
  if (!(allowed as readonly string[]).includes(v)) throw new TrainCliError(`--${key}`, `${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  return v as T;
}

/** `--loss mase:seasonal,mae` → variants, the baseline defaulting to `--baseline`. */
export function parseVariants(values: Values): M4Variant[] {
  const fallback = choice<M4Baseline>(values, 'baseline', 'none', M4_BASELINES);
  const variants = list(values, 'loss', 'mae').map((item) => {
    const [loss, baseline = fallback, ...rest] = item.split(':');
    if (rest.length > 0 || !(POINT_LOSSES as readonly string[]).includes(loss!) || !(M4_BASELINES as readonly string[]).includes(baseline)) {
      throw new TrainCliError('--loss', `${JSON.stringify(item)} is not LOSS or LOSS:BASELINE with a loss in ${POINT_LOSSES.join(', ')} and a baseline in ${M4_BASELINES.join(', ')}`);
    }
    return { loss: loss as PointLoss, baseline: baseline as M4Baseline };
  });
  // `mase,mase:none` name the same variant once the default baseline is filled in: two identical member sets.
  const keys = variants.map((v) => `${v.loss}:${v.baseline}`);
  if (new Set(keys).size !== keys.length) throw new TrainCliError('--loss', `${JSON.stringify(str(values, 'loss', 'mae'))} repeats a variant (${keys.join(', ')})`);
  return variants;
}

export async function m4Command(values: Values, defaultDataDir: string, progress: Progress): Promise<M4CommandResult> {
  const variants = parseVariants(values);
  const lookbackHorizons = list(values, 'lookback-horizons', '3').map((k) => {
    const n = Number(k);
    if (!Number.isSafeInteger(n) || n < 1) throw new TrainCliError('--lookback-horizons', `${JSON.stringify(k)} is not an integer ≥ 1`);
    return n;
  });
  // commonSettings checks one loss; the m4 command takes a list.
  const settings = commonSettings({ ...values, loss: variants[0]!.loss }, { model: 'nbeats-g', out: '.tmp/train/m4', training: { epochs: 40, batchSize: 512, batchesPerEpoch: 40, learningRate: 1e-3, patience: 6, loss: 'mae' } });
  const validation = choice(values, 'validation', 'last', ['last', 'none'] as const);
  const evaluate = choice(values, 'evaluate', 'test', ['test', 'holdout'] as const);
  const ensemble = int(values, 'ensemble', 1)!;
  const historyHorizons = int(values, 'history-horizons', 10)!;
  const series = values.series !== undefined ? int(values, 'series', undefined)! : undefined;
  const dataDir = str(values, 'data', defaultDataDir)!;
  let full;
  try {
    full = await readM4Hourly(dataDir);
  } catch (e) {
    if (e instanceof DataMissingError) return { skipped: `M4 Hourly not found (${e.path}); nothing to do` };
    throw e;
  }
  const data = evaluate === 'holdout' ? holdoutM4(full) : full;
  await useBackend(settings.backend);
  // Each member's loss comes from the --loss list.
  const training = { ...settings.training };
  delete training.loss;
  const options: M4Options = {
    model: settings.model,
    lookbackHorizons,
    variants,
    ensemble,
    historyHorizons,
    validation,
    ...(series !== undefined ? { series } : {}),
    sizes: settings.sizes,
    training,
  };
  const epochs = settings.training.epochs!;
  const name = (k: number, total: number) => `m4 ${settings.model} #${k + 1}/${total}`;
  const hooks = (k: number, total: number): TrainingHooks => ({
    onBatch: ({ epoch, batch, batches, loss }) => {
      if (batch === 1) progress.start(`${name(k, total)} epoch ${epoch}/${epochs}`, batches);
      progress.update(batch, `loss ${loss.toPrecision(4)}`);
    },
    onEpoch: (r) => progress.log(`${name(k, total)} epoch ${r.epoch}: train ${r.trainLoss.toPrecision(4)}${r.validationLoss === null ? '' : `, validation ${r.validationLoss.toPrecision(4)}`} (${r.seconds.toFixed(1)} s)`),
  });
  const out = settings.out;
  await mkdir(out, { recursive: true });
  const ids = data.ids.slice(0, Math.min(series ?? data.ids.length, data.ids.length));
  const csv = (forecasts: readonly Float64Array[]) => ['id,' + Array.from({ length: M4_HOURLY.horizon }, (_, h) => `F${h + 1}`).join(','), ...forecasts.map((f, i) => `${ids[i]},${Array.from(f).join(',')}`)].join('\n') + '\n';
  // Each member is saved as soon as it is trained, with its own forecasts, so other combinations of
  // members can be scored without training again, and a run stopped early keeps what it finished.
  const saveMember = async (k: number, member: M4Member, model: AnyForecastModel) => {
    const dir = join(out, 'members', String(k));
    await saveModel(dir, model, {
      seed: member.seed,
      featureSpec: null,
      columns: { past: ['target'], future: model.io.futureFeatures > 0 ? ['day_sin', 'day_cos', 'week_sin', 'week_cos'] : [], static: [] },
      scaling: { kind: 'meanAbs' },
      // The forecast is the network's output plus this baseline, both in window-scaled units.
      target: { kind: 'value', dataset: 'M4 Hourly', baseline: datasetBaseline(member.baseline) },
      training: { ...member.training, curve: undefined },
    });
    await writeFile(join(dir, 'forecasts.csv'), csv(member.forecasts));
  };
  const result = await runM4(data, options, hooks, saveMember);
  progress.end();

  await writeFile(join(out, 'forecasts.csv'), csv(result.forecasts));
  const label = `${settings.model} × ${result.members.length}`;
  const rows = m4ScoreRows(result.scores, label, evaluate);
  const distances = evaluate === 'test' ? m4Distances(result.scores.model) : [];
  const summary = m4Summary(result, rows, distances, evaluate);
  const memberRows = result.members.map((m, k) => ({
    member: k,
    lookbackHorizons: m.lookbackHorizons,
    baseline: m.baseline,
    loss: m.loss,
    seed: m.seed,
    parameters: m.parameters,
    epochs: m.training.curve.length,
    bestEpoch: m.training.bestEpoch,
    seconds: m.training.seconds,
    secondsPerEpoch: m.training.seconds / Math.max(1, m.training.curve.length),
    ...m.scores,
  }));
  const report = {
    command: 'm4',
    backend: currentBackend(),
    evaluate,
    options,
    series: result.series,
    seconds: result.seconds,
    scores: result.scores,
    published: M4_HOURLY_PUBLISHED,
    distances,
    members: result.members.map((m, k) => ({ ...memberRows[k], training: m.training })),
  };
  await writeFile(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const html = htmlPage(`M4 Hourly: ${label}`, [
    {
      heading: 'Scores',
      html:
        `<p>${result.series} series, horizon 48, MASE seasonality 24; OWA against Naive2 computed here on the same series` +
        (evaluate === 'holdout' ? ' — <b>holdout</b>: each series\' last 48 training points, not the test set, so the published figures are not comparable' : '') +
        `. Backend ${currentBackend()}, ${formatSeconds(result.seconds)} in all.</p>` +
        htmlTable(['method', 'sMAPE', 'MASE', 'OWA'], rows.map((r) => [r.method, r.smape, r.mase, r.owa])) +
        (distances.length > 0 ? htmlTable(['distance of this run to', 'sMAPE', 'MASE', 'OWA'], distances.map((d) => [d.method, d.smape, d.mase, d.owa])) : ''),
    },
    { heading: 'Learning curves (loss on window-scaled values)', html: learningCurvesSvg(result.members.map((m, k) => ({ name: `member ${k} (${m.loss}, L ${m.lookbackHorizons}H, baseline ${m.baseline}, seed ${m.seed})`, curve: m.training.curve, bestEpoch: m.training.bestEpoch }))) },
    {
      heading: 'Members (each scored alone)',
      html: htmlTable(
        ['member', 'lookback (H)', 'baseline', 'loss', 'seed', 'parameters', 'epochs', 'best epoch', 'seconds', 's/epoch', 'sMAPE', 'MASE', 'OWA'],
        memberRows.map((m) => [m.member, m.lookbackHorizons, m.baseline, m.loss, m.seed, m.parameters, m.epochs, m.bestEpoch, m.seconds, m.secondsPerEpoch, m.smape, m.mase, m.owa]),
      ),
    },
    { heading: 'Options', html: `<pre>${JSON.stringify(options, null, 2)}</pre>` },
  ]);
  await writeFile(join(out, 'report.html'), html);
  for (const m of result.models) m.dispose();
  return { result, outDir: out, summary };
}
