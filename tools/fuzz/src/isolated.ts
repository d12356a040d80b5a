import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { emptyCounts, inputAt } from './runner';
import type { TargetReport } from './runner';
import type { FuzzTarget } from './target';

export interface IsolatedOptions {
  readonly runs: number;
  /** Chosen by the caller so that a hang, found from outside the worker, can be replayed. */
  readonly seed: number;
  readonly path?: string;
  readonly budgetMs: number;
  /** No call started for this long: the worker is stuck in a loop no in-thread budget can interrupt. */
  readonly hangMs: number;
  /** Heap limit of the worker, MiB: a decoder that allocates without bound is caught, not the machine. */
  readonly heapMb: number;
  /** A module exporting the target under its name, for targets outside the registry (the harness's own tests). */
  readonly module?: string;
}

/** Longest a worker may take to load its target before the first call. */
const STARTUP_MS = 60_000;

/** What the worker sends back. */
export type WorkerMessage = { readonly report: TargetReport } | { readonly error: string };

/**
 * Runs one target in a worker thread under a watchdog. A synchronous decoder stuck in a loop
 * cannot be timed out from inside its own thread, so the worker counts calls in shared memory and
 * this thread stops it when the count stops moving; the hung input is then regenerated from the
 * seed and its run index (nothing of it has to leave the stuck thread). A worker that dies (out of
 * memory, an exception thrown outside any call) is reported as a crash of its target.
 */
export function runIsolated(target: FuzzTarget, options: IsolatedOptions): Promise<TargetReport> {
  const shared = new SharedArrayBuffer(8);
  const progress = new Int32Array(shared);
  const worker = new Worker(join(__dirname, 'worker.js'), {
    workerData: { target: target.name, module: options.module, runs: options.runs, seed: options.seed, path: options.path, budgetMs: options.budgetMs, progress: shared },
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb },
  });
  const started = Date.now();
  return new Promise<TargetReport>((resolve) => {
    let settled = false;
    let seen = -1;
    let since = Date.now();
    const broken = (kind: 'crash' | 'hang', key: string, detail: string): TargetReport => {
      if (Atomics.load(progress, 0) === 0) {
        // Nothing was generated yet: the worker could not load or start the target (a tree being rebuilt, a missing module).
        return {
          target: target.name,
          calls: target.calls,
          runs: 0,
          seed: options.seed,
          durationMs: Date.now() - started,
          maxCallMs: 0,
          counts: emptyCounts(),
          keys: {},
          failure: { kind, key: 'worker did not start', detail, counterexample: '(none: no input was generated)', seed: options.seed, path: '', shrinks: 0 },
        };
      }
      const index = Atomics.load(progress, 1);
      const path = options.path ?? String(index);
      let counterexample: string;
      try {
        counterexample = inputAt(target, options.seed, path);
      } catch (err) {
        counterexample = `(could not regenerate: ${(err as Error).message})`;
      }
      const counts = emptyCounts();
      counts[kind] = 1;
      return {
        target: target.name,
        calls: target.calls,
        runs: index + 1,
        seed: options.seed,
        durationMs: Date.now() - started,
        maxCallMs: kind === 'hang' ? options.hangMs : 0,
        counts,
        keys: { [`${kind} ${key}`]: 1 },
        failure: { kind, key, detail: `${detail} (run ${index}; the ${index} inputs before it finished but are not classified from outside the worker)`, counterexample, seed: options.seed, path, shrinks: 0 },
      };
    };
    const finish = (report: TargetReport) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      void worker.terminate();
      resolve(report);
    };
    const watchdog = setInterval(() => {
      const calls = Atomics.load(progress, 0);
      // Loading the targets' code (services, gRPC, pg) comes before the first tick and may be slow on a busy machine.
      const limit = calls === 0 ? Math.max(options.hangMs, STARTUP_MS) : options.hangMs;
      if (calls !== seen) {
        seen = calls;
        since = Date.now();
      } else if (Date.now() - since > limit) {
        finish(broken('hang', 'stuck', calls === 0 ? `the worker did not start within ${limit} ms` : `no call finished within ${limit} ms: the worker was stopped`));
      }
    }, 250);
    worker.on('message', (m: WorkerMessage) => {
      if ('report' in m) finish(m.report);
      else finish(broken('crash', 'worker error', m.error));
    });
    worker.on('error', (err) => finish(broken('crash', (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : 'worker died', `${err.name}: ${err.message}`)));
    worker.on('exit', (code) => finish(broken('crash', 'worker exited', `the worker exited with code ${code} before reporting`)));
  });
}
