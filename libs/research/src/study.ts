import { InvalidOptionError, PoolClosedError } from './errors';
import { InlineEvaluator } from './evaluator';
import type { Evaluator, ObjectiveFunction } from './evaluator';
import { WorkerPool } from './pool';
import type { ObjectiveRef } from './pool';
import { createSampler } from './samplers';
import type { SamplerSpec } from './samplers/sampler';
import { TPE_DEFAULTS } from './samplers/tpe';
import { ParamSpace } from './space';
import type { Params, SpaceSpec } from './space';
import { MemoryStudyStore } from './study-store';
import type { StudyDefinition, StudyStore } from './study-store';
import { bestTrial } from './trial';
import type { Direction, TrialRecord } from './trial';

export interface StudyProgress {
  study: string;
  /** Finished trials, those stored by an earlier run included. */
  done: number;
  total: number;
  running: number;
  completed: number;
  failed: number;
  /** The trial that just finished. */
  trial: TrialRecord;
  best: TrialRecord | undefined;
  elapsedMs: number;
  /** Trials finished by this run per hour, so far. */
  trialsPerHour: number;
}

export interface StudyOptions {
  /** Stored under this name; running it again resumes it. */
  name: string;
  space: SpaceSpec | ParamSpace;
  /**
   * A module + export run on worker threads, or a function run in this thread. The export is
   * `(params, ctx) => Promise<{ score, metrics?, equity?, trades? }>`.
   */
  objective: ObjectiveRef | ObjectiveFunction;
  /** Default TPE. */
  sampler?: SamplerSpec;
  /** Default 0; an unsigned 32-bit integer. */
  seed?: number;
  /** Trials in the study in total (stored ones count). Required except for grid search, which defaults to the grid's size. */
  nTrials?: number;
  /** Default maximize. */
  direction?: Direction;
  /** Default: in memory (not resumable across processes). */
  store?: StudyStore;
  /** Worker threads for a module objective (default availableParallelism()-1, min 1); evaluations in flight for a function (default 1). */
  workers?: number;
  trialTimeoutMs?: number;
  /**
   * Trials handed out beyond the evaluator's concurrency, so a worker finds its next trial queued
   * instead of waiting for the main thread to store the last one and sample. Worth 1 when a trial
   * takes milliseconds; TPE then proposes with that many more trials pending. Default 0.
   */
  prefetch?: number;
  /** A pool already started (shared across studies); it is left open. Overrides `objective` for running. */
  evaluator?: Evaluator;
  /** Passed to the objective as ctx.data. Must be cloneable to reach worker threads. */
  data?: unknown;
  /** What identifies the objective in the stored study; defaults to module#export or function:<name>. */
  objectiveId?: string;
  onProgress?: (progress: StudyProgress) => void;
  /** Stops taking new trials; the ones running finish and are stored. */
  signal?: AbortSignal;
}

export interface StudyResult {
  name: string;
  direction: Direction;
  space: SpaceSpec;
  /** Every finished trial, stored ones included, by number. */
  trials: TrialRecord[];
  best: TrialRecord | undefined;
  /** Trials loaded from the store (done by earlier runs). */
  resumed: number;
  /** Trials run now. */
  ran: number;
  completed: number;
  failed: number;
  /** True when the signal stopped the run before its budget. */
  stopped: boolean;
  elapsedMs: number;
}

function objectiveId(options: StudyOptions): string {
  if (options.objectiveId !== undefined) return options.objectiveId;
  const o = options.objective;
  if (typeof o === 'function') return `function:${o.name || 'anonymous'}`;
  return `${o.module}#${o.export ?? 'objective'}`;
}

/** The sampler spec with its defaults filled in, so {kind:'tpe'} and its spelled-out twin store alike. */
export function normaliseSampler(spec: SamplerSpec | undefined): SamplerSpec {
  const s = (spec === undefined ? { kind: 'tpe' } : Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined))) as SamplerSpec;
  if (s.kind === 'tpe') return { ...TPE_DEFAULTS, ...s, kind: 'tpe' };
  if (s.kind === 'grid') return { kind: 'grid', shuffle: s.shuffle ?? false };
  return { ...s };
}

function checkOptions(options: StudyOptions): void {
  if (typeof options.name !== 'string' || !/^[\w.:/@-]{1,200}$/.test(options.name)) {
    throw new InvalidOptionError('name', options.name, 'must be 1-200 characters of letters, digits and _ . : / @ -');
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new InvalidOptionError('seed', seed, 'must be an integer in [0, 2^32)');
  if (options.direction !== undefined && options.direction !== 'maximize' && options.direction !== 'minimize') {
    throw new InvalidOptionError('direction', options.direction, 'must be maximize or minimize');
  }
  if (options.objective === undefined && options.evaluator === undefined) throw new InvalidOptionError('objective', undefined, 'is required');
  const prefetch = options.prefetch ?? 0;
  if (!Number.isInteger(prefetch) || prefetch < 0) throw new InvalidOptionError('prefetch', prefetch, 'must be a non-negative integer');
}

/**
 * Runs (or resumes) a study: samples parameters, evaluates them in parallel, stores each
 * finished trial. A trial whose objective throws is stored as failed with its message; the study
 * goes on. A store that cannot be written stops the study (after the trials in flight finish) and
 * rethrows: what was stored is kept and the next run resumes from it.
 */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  checkOptions(options);
  const t0 = performance.now();
  const prefetch = options.prefetch ?? 0;
  const space = ParamSpace.from(options.space);
  const direction = options.direction ?? 'maximize';
  const seed = options.seed ?? 0;
  const samplerSpec = normaliseSampler(options.sampler);
  const sampler = createSampler(samplerSpec, space, seed, direction);
  const nTrials = options.nTrials ?? sampler.size;
  if (nTrials === undefined) throw new InvalidOptionError('nTrials', nTrials, `is required for the ${samplerSpec.kind} sampler`);
  if (!Number.isInteger(nTrials) || nTrials < 1) throw new InvalidOptionError('nTrials', nTrials, 'must be a positive integer');
  if (sampler.size !== undefined && nTrials > sampler.size) throw new InvalidOptionError('nTrials', nTrials, `must not exceed the grid's ${sampler.size} points`);

  const store = options.store ?? new MemoryStudyStore();
  const definition: StudyDefinition = { name: options.name, direction, space: space.toJSON(), sampler: samplerSpec, objective: objectiveId(options), seed, nTrials };
  const release = await store.acquire(options.name);
  let ownEvaluator: Evaluator | undefined;
  try {
    const history = await store.openStudy(definition);
    const resumed = history.length;
    const doneNumbers = new Set(history.map((t) => t.number));
    // Numbers missing below the budget: never run, or in flight when an earlier run stopped.
    const todo: number[] = [];
    for (let n = 0; n < nTrials; n++) if (!doneNumbers.has(n)) todo.push(n);

    let evaluator = options.evaluator;
    if (!evaluator && todo.length > 0) {
      const objective = options.objective;
      ownEvaluator =
        typeof objective === 'function'
          ? new InlineEvaluator(objective, options.workers ?? 1)
          : await WorkerPool.start({ objective, workers: options.workers, trialTimeoutMs: options.trialTimeoutMs });
      evaluator = ownEvaluator;
    }

    const pending = new Map<number, Params>();
    let ran = 0;
    let storeError: unknown;
    const stopped = () => storeError !== undefined || options.signal?.aborted === true;
    let completed = history.filter((t) => t.state === 'complete').length;
    let failed = history.length - completed;
    let best = bestTrial(history, direction);

    const lane = async (): Promise<void> => {
      while (todo.length > 0 && !stopped()) {
        const number = todo.shift()!;
        const params = space.validate(sampler.sample({ trial: number, history, pending: [...pending.values()] }), `sampler(${samplerSpec.kind}) trial ${number}`);
        pending.set(number, params);
        const startedAtMs = Date.now();
        let outcome;
        try {
          outcome = await evaluator!.evaluate(params, { study: options.name, trial: number, seed, data: options.data });
        } catch (err) {
          // The pool was closed under us or broke (its module vanished): stop, like a store error.
          pending.delete(number);
          storeError ??= err;
          return;
        }
        const trial: TrialRecord = outcome.ok
          ? { number, state: 'complete', params, score: outcome.result.score, metrics: outcome.result.metrics ?? {}, startedAtMs, durationMs: outcome.durationMs }
          : { number, state: 'failed', params, metrics: {}, error: outcome.error, startedAtMs, durationMs: outcome.durationMs };
        try {
          await store.recordTrial(options.name, trial);
        } catch (err) {
          pending.delete(number);
          storeError ??= err;
          return;
        }
        pending.delete(number);
        history.push(trial);
        ran++;
        if (trial.state === 'complete') completed++;
        else failed++;
        if (trial.state === 'complete' && (best === undefined || bestTrial([best, trial], direction) === trial)) best = trial;
        const elapsedMs = performance.now() - t0;
        options.onProgress?.({
          study: options.name,
          done: history.length,
          total: Math.max(nTrials, history.length),
          running: pending.size,
          completed,
          failed,
          trial,
          best,
          elapsedMs,
          trialsPerHour: elapsedMs > 0 ? (ran / elapsedMs) * 3_600_000 : 0,
        });
      }
    };
    const lanes = Math.min((evaluator?.concurrency ?? 1) + prefetch, todo.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (storeError !== undefined) {
      if (storeError instanceof PoolClosedError && options.signal?.aborted) {
        // Closed because the caller aborted: a stop, not a failure.
      } else {
        throw storeError;
      }
    }
    history.sort((a, b) => a.number - b.number);
    return {
      name: options.name,
      direction,
      space: space.toJSON(),
      trials: history,
      best,
      resumed,
      ran,
      completed,
      failed,
      stopped: history.length < nTrials,
      elapsedMs: performance.now() - t0,
    };
  } finally {
    try {
      await ownEvaluator?.close();
    } finally {
      await release();
    }
  }
}
