import { InvalidOptionError, PoolClosedError } from './errors';
import { checkResult, describeError } from './outcome';
import type { EvalOutcome } from './outcome';
import type { Params } from './space';
import type { ObjectiveResult, TrialContext } from './trial';

/** Runs the objective for one parameter set. `evaluate` never rejects because the objective threw. */
export interface Evaluator {
  /** How many evaluations it runs at once. */
  readonly concurrency: number;
  evaluate(params: Params, ctx: TrialContext): Promise<EvalOutcome>;
  close(): Promise<void>;
}

export type ObjectiveFunction = (params: Params, ctx: TrialContext) => Promise<ObjectiveResult> | ObjectiveResult;

/**
 * Runs an objective function in this thread: for objectives that are cheap or mostly wait on
 * I/O, and for tests. `concurrency` bounds the evaluations in flight (the study respects it).
 */
export class InlineEvaluator implements Evaluator {
  private closed = false;

  constructor(
    private readonly fn: ObjectiveFunction,
    readonly concurrency = 1,
  ) {
    if (typeof fn !== 'function') throw new InvalidOptionError('objective', fn, 'must be a function');
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidOptionError('concurrency', concurrency, 'must be a positive integer');
  }

  async evaluate(params: Params, ctx: TrialContext): Promise<EvalOutcome> {
    if (this.closed) throw new PoolClosedError('inline evaluator is closed');
    const t0 = performance.now();
    try {
      const result = checkResult(await this.fn(params, ctx));
      return { ok: true, result, durationMs: performance.now() - t0 };
    } catch (err) {
      return { ok: false, error: describeError(err), durationMs: performance.now() - t0 };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
