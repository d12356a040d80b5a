import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BacktestToolError, RunCancelledError } from '../errors';
import type { DatabaseSettings, Job } from '../job';
import type { FromRunWorker, RunSummary } from './protocol';

function workerScript(): string {
  // Compiled: dist/server/run-worker.js beside this file. Under jest this file runs from src/, and
  // a worker must be JavaScript: taken from dist (the tests need the package built).
  for (const candidate of [join(__dirname, 'run-worker.js'), join(__dirname, '..', '..', 'dist', 'server', 'run-worker.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new BacktestToolError('BACKTEST_NOT_BUILT', `run-worker.js not found beside ${__dirname}: build @meridian/backtest-cli first`);
}

/** A run's failure inside its worker, with the error's own name and message. */
export class RunFailedError extends BacktestToolError {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super('BACKTEST_RUN_FAILED', `${errorName}: ${message}`);
  }
}

export interface RunningJob {
  /** The engine's result as JSON text, and its headline. */
  readonly result: Promise<{ text: string; summary: RunSummary }>;
  /** Stops the thread; `result` rejects with RunCancelledError. */
  cancel(): Promise<void>;
}

/** Runs one job on a thread of its own. */
export function startJob(
  id: string,
  job: Job,
  opts: { db?: DatabaseSettings; params?: Record<string, unknown>; progressEveryMs?: number; onProgress?: (events: number, total: number | undefined) => void },
): RunningJob {
  const worker = new Worker(workerScript(), {
    workerData: { job, ...(opts.db ? { db: opts.db } : {}), ...(opts.params ? { params: opts.params } : {}), progressEveryMs: opts.progressEveryMs ?? 250 },
  });
  let cancelled = false;
  const result = new Promise<{ text: string; summary: RunSummary }>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
    };
    worker.on('message', (msg: FromRunWorker) => {
      if (msg.type === 'progress') opts.onProgress?.(msg.events, msg.total ?? undefined);
      else if (msg.type === 'done') settle(() => resolve({ text: msg.result, summary: msg.summary }));
      else settle(() => reject(new RunFailedError(msg.name, msg.message)));
    });
    worker.on('error', (err) => settle(() => reject(cancelled ? new RunCancelledError(id) : new RunFailedError(err.name, err.message))));
    worker.on('exit', (code) => settle(() => reject(cancelled ? new RunCancelledError(id) : new RunFailedError('WorkerExit', `the worker thread exited with code ${code} before the result`))));
  });
  return {
    result,
    cancel: async () => {
      cancelled = true;
      await worker.terminate();
    },
  };
}
