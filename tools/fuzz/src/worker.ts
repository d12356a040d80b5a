import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerMessage } from './isolated';
import { runTarget } from './runner';
import type { FuzzTarget } from './target';

/** The worker side of `runIsolated`: one target, its report posted back. */
interface WorkerInput {
  readonly target: string;
  readonly module: string | undefined;
  readonly runs: number;
  readonly seed: number;
  readonly path: string | undefined;
  readonly budgetMs: number;
  readonly progress: SharedArrayBuffer;
}

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

async function main(): Promise<WorkerMessage> {
  // The registry loads every target's code (services included); a module target needs none of it.
  const candidates: readonly FuzzTarget[] = input.module === undefined ? (await import('./targets/index.js')).TARGETS : Object.values((await import(input.module)) as Record<string, FuzzTarget>);
  const target = candidates.find((t) => t?.name === input.target);
  if (target === undefined) return { error: `no target ${input.target}` };
  const report = await runTarget(target, {
    runs: input.runs,
    seed: input.seed,
    ...(input.path !== undefined ? { path: input.path } : {}),
    budgetMs: input.budgetMs,
    progress: new Int32Array(input.progress),
  });
  return { report };
}

main().then(post, (err: unknown) => post({ error: (err as Error)?.stack ?? String(err) }));
