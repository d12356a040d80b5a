import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { withDeadline } from '@meridian/runtime';
import { classify } from './classify';
import type { Outcome } from './classify';
import type { FuzzTarget, OutcomeKind, Verdict } from './target';
import { OUTCOME_KINDS, Unavailable } from './target';

export interface RunOptions {
  /** Generated inputs (fast-check runs); shrinking a failure adds calls that are not counted. */
  readonly runs: number;
  /** fast-check's seed; a random one when absent (printed either way, for replay). */
  readonly seed?: number;
  /** Replays one input (fast-check's counterexample path, e.g. `412` or `412:3:0`) with `seed`. */
  readonly path?: string;
  /** Longest one call may take before it counts as a hang, ms. */
  readonly budgetMs: number;
  /**
   * Shared with a watchdog thread: [0] counts calls started (shrinking included), [1] the
   * generated inputs finished, so a call stuck in a loop is found and named by its run index.
   */
  readonly progress?: Int32Array;
}

/** The first crash or hang, shrunk to a minimal input, and how to replay it. */
export interface Failure {
  readonly kind: 'crash' | 'hang';
  readonly key: string;
  readonly detail: string;
  /** fast-check's rendering of the minimal input. */
  readonly counterexample: string;
  readonly seed: number;
  readonly path: string;
  readonly shrinks: number;
}

export interface TargetReport {
  readonly target: string;
  readonly calls: string;
  /** Generated inputs classified (up to and including the first failure). */
  readonly runs: number;
  readonly seed: number;
  readonly durationMs: number;
  /** Slowest single call, ms. */
  readonly maxCallMs: number;
  readonly counts: Record<OutcomeKind, number>;
  /** `rejected FRAME_REJECTED/schema` → n, `accepted` → n, `crash untyped TypeError` → n. */
  readonly keys: Record<string, number>;
  readonly failure?: Failure;
  /** Why the target did not run (a server it needs is not reachable). */
  readonly skipped?: string;
}

export function emptyCounts(): Record<OutcomeKind, number> {
  return Object.fromEntries(OUTCOME_KINDS.map((k) => [k, 0])) as Record<OutcomeKind, number>;
}

/** The command that replays a failure. */
export function replayCommand(target: string, seed: number, path: string): string {
  return `npm run fuzz -- --target ${target} --seed ${seed} --path ${path}`;
}

/** Awaits `p`, or gives up after `ms` (the call then counts as a hang; what it does later is ignored). */
function within(p: Promise<Verdict>, ms: number): Promise<{ verdict: Verdict } | { error: unknown } | 'timeout'> {
  return withDeadline(
    p.then((verdict) => ({ verdict }), (error: unknown) => ({ error })),
    ms,
    () => 'timeout' as const,
  );
}

/**
 * Runs one target: `runs` inputs from its arbitrary through its `run`, each classified. The first
 * crash or hang stops the generation and fast-check shrinks it to a minimal input; the counts are
 * those of the generated inputs only.
 */
export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<TargetReport> {
  const counts = emptyCounts();
  const keys: Record<string, number> = {};
  let maxCallMs = 0;
  let failing = false;
  let last: { outcome: Outcome } | undefined;
  const progress = options.progress;

  const record = (outcome: Outcome): boolean => {
    const bad = outcome.kind === 'crash' || outcome.kind === 'hang';
    if (!failing) {
      counts[outcome.kind]++;
      const key = outcome.kind === 'accepted' ? 'accepted' : `${outcome.kind} ${outcome.key}`;
      keys[key] = (keys[key] ?? 0) + 1;
      if (outcome.ms > maxCallMs) maxCallMs = outcome.ms;
      if (progress) Atomics.add(progress, 1, 1);
    }
    if (bad) {
      failing = true;
      last = { outcome };
    }
    return !bad;
  };

  let context: unknown;
  try {
    // Setup (a server starting) moves the watchdog's counter too, so it is not taken for a hang.
    if (progress) Atomics.add(progress, 0, 1);
    context = target.setup ? await target.setup() : undefined;
    if (progress) Atomics.add(progress, 0, 1);
  } catch (err) {
    if (!(err instanceof Unavailable)) throw err;
    return { target: target.name, calls: target.calls, runs: 0, seed: options.seed ?? 0, durationMs: 0, maxCallMs: 0, counts: emptyCounts(), keys: {}, skipped: err.message };
  }
  const started = performance.now();
  const parameters: fc.Parameters<[unknown]> = {
    numRuns: options.runs,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
  };
  let details: fc.RunDetails<[unknown]>;
  try {
    if (target.async) {
      details = await fc.check(
        fc.asyncProperty(target.arbitrary, async (input) => {
          if (progress) Atomics.add(progress, 0, 1);
          const t0 = performance.now();
          let result: { verdict: Verdict } | { error: unknown } | 'timeout';
          try {
            result = await within(Promise.resolve(target.run(input, context)), options.budgetMs);
          } catch (error) {
            result = { error };
          }
          const ms = performance.now() - t0;
          if (result === 'timeout') return record({ kind: 'hang', key: 'no answer', detail: `no answer within the ${options.budgetMs} ms budget`, ms });
          return record(classify(target, result, ms, options.budgetMs));
        }),
        parameters,
      );
    } else {
      details = fc.check(
        fc.property(target.arbitrary, (input) => {
          if (progress) Atomics.add(progress, 0, 1);
          const t0 = performance.now();
          let result: { verdict: Verdict } | { error: unknown };
          try {
            result = { verdict: target.run(input, context) as Verdict };
          } catch (error) {
            result = { error };
          }
          return record(classify(target, result, performance.now() - t0, options.budgetMs));
        }),
        parameters,
      );
    }
  } finally {
    if (target.teardown) await target.teardown(context);
  }
  const durationMs = performance.now() - started;
  const runs = OUTCOME_KINDS.reduce((n, k) => n + counts[k], 0);
  const base = { target: target.name, calls: target.calls, runs, seed: details.seed, durationMs, maxCallMs, counts, keys };
  if (!details.failed) return base;
  const outcome = last?.outcome;
  if (outcome === undefined || (outcome.kind !== 'crash' && outcome.kind !== 'hang')) {
    // fast-check itself failed (an arbitrary threw): report it as the target's crash.
    const error = details.errorInstance;
    return {
      ...base,
      failure: {
        kind: 'crash',
        key: 'fuzzer error',
        detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        counterexample: details.counterexample === null ? '(none)' : fc.stringify(details.counterexample[0]),
        seed: details.seed,
        path: details.counterexamplePath ?? '',
        shrinks: details.numShrinks,
      },
    };
  }
  return {
    ...base,
    failure: {
      kind: outcome.kind,
      key: outcome.key,
      detail: outcome.detail,
      counterexample: details.counterexample === null ? '(none)' : fc.stringify(details.counterexample[0]),
      seed: details.seed,
      path: details.counterexamplePath ?? '',
      shrinks: details.numShrinks,
    },
  };
}

/** The input a seed and path generate, without calling the target (to show what a hung call was given). */
export function inputAt(target: FuzzTarget, seed: number, path: string): string {
  let shown = '(not generated)';
  fc.check(
    fc.property(target.arbitrary, (input) => {
      shown = fc.stringify(input);
      return true;
    }),
    { seed, path, numRuns: 1 },
  );
  return shown;
}
