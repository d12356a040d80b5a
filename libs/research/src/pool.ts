import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InvalidOptionError, ObjectiveLoadError, PoolClosedError, ResearchError } from './errors';
import type { Evaluator } from './evaluator';
import type { EvalOutcome } from './outcome';
import type { FromWorker, ToWorker } from './protocol';
import type { Params } from './space';
import type { TrialContext } from './trial';

/** An objective a worker can load: a JavaScript module and the name of its exported function. */
export interface ObjectiveRef {
  /** A file path (relative to the working directory) or a package specifier. */
  module: string;
  /** Default `objective`. */
  export?: string;
}

export interface WorkerPoolOptions {
  objective: ObjectiveRef;
  /** Worker threads; default os.availableParallelism() - 1, at least 1 (the main thread samples and stores). */
  workers?: number;
  /** A trial running longer is failed and its worker replaced. Default: no limit. */
  trialTimeoutMs?: number;
}

export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The objective's module as an absolute file, resolved from the working directory. */
export function resolveObjectiveModule(ref: ObjectiveRef): string {
  const name = ref.export ?? 'objective';
  if (typeof ref.module !== 'string' || ref.module === '') throw new InvalidOptionError('objective.module', ref.module, 'must be a module path');
  const spec = ref.module.startsWith('.') || isAbsolute(ref.module) ? resolve(process.cwd(), ref.module) : ref.module;
  try {
    return require.resolve(spec, { paths: [process.cwd()] });
  } catch (err) {
    throw new ObjectiveLoadError(ref.module, name, 'module not found', err);
  }
}

function workerScript(): string {
  // Compiled: dist/worker.js beside this file. Under jest this file runs from src/, the worker
  // still has to be JavaScript, so it is taken from dist (tests depend on the build).
  for (const candidate of [join(__dirname, 'worker.js'), join(__dirname, '..', 'dist', 'worker.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new ResearchError('RESEARCH_NOT_BUILT', `worker.js not found beside ${__dirname} or in ../dist: build @meridian/research first (npm run build -w libs/research)`);
}

interface Task {
  id: number;
  params: Params;
  ctx: TrialContext;
  resolve: (outcome: EvalOutcome) => void;
  reject: (err: Error) => void;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  task?: Task;
  /** Set once the worker has been told to stop, so its exit is not taken as a crash. */
  retiring: boolean;
}

/**
 * A fixed set of worker threads, each with the objective loaded once, running one trial at a
 * time. A trial that throws, returns a bad shape, times out or takes its thread down comes back
 * as a failed outcome; a crashed thread is replaced. Only an objective that cannot be loaded at
 * all fails the pool (at start, as ObjectiveLoadError).
 */
export class WorkerPool implements Evaluator {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;
  private broken: Error | undefined;

  private constructor(
    private readonly modulePath: string,
    private readonly exportName: string,
    readonly concurrency: number,
    private readonly trialTimeoutMs: number | undefined,
  ) {}

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const workers = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 1) throw new InvalidOptionError('workers', workers, 'must be a positive integer');
    if (options.trialTimeoutMs !== undefined && !(Number.isFinite(options.trialTimeoutMs) && options.trialTimeoutMs > 0)) {
      throw new InvalidOptionError('trialTimeoutMs', options.trialTimeoutMs, 'must be a positive number of milliseconds');
    }
    const exportName = options.objective.export ?? 'objective';
    const pool = new WorkerPool(resolveObjectiveModule(options.objective), exportName, workers, options.trialTimeoutMs);
    try {
      await Promise.all(Array.from({ length: workers }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  evaluate(params: Params, ctx: TrialContext): Promise<EvalOutcome> {
    if (this.closed) return Promise.reject(new PoolClosedError('worker pool is closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<EvalOutcome>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, params, ctx, resolve, reject, startedAt: 0 });
      this.dispatch();
    });
  }

  /** Stops every thread; evaluations still queued or running are rejected with PoolClosedError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new PoolClosedError('worker pool closed while the trial was queued or running');
    for (const task of this.queue.splice(0)) task.reject(err);
    await Promise.all(
      this.slots.map(async (slot) => {
        slot.retiring = true;
        if (slot.task) this.settle(slot, () => slot.task!.reject(err));
        await slot.worker.terminate();
      }),
    );
    this.slots.length = 0;
  }

  private spawn(): Promise<Slot> {
    return new Promise<Slot>((resolveSlot, rejectSlot) => {
      const worker = new Worker(workerScript(), { workerData: { modulePath: this.modulePath, exportName: this.exportName } });
      const slot: Slot = { worker, retiring: false };
      let ready = false;
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          ready = true;
          if (this.closed) {
            slot.retiring = true;
            void worker.terminate();
            rejectSlot(new PoolClosedError('worker pool closed while a worker started'));
            return;
          }
          this.slots.push(slot);
          resolveSlot(slot);
          this.dispatch();
        } else if (msg.type === 'load-error') {
          slot.retiring = true;
          void worker.terminate();
          rejectSlot(new ObjectiveLoadError(this.modulePath, this.exportName, msg.error));
        } else if (slot.task && slot.task.id === msg.id) {
          const task = slot.task;
          this.settle(slot, () => task.resolve(msg.ok ? { ok: true, result: msg.result, durationMs: msg.durationMs } : { ok: false, error: msg.error, durationMs: msg.durationMs }));
          this.dispatch();
        }
      });
      worker.on('error', (err) => {
        if (!ready) rejectSlot(new ObjectiveLoadError(this.modulePath, this.exportName, `worker failed while loading: ${err.message}`, err));
        else this.crashed(slot, `worker thread died: ${err.name}: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (!ready) rejectSlot(new ObjectiveLoadError(this.modulePath, this.exportName, `worker exited with code ${code} while loading`));
        else this.crashed(slot, `worker thread exited with code ${code}`);
      });
    });
  }

  private settle(slot: Slot, finish: () => void): void {
    const task = slot.task;
    if (!task) return;
    if (task.timer) clearTimeout(task.timer);
    slot.task = undefined;
    finish();
  }

  /** The slot's thread is gone: fail its trial, drop it and start a replacement. */
  private crashed(slot: Slot, reason: string): void {
    if (slot.retiring) return;
    slot.retiring = true;
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const task = slot.task;
    if (task) this.settle(slot, () => task.resolve({ ok: false, error: reason, durationMs: performance.now() - task.startedAt }));
    if (this.closed) return;
    this.spawn().catch((err: Error) => {
      // The module loaded before but not now (deleted, changed): nothing queued can run.
      this.broken = err;
      for (const t of this.queue.splice(0)) t.reject(err);
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.task || slot.retiring) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      task.startedAt = performance.now();
      if (this.trialTimeoutMs !== undefined) {
        const limit = this.trialTimeoutMs;
        task.timer = setTimeout(() => {
          if (slot.task !== task) return;
          this.crashed(slot, `trial exceeded trialTimeoutMs ${limit} and its worker was stopped`);
          void slot.worker.terminate();
        }, limit);
      }
      const msg: ToWorker = { id: task.id, params: task.params, ctx: task.ctx };
      try {
        slot.worker.postMessage(msg);
      } catch (err) {
        // ctx.data that cannot be cloned: this trial's fault, not the worker's.
        this.settle(slot, () => task.resolve({ ok: false, error: `trial input cannot be sent to a worker: ${(err as Error).message}`, durationMs: 0 }));
      }
    }
  }
}
