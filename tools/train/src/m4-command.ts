import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentBackend, saveModel, useBackend } from '@meridian/models';
import type { TrainingHooks } from '@meridian/models';
import { DataMissingError } from './errors';
import { M4_HOURLY, M4_HOURLY_PUBLISHED, readM4Hourly, runM4 } from './m4';
import type { M4Result } from './m4';
import { COMMON_OPTIONS, commonSettings, int, str } from './options';
import type { Values } from './options';
import { Progress, formatSeconds } from './progress';
import { htmlPage, htmlTable, learningCurvesSvg } from './report';

export const M4_OPTIONS = {
  ...COMMON_OPTIONS,
  data: { type: 'string' },
  ensemble: { type: 'string' },
  'lookback-horizons': { type: 'string' },
  'history-horizons': { type: 'string' },
  series: { type: 'string' },
} as const;

export const M4_HELP = `npm run train -- m4 [options]    N-BEATS (or --model lstm|tft) on M4 Hourly, scored with sMAPE, MASE, OWA

  --data DIR                 M4 files (Hourly-train.csv, Hourly-test.csv); default ../shared/data/m4. Absent: skipped, exit 0
  --out DIR                  report.html, report.json, forecasts.csv, members/<k>/ model files (default .tmp/train/m4, git-ignored)
  --model M                  nbeats-g (default), nbeats-i, lstm, tft
  --ensemble N               models with seeds seed..seed+N-1, median forecast (default 1)
  --lookback-horizons K      lookback = K·48 (default 3)
  --history-horizons K       training windows end in the last K·48 points of each series (default 10)
  --series N                 the first N series only
  --epochs, --batch-size, --batches-per-epoch, --learning-rate, --patience, --clip-norm, --loss mse|mae|smape|mase, --seed
  --units, --blocks, --layers (N-BEATS), --hidden, --heads, --dropout, --quantiles (LSTM, TFT)
  --backend wasm|cpu         (default wasm)   --quiet   no progress output
`;

export interface M4CommandResult {
  readonly skipped?: string;
  readonly result?: M4Result;
  readonly outDir?: string;
}

export async function m4Command(values: Values, defaultDataDir: string, progress: Progress): Promise<M4CommandResult> {
  const settings = commonSettings(values, { model: 'nbeats-g', out: '.tmp/train/m4', training: { epochs: 40, batchSize: 512, batchesPerEpoch: 40, learningRate: 1e-3, patience: 6, loss: 'mae' } });
  const dataDir = str(values, 'data', defaultDataDir)!;
  let data;
  try {
    data = await readM4Hourly(dataDir);
  } catch (e) {
    if (e instanceof DataMissingError) return { skipped: `M4 Hourly not found (${e.path}); nothing to do` };
    throw e;
  }
  await useBackend(settings.backend);
  const ensemble = int(values, 'ensemble', 1)!;
  const options = {
    model: settings.model,
    ensemble,
    lookbackHorizons: int(values, 'lookback-horizons', 3)!,
    historyHorizons: int(values, 'history-horizons', 10)!,
    ...(values.series !== undefined ? { series: int(values, 'series', undefined)! } : {}),
    sizes: settings.sizes,
    training: settings.training,
  };
  const epochs = settings.training.epochs!;
  const hooks = (k: number): TrainingHooks => ({
    onBatch: ({ epoch, batch, batches, loss }) => {
      if (batch === 1) progress.start(`m4 ${settings.model} #${k + 1}/${ensemble} epoch ${epoch}/${epochs}`, batches);
      progress.update(batch, `loss ${loss.toPrecision(4)}`);
    },
    onEpoch: (r) => progress.log(`m4 ${settings.model} #${k + 1}/${ensemble} epoch ${r.epoch}: train ${r.trainLoss.toPrecision(4)}, validation ${r.validationLoss?.toPrecision(4)} (${r.seconds.toFixed(1)} s)`),
  });
  const result = await runM4(data, options, hooks);
  progress.end();

  const out = settings.out;
  await mkdir(out, { recursive: true });
  for (const [k, model] of result.models.entries()) {
    await saveModel(join(out, 'members', String(k)), model, {
      seed: result.members[k]!.seed,
      featureSpec: null,
      columns: { past: ['target'], future: model.io.futureFeatures > 0 ? ['day_sin', 'day_cos', 'week_sin', 'week_cos'] : [], static: [] },
      scaling: { kind: 'meanAbs' },
      target: { kind: 'value', dataset: 'M4 Hourly' },
      training: { ...result.members[k]!.training, curve: undefined },
    });
  }
  const ids = data.ids.slice(0, result.series);
  await writeFile(join(out, 'forecasts.csv'), ['id,' + Array.from({ length: M4_HOURLY.horizon }, (_, h) => `F${h + 1}`).join(','), ...result.forecasts.map((f, i) => `${ids[i]},${Array.from(f).join(',')}`)].join('\n') + '\n');
  const report = {
    command: 'm4',
    backend: currentBackend(),
    options,
    series: result.series,
    seconds: result.seconds,
    scores: result.scores,
    published: M4_HOURLY_PUBLISHED,
    distanceToWinner: { smape: result.scores.model.smape - 9.328, mase: result.scores.model.mase - 0.893, owa: result.scores.model.owa - 0.44 },
    members: result.members.map((m) => ({ seed: m.seed, parameters: m.parameters, ...m.training })),
  };
  await writeFile(join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const s = result.scores;
  const html = htmlPage(`M4 Hourly: ${settings.model} × ${ensemble}`, [
    {
      heading: 'Scores',
      html:
        `<p>${result.series} series, horizon 48, MASE seasonality 24; OWA against Naive2 computed here on the same series. ` +
        `Backend ${currentBackend()}, ${formatSeconds(result.seconds)} in all.</p>` +
        htmlTable(
          ['method', 'sMAPE', 'MASE', 'OWA'],
          [
            [`${settings.model} × ${ensemble} (this run)`, s.model.smape, s.model.mase, s.model.owa],
            ['Naive (this run)', s.naive.smape, s.naive.mase, s.naive.owa],
            ['sNaive (this run)', s.sNaive.smape, s.sNaive.mase, s.sNaive.owa],
            ['Naive2 (this run)', s.naive2.smape, s.naive2.mase, s.naive2.owa],
            ...M4_HOURLY_PUBLISHED.map((p) => [`${p.method} (published)`, p.smape, p.mase, p.owa] as const),
          ],
        ),
    },
    { heading: 'Learning curves (loss on window-scaled values)', html: learningCurvesSvg(result.members.map((m, k) => ({ name: `member ${k} (seed ${m.seed})`, curve: m.training.curve, bestEpoch: m.training.bestEpoch }))) },
    {
      heading: 'Members',
      html: htmlTable(
        ['member', 'seed', 'parameters', 'epochs', 'best epoch', 'best validation loss', 'seconds'],
        result.members.map((m, k) => [k, m.seed, m.parameters, m.training.curve.length, m.training.bestEpoch, m.training.bestValidationLoss, m.training.seconds]),
      ),
    },
    { heading: 'Options', html: `<pre>${JSON.stringify(options, null, 2)}</pre>` },
  ]);
  await writeFile(join(out, 'report.html'), html);
  for (const m of result.models) m.dispose();
  return { result, outDir: out };
}
