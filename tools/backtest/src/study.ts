// Studies and walk-forward runs over backtests: the research library's search, its worker pool
// running dist/objective.js (one backtest per trial), its PostgreSQL store (resumable by name).
// Shared by the CLI and the server.
import { join } from 'node:path';
import { checkSameStudy, InvalidSpaceError, normaliseSampler, ParamSpace, PgStudyStore, runStudy, StudyMismatchError, walkForward, WorkerPool } from '@meridian/research';
import type { SamplerSpec, SpaceSpec, StudyProgress, StudyResult, TrialRecord, WalkForwardProgress, WalkForwardResult } from '@meridian/research';
import type { Database } from '@meridian/store';
import { parseConfig } from './config-file';
import { openSource } from './data';
import { InvalidRequestError } from './errors';
import { jobFingerprint, needsDatabase } from './job';
import type { DatabaseSettings, Job } from './job';
import { oneOf } from './json-fields';
import { METRICS, metricName } from './objective';
import type { MetricName, ObjectiveData } from './objective';
import { STRATEGY_PARAMS } from './strategy-spec';

/** The objective as a study stores it: a logical name, the scored metric and what the backtest is (hash). */
export function objectiveRef(job: Job, metric: MetricName): { module: string; export: string } {
  return { module: `@meridian/backtest-cli/objective[${metric}@${jobFingerprint(job, { metric })}]`, export: 'objective' };
}

/** The compiled objective the worker threads load. */
export function objectiveModule(): string {
  return join(__dirname, 'objective.js');
}

export interface SearchSpec {
  readonly space: SpaceSpec;
  readonly sampler: SamplerSpec;
  readonly metric: MetricName;
  readonly direction: 'maximize' | 'minimize';
  readonly nTrials?: number;
  readonly seed: number;
}

/** Checks a parameter space against the strategy: every parameter must be one the strategy takes. */
export function readSpace(v: unknown, job: Job, field = 'space'): SpaceSpec {
  let space: ParamSpace;
  try {
    space = ParamSpace.from(v as SpaceSpec);
  } catch (err) {
    if (err instanceof InvalidSpaceError) throw new InvalidRequestError(err.field.replace(/^space/, field), err.message, { cause: err });
    throw err;
  }
  const known = STRATEGY_PARAMS[job.strategy.kind];
  for (const name of space.names) {
    if (known[name] === undefined) throw new InvalidRequestError(`${field}.${name}`, `is not a parameter of the ${job.strategy.kind} strategy (it takes ${Object.keys(known).join(', ')})`);
  }
  return space.toJSON();
}

export function readSearch(o: { space: unknown; sampler?: unknown; metric?: unknown; direction?: unknown; trials?: unknown; seed?: unknown }, job: Job, fields: Record<'space' | 'sampler' | 'metric' | 'direction' | 'trials' | 'seed', string>): SearchSpec {
  const space = readSpace(o.space, job, fields.space);
  const kind = oneOf(fields.sampler, o.sampler ?? 'tpe', ['grid', 'random', 'tpe'] as const);
  const metric = metricName(fields.metric, String(o.metric ?? 'sharpe'));
  const direction = o.direction === undefined ? METRICS[metric] : oneOf(fields.direction, o.direction, ['maximize', 'minimize'] as const);
  const int = (field: string, v: unknown, min: number): number => {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) throw new InvalidRequestError(field, `must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
    return n;
  };
  const nTrials = o.trials === undefined ? undefined : int(fields.trials, o.trials, 1);
  if (nTrials === undefined && kind !== 'grid') throw new InvalidRequestError(fields.trials, `is required for the ${kind} sampler`);
  const seed = o.seed === undefined ? 0 : int(fields.seed, o.seed, 0);
  return { space, sampler: { kind }, metric, direction, ...(nTrials !== undefined ? { nTrials } : {}), seed };
}

export function objectiveData(job: Job, metric: MetricName, db: DatabaseSettings | undefined): ObjectiveData {
  return { job, metric, ...(needsDatabase(job) && db !== undefined ? { db } : {}) };
}

/** A study name: the research store's rule, checked up front so the error names the option. */
export function studyName(field: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[\w.:/@-]{1,200}$/.test(v)) throw new InvalidRequestError(field, `must be 1-200 characters of letters, digits and _ . : / @ -, got ${JSON.stringify(v)}`);
  return v;
}

export interface StudyRun {
  readonly name: string;
  readonly job: Job;
  readonly search: SearchSpec;
  readonly workers?: number;
  readonly db: Database;
  readonly dbSettings: DatabaseSettings;
  readonly onProgress?: (p: StudyProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Refuses, before anything runs, to resume a stored study with a different definition (another
 * configuration, data, strategy or metric changes the objective id): the error names `field`.
 */
export async function checkResumable(db: Database, name: string, job: Job, search: SearchSpec, field: string): Promise<void> {
  const stored = await new PgStudyStore(db).loadStudy(name);
  if (stored === undefined) return;
  const ref = objectiveRef(job, search.metric);
  try {
    checkSameStudy(stored.definition, {
      name,
      direction: search.direction,
      space: ParamSpace.from(search.space).toJSON(),
      sampler: normaliseSampler(search.sampler),
      objective: `${ref.module}#${ref.export}`,
      seed: search.seed,
      nTrials: search.nTrials ?? stored.definition.nTrials,
    });
  } catch (err) {
    if (!(err instanceof StudyMismatchError)) throw err;
    const why = err.field === 'objective' ? ': the configuration, data, strategy or metric differ from the stored study’s' : '';
    throw new InvalidRequestError(field, `${err.message}${why}`, { cause: err });
  }
}

/** Runs (or resumes) a study over backtests, trials stored in PostgreSQL as they finish. */
export async function runBacktestStudy(r: StudyRun): Promise<StudyResult> {
  const pool = await WorkerPool.start({ objective: { module: objectiveModule(), export: 'objective' }, ...(r.workers !== undefined ? { workers: r.workers } : {}) });
  try {
    const ref = objectiveRef(r.job, r.search.metric);
    return await runStudy({
      name: r.name,
      space: r.search.space,
      objective: ref,
      objectiveId: `${ref.module}#${ref.export}`,
      evaluator: pool,
      sampler: r.search.sampler,
      seed: r.search.seed,
      ...(r.search.nTrials !== undefined ? { nTrials: r.search.nTrials } : {}),
      direction: r.search.direction,
      store: new PgStudyStore(r.db),
      data: objectiveData(r.job, r.search.metric, r.dbSettings),
      ...(r.onProgress ? { onProgress: r.onProgress } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
    });
  } finally {
    await pool.close();
  }
}

/** First and last event time of the job's data (ms), and the number of events: one pass over it. */
export async function dataRange(job: Job, db: Database | undefined): Promise<{ fromMs: number; toMs: number; events: number }> {
  let first: bigint | undefined;
  let last: bigint | undefined;
  let events = 0;
  parseConfig(job.config);
  for (const spec of job.data) {
    for await (const chunk of openSource(spec, {}, db).chunks() as AsyncIterable<readonly { tsNs: bigint }[]>) {
      if (chunk.length === 0) continue;
      events += chunk.length;
      const a = chunk[0]!.tsNs;
      const b = chunk[chunk.length - 1]!.tsNs;
      if (first === undefined || a < first) first = a;
      if (last === undefined || b > last) last = b;
    }
  }
  if (first === undefined || last === undefined) throw new InvalidRequestError('data', 'holds no events');
  // Exclusive end: the last event belongs to the range.
  return { fromMs: Number(first / 1_000_000n), toMs: Number(last / 1_000_000n) + 1, events };
}

export interface WalkForwardRun extends StudyRun {
  readonly trainMs: number;
  readonly testMs: number;
  readonly stepMs?: number;
  readonly gapMs?: number;
  readonly mode?: 'rolling' | 'anchored';
  readonly range: { fromMs: number; toMs: number };
  readonly onWindow?: (p: WalkForwardProgress) => void;
}

/** Walk-forward analysis over backtests: each window's study stored (and resumable) as `<name>/w<i>`. */
export async function runBacktestWalkForward(r: WalkForwardRun): Promise<WalkForwardResult> {
  const pool = await WorkerPool.start({ objective: { module: objectiveModule(), export: 'objective' }, ...(r.workers !== undefined ? { workers: r.workers } : {}) });
  try {
    const initial = parseConfig(r.job.config).venue.account.balances;
    const currency = parseConfig(r.job.config).instruments[0]!.quoteCurrency;
    return await walkForward({
      name: r.name,
      windows: { fromMs: r.range.fromMs, toMs: r.range.toMs, trainMs: r.trainMs, testMs: r.testMs, ...(r.stepMs !== undefined ? { stepMs: r.stepMs } : {}), ...(r.gapMs !== undefined ? { gapMs: r.gapMs } : {}), ...(r.mode ? { mode: r.mode } : {}) },
      space: r.search.space,
      objective: objectiveRef(r.job, r.search.metric),
      evaluator: pool,
      sampler: r.search.sampler,
      seed: r.search.seed,
      ...(r.search.nTrials !== undefined ? { nTrials: r.search.nTrials } : {}),
      direction: r.search.direction,
      store: new PgStudyStore(r.db),
      data: objectiveData(r.job, r.search.metric, r.dbSettings),
      ...(initial[currency] !== undefined ? { initialEquity: initial[currency]!.toString() } : {}),
      ...(r.onWindow ? { onProgress: r.onWindow } : {}),
      ...(r.signal ? { signal: r.signal } : {}),
    });
  } finally {
    await pool.close();
  }
}

/** `name=value …` of a trial's parameters. */
export function paramsText(p: Readonly<Record<string, unknown>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The best trials first (failed ones last), for tables. */
export function rankTrials(trials: readonly TrialRecord[], direction: 'maximize' | 'minimize'): TrialRecord[] {
  return [...trials].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'complete' ? -1 : 1;
    if (a.score === undefined || b.score === undefined) return a.number - b.number;
    return direction === 'maximize' ? b.score - a.score || a.number - b.number : a.score - b.score || a.number - b.number;
  });
}
