import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BacktestResult } from '@meridian/backtest';
import { renderReport } from '@meridian/research';
import type { StudyResult, WalkForwardResult } from '@meridian/research';
import { Database, migrate } from '@meridian/store';
import { databaseSettings, jobFromArgs, JOB_HELP } from './cli-request';
import type { JobValues } from './cli-request';
import { parseDuration } from './durations';
import { InvalidRequestError } from './errors';
import { executeJob, jobFingerprint, jobTitle } from './job';
import type { Job } from './job';
import { openReport } from './open-report';
import { formatSeconds, StatusLine } from './progress';
import { studyReportInput, walkForwardReportInput } from './report-input';
import { outDir } from './run-command';
import { checkResumable, dataRange, paramsText, rankTrials, readSearch, runBacktestStudy, runBacktestWalkForward, studyName } from './study';
import type { SearchSpec } from './study';
import { oneOf } from './json-fields';

export const SEARCH_OPTIONS = {
  space: { type: 'string' },
  sampler: { type: 'string' },
  trials: { type: 'string' },
  study: { type: 'string' },
  workers: { type: 'string' },
  metric: { type: 'string' },
  direction: { type: 'string' },
  'sampler-seed': { type: 'string' },
  open: { type: 'boolean' },
  train: { type: 'string' },
  test: { type: 'string' },
  step: { type: 'string' },
  gap: { type: 'string' },
  mode: { type: 'string' },
} as const;

const SEARCH_HELP = `  --space <space.json>       parameters to search: { "fastPeriod": { "type": "int", "low": 4, "high": 16, "step": 4 },
                             "entryThreshold": { "type": "float", "low": 0.05, "high": 0.5 }, … } (types int,
                             float, logfloat, choice); names are strategy parameters
  --sampler grid|random|tpe  (default tpe)      --trials <n>  (required but for grid: the grid's size)
  --metric <name>            the score: sharpe (default), sortino, calmar, totalReturn, annualisedReturn,
                             netPnl, profitFactor, winRate, maxDrawdownFraction, volatility
  --direction maximize|minimize   (default: the metric's; minimize for drawdown and volatility)
  --workers <n>              worker threads (default: cores - 1)
  --sampler-seed <n>         the sampler's seed (default 0)
`;

export const OPTIMISE_HELP = `optimise: a parameter search, one backtest per trial on worker threads; trials stored in PostgreSQL
(DATABASE_URL, DATABASE_SCHEMA) as they finish, so running it again with the same --study resumes it
  meridian-backtest optimise --config <file.json> --data … --space <space.json> --sampler grid|random|tpe
                             --trials <n> --study <name> [--workers n] [--metric sharpe] [--out dir] [--open]
${JOB_HELP}${SEARCH_HELP}  --study <name>             the study's name (required): the key it is stored and resumed under
  --out <dir>                study.json, best-result.json and report.html (parameter heat map)
`;

export const WALK_FORWARD_HELP = `walk-forward: optimise on each train window, run the best parameters on the test window that
follows; only test windows make the reported curve and trades
  meridian-backtest walk-forward --config <file.json> --data … --space <space.json> --train 90d --test 30d
                                 [--step 30d] [--gap 0] [--mode rolling|anchored] [--sampler tpe --trials n]
${JOB_HELP}${SEARCH_HELP}  --train/--test/--step/--gap  durations (90d, 12h, 30m, 2w); step defaults to test
  --study <name>             the windows' studies are <name>/w<i> (default walk-forward-<hash of the job>)
  --out <dir>                walk-forward.json and report.html
`;

type SearchValues = JobValues & {
  space?: string;
  sampler?: string;
  trials?: string;
  study?: string;
  workers?: string;
  metric?: string;
  direction?: string;
  'sampler-seed'?: string;
  out?: string;
  open?: boolean;
  quiet?: boolean;
  train?: string;
  test?: string;
  step?: string;
  gap?: string;
  mode?: string;
};

function readSpaceFile(path: string | undefined): unknown {
  if (path === undefined) throw new InvalidRequestError('--space', 'is required: a JSON file of parameter ranges');
  try {
    return JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (err) {
    throw new InvalidRequestError('--space', `cannot read ${JSON.stringify(path)}: ${(err as Error).message}`, { cause: err });
  }
}

function searchOf(v: SearchValues, job: Job): SearchSpec {
  return readSearch(
    { space: readSpaceFile(v.space), sampler: v.sampler, metric: v.metric, direction: v.direction, trials: v.trials, seed: v['sampler-seed'] },
    job,
    { space: '--space', sampler: '--sampler', metric: '--metric', direction: '--direction', trials: '--trials', seed: '--sampler-seed' },
  );
}

function workersOf(v: SearchValues): number | undefined {
  if (v.workers === undefined) return undefined;
  if (!/^\d+$/.test(v.workers) || Number(v.workers) < 1) throw new InvalidRequestError('--workers', `must be a positive whole number, got ${JSON.stringify(v.workers)}`);
  return Number(v.workers);
}

async function openStore(): Promise<Database> {
  const settings = databaseSettings();
  const db = await Database.open({ url: settings.url, schema: settings.schema, maxConnections: 4 });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

/** SIGINT stops taking new trials; the running ones finish and are stored (the next run resumes). */
function interruptible(status: StatusLine): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    status.log('interrupted: finishing the running trials (they are stored); run the same command again to resume');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export interface OptimiseOutcome {
  readonly study: StudyResult;
  readonly best: BacktestResult | undefined;
  readonly outDir: string;
}

export async function optimiseCommand(v: SearchValues, positionals: readonly string[], out: (s: string) => void, status: StatusLine): Promise<OptimiseOutcome> {
  const job = await jobFromArgs(v, positionals);
  const search = searchOf(v, job);
  if (v.study === undefined) throw new InvalidRequestError('--study', 'is required: the name the study is stored (and resumed) under');
  const name = studyName('--study', v.study);
  const workers = workersOf(v);
  const dir = outDir(v.out, `study-${name.replace(/[^\w.-]/g, '_')}`);
  const db = await openStore();
  try {
    await checkResumable(db, name, job, search, '--study');
  } catch (err) {
    await db.close();
    throw err;
  }
  const stop = interruptible(status);
  let study: StudyResult;
  try {
    study = await runBacktestStudy({
      name,
      job,
      search,
      ...(workers !== undefined ? { workers } : {}),
      db,
      dbSettings: databaseSettings(),
      signal: stop.signal,
      onProgress: (p) => {
        const best = p.best;
        const eta = p.trialsPerHour > 0 ? ((p.total - p.done) / p.trialsPerHour) * 3600 : Number.NaN;
        status.update(
          `trial ${p.done}/${p.total} (${p.failed} failed, ${p.running} running)  best ${search.metric} ${best?.score?.toPrecision(4) ?? 'n/a'}${best ? ` #${best.number} ${paramsText(best.params)}` : ''}  ${p.trialsPerHour.toFixed(0)} trials/h  eta ${formatSeconds(eta)}`,
        );
      },
    });
  } finally {
    stop.dispose();
    status.clear();
  }
  let best: BacktestResult | undefined;
  try {
    if (study.best !== undefined) {
      // The best trial once more in this thread, for the report's curve and trades (deterministic: the same figures).
      const dbForData = job.data.some((d) => d.kind === 'postgres') ? db : undefined;
      best = await executeJob(job, { params: study.best.params, ...(dbForData ? { db: dbForData } : {}) });
    }
  } finally {
    await db.close();
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'study.json'), `${JSON.stringify({ name, metric: search.metric, direction: study.direction, space: study.space, fingerprint: jobFingerprint(job, { metric: search.metric }), resumed: study.resumed, ran: study.ran, completed: study.completed, failed: study.failed, stopped: study.stopped, best: study.best, trials: study.trials }, null, 2)}\n`);
  if (best !== undefined) {
    await writeFile(join(dir, 'best-result.json'), `${JSON.stringify(best, null, 2)}\n`);
    await writeFile(join(dir, 'report.html'), renderReport(studyReportInput(best, name, study.direction, study.trials, search.metric)));
  }
  const top = rankTrials(study.trials, study.direction).slice(0, 10);
  const lines = [
    `study ${name}: ${study.trials.length} trials (${study.resumed} stored before, ${study.ran} run now; ${study.completed} complete, ${study.failed} failed)${study.stopped ? ', stopped before its budget' : ''} in ${(study.elapsedMs / 1000).toFixed(1)} s`,
    study.best ? `best ${search.metric} ${study.best.score} (trial #${study.best.number}): ${paramsText(study.best.params)}` : `no trial completed${study.trials[0]?.error ? `: ${study.trials[0].error}` : ''}`,
    '',
    ...top.map((t) => `  #${String(t.number).padEnd(4)} ${t.state === 'complete' ? `${search.metric} ${t.score!.toPrecision(6).padStart(12)}` : `failed: ${t.error}`}  ${paramsText(t.params)}`),
    '',
    `study   ${join(dir, 'study.json')}`,
    ...(best ? [`report  ${join(dir, 'report.html')}`] : []),
  ];
  out(`${jobTitle(job)}\n${lines.join('\n')}\n`);
  if (v.open && best) openReport(join(dir, 'report.html'), (line) => out(`${line}\n`));
  return { study, best, outDir: dir };
}

export interface WalkForwardOutcome {
  readonly result: WalkForwardResult;
  readonly outDir: string;
}

export async function walkForwardCommand(v: SearchValues, positionals: readonly string[], out: (s: string) => void, status: StatusLine): Promise<WalkForwardOutcome> {
  const job = await jobFromArgs(v, positionals);
  const search = searchOf(v, job);
  const trainMs = parseDuration('--train', v.train);
  const testMs = parseDuration('--test', v.test);
  const stepMs = parseDuration('--step', v.step, testMs);
  const gapMs = parseDuration('--gap', v.gap, 0);
  const mode = v.mode === undefined ? 'rolling' : oneOf('--mode', v.mode, ['rolling', 'anchored'] as const);
  const name = studyName('--study', v.study ?? `walk-forward-${jobFingerprint(job, { metric: search.metric, trainMs, testMs, stepMs, gapMs, mode })}`);
  const workers = workersOf(v);
  const dir = outDir(v.out, `walk-forward-${name.replace(/[^\w.-]/g, '_')}`);
  const db = await openStore();
  const stop = interruptible(status);
  let result: WalkForwardResult;
  try {
    const range = await dataRange(job, job.data.some((d) => d.kind === 'postgres') ? db : undefined);
    status.log(`data ${new Date(range.fromMs).toISOString()} → ${new Date(range.toMs).toISOString()} (${range.events} events)`);
    result = await runBacktestWalkForward({
      name,
      job,
      search,
      ...(workers !== undefined ? { workers } : {}),
      db,
      dbSettings: databaseSettings(),
      signal: stop.signal,
      trainMs,
      testMs,
      stepMs,
      gapMs,
      mode,
      range,
      onWindow: (p) => {
        if (p.phase === 'test') status.log(`window ${p.window + 1}/${p.windows}: test ${search.metric} ${p.testScore}`);
        else if (p.study) status.update(`window ${p.window + 1}/${p.windows} train: trial ${p.study.done}/${p.study.total}  best ${search.metric} ${p.study.best?.score?.toPrecision(4) ?? 'n/a'}`);
      },
    });
  } finally {
    stop.dispose();
    status.clear();
    await db.close();
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'walk-forward.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(dir, 'report.html'), renderReport(walkForwardReportInput(result, `Walk-forward ${name}: ${jobTitle(job)}`, search.metric)));
  const s = result.summary;
  const lines = [
    `walk-forward ${name}: ${result.windows.length} windows (train ${v.train}, test ${v.test}, step ${v.step ?? v.test}, ${mode})`,
    ...result.windows.map(
      (w) => `  w${w.index}  train ${new Date(w.train.fromMs).toISOString().slice(0, 10)}…${new Date(w.train.toMs).toISOString().slice(0, 10)} ${search.metric} ${w.trainScore.toPrecision(4)}  test …${new Date(w.test.toMs).toISOString().slice(0, 10)} ${search.metric} ${w.testScore.toPrecision(4)} P&L ${w.testPnl}  ${paramsText(w.bestParams)}`,
    ),
    `out of sample: P&L ${s.pnl} (${(s.returnFraction * 100).toFixed(2)}%), max drawdown ${s.maxDrawdown} (${(s.maxDrawdownFraction * 100).toFixed(2)}%), ${s.trades} round trips; mean ${search.metric} test ${s.meanTestScore.toPrecision(4)} vs train ${s.meanTrainScore.toPrecision(4)} (efficiency ${s.efficiency.toFixed(2)})`,
    `result  ${join(dir, 'walk-forward.json')}`,
    `report  ${join(dir, 'report.html')}`,
  ];
  out(`${jobTitle(job)}\n${lines.join('\n')}\n`);
  if (v.open) openReport(join(dir, 'report.html'), (line) => out(`${line}\n`));
  return { result, outDir: dir };
}
