import type { Params } from './space';
import type { ObjectiveResult, TrialContext } from './trial';

/** Messages between WorkerPool and its worker threads. */
export interface ToWorker {
  id: number;
  params: Params;
  ctx: TrialContext;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'load-error'; error: string }
  | { type: 'result'; id: number; ok: true; result: ObjectiveResult; durationMs: number }
  | { type: 'result'; id: number; ok: false; error: string; durationMs: number };
