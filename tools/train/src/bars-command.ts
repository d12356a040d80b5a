import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { currentBackend, saveModel, useBackend } from '@meridian/models';
import type { TrainingHooks } from '@meridian/models';
import { exportModel, writeOnnxModel } from '@meridian/onnx';
import type { Bar } from '@meridian/signals';
import { readBarsCsv, readBarsPg } from './bar-sources';
import { runBars, foldTimes } from './bars-run';
import { DEFAULT_FEATURE_SPEC } from './default-spec';
import { TrainCliError } from './errors';
import { COMMON_OPTIONS, commonSettings, int, requireStr, str } from './options';
import type { Values } from './options';
import { Progress, formatSeconds } from './progress';
import { htmlPage, htmlTable, learningCurvesSvg } from './report';

export const BARS_OPTIONS = {
  ...COMMON_OPTIONS,
  csv: { type: 'string' },
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  venue: { type: 'string' },
  symbol: { type: 'string' },
  interval: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  spec: { type: 'string' },
  lookback: { type: 'string' },
  horizon: { type: 'string' },
  folds: { type: 'string' },
  'test-size': { type: 'string' },
  'validation-size': { type: 'string' },
  'min-train-size': { type: 'string' },
  season: { type: 'string' },
  'moving-average': { type: 'string' },
  name: { type: 'string' },
  version: { type: 'string' },
  'model-dir': { type: 'string' },
} as const;

export const BARS_HELP = `npm run train -- bars [options]   train on bars with walk-forward folds, report against naive baselines

  source (one of):
  --csv FILE                 bars with a header (time, open, high, low, close, volume…)
  --database-url URL --venue V --symbol S --interval 1h [--schema public]   the recorder's bars table
  --from ISO --to ISO        keep bars starting in [from, to)
  --spec FILE                FeatureSpec JSON (zscore/minmax statistics are fitted per fold on its training bars); default: 9 built-in features
  --model M                  lstm (default), tft, nbeats-g, nbeats-i
  --lookback N --horizon N   bars in, bars out (default 48, 12)
  --folds N --test-size N --validation-size N --min-train-size N   walk-forward folds (default 3, 1000, 1000, 2000)
  --season N --moving-average N   the baselines' season and window (default 24, 24)
  --out DIR                  model.json + weights.bin (last fold), report.html, report.json (default .tmp/train/bars, git-ignored)
  --name N --version V       also export the last fold's model to ONNX (libs/onnx, the feature spec and scaling in its metadata):
                             DIR/model.onnx, or with --model-dir D the inference registry's layout D/N/V.onnx (then RegisterModel)
  --epochs, --batch-size, --batches-per-epoch, --learning-rate, --learning-rate-halvings, --patience, --clip-norm, --loss, --seed
  --units, --blocks, --layers, --hidden, --heads, --dropout, --quantiles, --backend wasm|cpu, --quiet
`;

function parseDate(values: Values, key: string): number | undefined {
  const v = str(values, key);
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw new TrainCliError(`--${key}`, `${JSON.stringify(v)} is not a date`);
  return ms;
}

async function loadBars(values: Values): Promise<{ bars: Bar[]; source: string }> {
  const fromMs = parseDate(values, 'from');
  const toMs = parseDate(values, 'to');
  const csv = str(values, 'csv');
  const url = str(values, 'database-url');
  if ((csv === undefined) === (url === undefined)) throw new TrainCliError('--csv', 'give either --csv or --database-url');
  let bars: Bar[];
  let source: string;
  if (csv !== undefined) {
    bars = await readBarsCsv(csv);
    source = csv;
  } else {
    const q = { url: url!, schema: str(values, 'schema', 'public')!, venue: requireStr(values, 'venue'), symbol: requireStr(values, 'symbol'), interval: requireStr(values, 'interval') };
    bars = await readBarsPg({ ...q, ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) });
    source = `postgres ${q.schema}.bars ${q.venue}/${q.symbol}/${q.interval}`;
  }
  return { bars: bars.filter((b) => (fromMs === undefined || b.startMs >= fromMs) && (toMs === undefined || b.startMs < toMs)), source };
}

export async function barsCommand(values: Values, progress: Progress): Promise<{ summary: string; outDir: string }> {
  const settings = commonSettings(values, { model: 'lstm', out: '.tmp/train/bars', training: { epochs: 30, batchSize: 256, learningRate: 1e-3, patience: 5, loss: 'mse' } });
  const specFile = str(values, 'spec');
  let spec: unknown = DEFAULT_FEATURE_SPEC;
  if (specFile !== undefined) {
    try {
      spec = JSON.parse(await readFile(specFile, 'utf8'));
    } catch (cause) {
      throw new TrainCliError('--spec', `${specFile} is not a readable JSON file`, { cause });
    }
  }
  const target = onnxTarget(values, settings.out);
  const { bars, source } = await loadBars(values);
  await useBackend(settings.backend);
  const options = {
    model: settings.model,
    sizes: settings.sizes,
    training: settings.training,
    spec,
    lookback: int(values, 'lookback', 48)!,
    horizon: int(values, 'horizon', 12)!,
    folds: int(values, 'folds', 3)!,
    testSize: int(values, 'test-size', 1000)!,
    validationSize: int(values, 'validation-size', 1000)!,
    minTrainSize: int(values, 'min-train-size', 2000)!,
    season: int(values, 'season', 24)!,
    movingAverage: int(values, 'moving-average', 24)!,
  };
  const epochs = settings.training.epochs!;
  const hooks = (k: number): TrainingHooks => ({
    onBatch: ({ epoch, batch, batches, loss }) => {
      if (batch === 1) progress.start(`fold ${k + 1}/${options.folds} epoch ${epoch}/${epochs}`, batches);
      progress.update(batch, `loss ${loss.toPrecision(4)}`);
    },
    onEpoch: (r) => progress.log(`fold ${k + 1}/${options.folds} epoch ${r.epoch}: train ${r.trainLoss.toPrecision(4)}, validation ${r.validationLoss?.toPrecision(4)} (${r.seconds.toFixed(1)} s)`),
  });
  const started = performance.now();
  const run = await runBars(bars, options, hooks);
  progress.end();
  const seconds = (performance.now() - started) / 1000;

  const out = settings.out;
  await mkdir(out, { recursive: true });
  await saveModel(out, run.model, {
    seed: settings.training.seed ?? 1,
    featureSpec: run.model.kind === 'nbeats' ? null : run.last.spec,
    columns: run.last.columns,
    scaling: run.last.scaling,
    target: { kind: 'logClose', source, horizon: options.horizon },
    training: { ...run.folds[run.folds.length - 1]!.training, curve: undefined, fold: run.last.fold },
  });
  // The spec fitted on the last fold's training bars and the target's scaling travel in the
  // file's metadata, so the inference service computes the same inputs live.
  const exported = target && { target, model: exportModel(run.model, { name: target.name, version: target.version, featureSpec: run.last.spec, targetScaling: run.last.scaling }) };
  run.model.dispose();
  if (exported) {
    await mkdir(dirname(exported.target.path), { recursive: true });
    await writeOnnxModel(exported.target.path, exported.model);
  }
  const onnxPath = target?.path;
  const report = {
    command: 'bars',
    source,
    bars: bars.length,
    backend: currentBackend(),
    seconds,
    options: { ...options, spec: undefined },
    featureSpec: run.last.spec,
    folds: run.folds.map((f) => ({ ...f, times: foldTimes(bars, f.fold) })),
    onnx: onnxPath ?? null,
  };
  await writeFile(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const html = htmlPage(`${settings.model} on ${source}`, [
    {
      heading: 'Accuracy per fold (test windows every horizon bars; errors of ln(close) from the origin, in basis points)',
      html: run.folds
        .map((f) => {
          const t = foldTimes(bars, f.fold);
          return (
            `<h3>Fold ${f.fold.index + 1}: test ${t.testFrom} → ${t.testTo}</h3><p>windows: train ${f.windows.train}, validation ${f.windows.validation}, test ${f.windows.test}; ` +
            `${f.parameters} parameters; best epoch ${f.training.bestEpoch} of ${f.training.curve.length}${f.coverage ? `; ${(f.coverage.share * 100).toFixed(1)} % of actual values inside the ${f.coverage.low}–${f.coverage.high} quantiles` : ''}</p>` +
            htmlTable(['forecast', 'MAE (bp)', 'RMSE (bp)', 'MAE / naive'], f.accuracy.map((r) => [r.name, r.mae, r.rmse, r.maeVsNaive]))
          );
        })
        .join('\n'),
    },
    { heading: 'Learning curves', html: learningCurvesSvg(run.folds.map((f) => ({ name: `fold ${f.fold.index + 1}`, curve: f.training.curve, bestEpoch: f.training.bestEpoch }))) },
    { heading: 'Run', html: `<p>${bars.length} bars from ${source}; backend ${currentBackend()}; ${formatSeconds(seconds)}.</p><pre>${JSON.stringify({ ...options, spec: undefined }, null, 2)}</pre>` },
  ]);
  await writeFile(join(out, 'report.html'), html);
  const lines = run.folds.map((f) => {
    const m = f.accuracy[0]!;
    const naive = f.accuracy.find((r) => r.name === 'naive')!;
    return `fold ${f.fold.index + 1}: ${m.name} MAE ${m.mae.toFixed(1)} bp vs naive ${naive.mae.toFixed(1)} bp (×${m.maeVsNaive.toFixed(3)})`;
  });
  if (onnxPath !== undefined) lines.push(`ONNX model: ${onnxPath}`);
  return { summary: lines.join('\n'), outDir: out };
}

/** Where the ONNX export goes (--name, --version, --model-dir), checked before any training. */
function onnxTarget(values: Values, out: string): { name: string; version: string; path: string } | undefined {
  const name = str(values, 'name');
  if (name === undefined) {
    if (str(values, 'version') !== undefined || str(values, 'model-dir') !== undefined) throw new TrainCliError('--name', '--version and --model-dir export to ONNX and need --name');
    return undefined;
  }
  const version = requireStr(values, 'version');
  const modelDir = str(values, 'model-dir');
  return { name, version, path: modelDir === undefined ? join(out, 'model.onnx') : join(modelDir, name, `${version}.onnx`) };
}
