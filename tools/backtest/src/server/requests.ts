// The API's requests, checked before anything is queued: a bad one is answered 400 (gRPC
// INVALID_ARGUMENT) naming the field, and never becomes a run that fails later.
import { InvalidRequestError } from '../errors';
import { REQUEST_KEYS, resolveJob } from '../job';
import type { Job } from '../job';
import { isObject } from '../json-fields';
import type { Database } from '@meridian/store';
import { checkResumable, readSearch, studyName } from '../study';
import type { SearchSpec } from '../study';

/** What a queued backtest stores as its request. */
export interface BacktestRequest {
  readonly job: Job;
}

/** What a queued study stores as its request. */
export interface StudyRequest {
  readonly job: Job;
  readonly name: string;
  readonly search: SearchSpec;
  readonly workers?: number;
}

const STUDY_KEYS = [...REQUEST_KEYS, 'study', 'space', 'sampler', 'trials', 'metric', 'direction', 'workers', 'samplerSeed'] as const;

export interface RequestContext {
  /** Files must lie under these; relative paths are taken from the first. */
  readonly roots: readonly string[];
  /** Most worker threads a study may ask for. */
  readonly maxStudyWorkers: number;
  /** Where studies are stored: a study resumed with another definition is refused up front. */
  readonly db?: Database;
}

function body(v: unknown): Record<string, unknown> {
  if (!isObject(v)) throw new InvalidRequestError('body', 'must be a JSON object');
  return v;
}

export async function backtestRequest(v: unknown, ctx: RequestContext): Promise<BacktestRequest> {
  return { job: await resolveJob(body(v), { baseDir: ctx.roots[0]!, roots: ctx.roots }) };
}

export async function studyRequest(v: unknown, ctx: RequestContext): Promise<StudyRequest> {
  const o = body(v);
  for (const k of Object.keys(o)) {
    if (!(STUDY_KEYS as readonly string[]).includes(k)) throw new InvalidRequestError(k, `is not a known key (expected one of ${STUDY_KEYS.join(', ')})`);
  }
  if (o.study === undefined) throw new InvalidRequestError('study', 'is required: the name the study is stored (and resumed) under');
  const name = studyName('study', o.study);
  const { space, sampler, trials, metric, direction, workers, samplerSeed } = o;
  const rest = Object.fromEntries(Object.entries(o).filter(([k]) => (REQUEST_KEYS as readonly string[]).includes(k)));
  const job = await resolveJob(rest, { baseDir: ctx.roots[0]!, roots: ctx.roots });
  const search = readSearch({ space, sampler, metric, direction, trials, seed: samplerSeed }, job, {
    space: 'space',
    sampler: 'sampler',
    metric: 'metric',
    direction: 'direction',
    trials: 'trials',
    seed: 'samplerSeed',
  });
  let w: number | undefined;
  if (workers !== undefined) {
    if (typeof workers !== 'number' || !Number.isSafeInteger(workers) || workers < 1 || workers > ctx.maxStudyWorkers) {
      throw new InvalidRequestError('workers', `must be a whole number from 1 to ${ctx.maxStudyWorkers}, got ${JSON.stringify(workers)}`);
    }
    w = workers;
  }
  if (ctx.db !== undefined) await checkResumable(ctx.db, name, job, search, 'study');
  return { job, name, search, ...(w !== undefined ? { workers: w } : {}) };
}
