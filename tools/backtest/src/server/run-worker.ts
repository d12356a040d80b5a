// Entry of a backtest worker thread: runs one job and posts its progress and then its result (as
// the engine's JSON text) or its failure. One thread per run, so a cancel is a terminate and the
// server's event loop never runs the engine.
import { parentPort, workerData } from 'node:worker_threads';
import { executeJob, openJobDatabase } from '../job';
import type { DatabaseSettings, Job } from '../job';
import type { FromRunWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('run-worker.js must be started as a worker thread');
const input = workerData as { job: Job; db?: DatabaseSettings; params?: Record<string, unknown>; progressEveryMs: number };

function send(msg: FromRunWorker): void {
  port!.postMessage(msg);
}

async function main(): Promise<void> {
  const db = await openJobDatabase(input.job, input.db);
  let last = 0;
  try {
    const result = await executeJob(input.job, {
      ...(db ? { db } : {}),
      ...(input.params ? { params: input.params } : {}),
      onProgress: (events, total) => {
        const now = performance.now();
        if (now - last < input.progressEveryMs) return;
        last = now;
        send({ type: 'progress', events, total: total ?? null });
      },
    });
    send({ type: 'progress', events: result.counts.events, total: result.counts.events });
    send({ type: 'done', result: JSON.stringify(result), summary: { currency: result.currency, params: result.params, startNs: result.startNs, endNs: result.endNs, metrics: result.metrics, counts: result.counts } });
  } finally {
    await db?.close();
  }
}

main().catch((err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  send({ type: 'error', name: e.name, message: e.message, ...('field' in e && typeof e.field === 'string' ? { field: e.field } : {}) });
});
