// Entry of a pool worker thread: loads the objective once, then runs one trial per message.
// Everything the objective throws, or returns in a bad shape, goes back as a failure message;
// only a crash of the thread itself (process.exit, an uncaught error from a stray callback)
// ends it, and the pool records that as the running trial's failure.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { checkResult, describeError } from './outcome';
import type { ToWorker, FromWorker } from './protocol';

const port = parentPort;
if (!port) throw new Error('worker.js must be started as a worker thread by WorkerPool');
const { modulePath, exportName } = workerData as { modulePath: string; exportName: string };

type Objective = (params: unknown, ctx: unknown) => unknown;

async function load(): Promise<Objective> {
  const ns = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  // A CommonJS module's exports arrive both as named exports and under `default`.
  const candidate = ns[exportName] ?? (ns.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof candidate !== 'function') {
    throw new TypeError(`export ${JSON.stringify(exportName)} is ${candidate === undefined ? 'missing' : `a ${typeof candidate}, not a function`}`);
  }
  return candidate as Objective;
}

function send(msg: FromWorker): void {
  port!.postMessage(msg);
}

load().then(
  (objective) => {
    port.on('message', (msg: ToWorker) => {
      const t0 = performance.now();
      Promise.resolve()
        .then(() => objective(msg.params, msg.ctx))
        .then(
          (raw) => {
            const result = checkResult(raw);
            const durationMs = performance.now() - t0;
            try {
              send({ type: 'result', id: msg.id, ok: true, result, durationMs });
            } catch (err) {
              // A result that cannot be cloned (a function inside, a class with private state).
              send({ type: 'result', id: msg.id, ok: false, error: `result cannot be sent from the worker: ${describeError(err)}`, durationMs });
            }
          },
          (err: unknown) => send({ type: 'result', id: msg.id, ok: false, error: describeError(err), durationMs: performance.now() - t0 }),
        )
        .catch((err: unknown) => send({ type: 'result', id: msg.id, ok: false, error: describeError(err), durationMs: performance.now() - t0 }));
    });
    send({ type: 'ready' });
  },
  (err: unknown) => send({ type: 'load-error', error: describeError(err) }),
);
