// `meridian-backtest serve`: the HTTP JSON API and gRPC BacktestService on one process, with
// /healthz, /readyz and /metrics as every service has them (the runtime's Health, Metrics,
// buildHttp and GrpcServer; no NATS: the server needs only PostgreSQL).
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { buildHttp, createLogger, GrpcServer, Health, Metrics } from '@meridian/runtime';
import { Database, migrate } from '@meridian/store';
import { databaseSettings } from '../cli-request';
import { InvalidRequestError } from '../errors';
import { backtestGrpcService } from './grpc-api';
import { registerHttpApi } from './http-api';
import { PgRunStore } from './run-store';
import { RunService } from './runs';
import { ServerMetrics } from './server-metrics';

export const SERVE_OPTIONS = {
  port: { type: 'string' },
  'grpc-port': { type: 'string' },
  host: { type: 'string' },
  workers: { type: 'string' },
  'study-slots': { type: 'string' },
  'study-workers': { type: 'string' },
  'data-root': { type: 'string', multiple: true },
  'poll-ms': { type: 'string' },
  'lease-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SERVE_HELP = `serve: the backtest server: HTTP JSON API and gRPC BacktestService, runs in PostgreSQL
(DATABASE_URL, DATABASE_SCHEMA; migrated at start), backtests on worker threads
  meridian-backtest serve [--port 9410] [--grpc-port 50410] [--host 127.0.0.1] [--workers n]
                          [--data-root dir…]
  --port, --grpc-port        0 picks a free port (the "service started" log line says which)
  --host                     interface (default 127.0.0.1: the API has no authentication)
  --workers <n>              backtests at once, one thread each (default cores - 1)
  --study-slots <n>          studies at once (default 1); --study-workers <n> threads a study gets by default
  --data-root <dir>          files a request may name must be under one of these (repeat; default the
                             working directory); relative paths are taken from the first
  --poll-ms <ms>             how often to look for runs queued by other servers and renew leases (1000)
  --lease-ms <ms>            a run whose server has not beaten for this long is taken over (30000)
  LOG_LEVEL                  fatal…trace (default info); logs are JSON lines on stdout
`;

export type ServeValues = { port?: string; 'grpc-port'?: string; host?: string; workers?: string; 'study-slots'?: string; 'study-workers'?: string; 'data-root'?: string[]; 'poll-ms'?: string; 'lease-ms'?: string };

function int(field: string, v: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new InvalidRequestError(field, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

export interface Server {
  readonly httpPort: number;
  readonly grpcPort: number;
  close(): Promise<void>;
}

export async function startServer(v: ServeValues): Promise<Server> {
  const cores = availableParallelism();
  const httpPortWanted = int('--port', v.port, 9410, 0, 65535);
  const grpcPortWanted = int('--grpc-port', v['grpc-port'], 50410, 0, 65535);
  const host = v.host ?? '127.0.0.1';
  const backtestSlots = int('--workers', v.workers, Math.max(1, cores - 1), 1, 256);
  const studySlots = int('--study-slots', v['study-slots'], 1, 0, 64);
  const studyWorkers = int('--study-workers', v['study-workers'], Math.max(1, cores - 1), 1, 256);
  const pollMs = int('--poll-ms', v['poll-ms'], 1_000, 50, 60_000);
  const leaseMs = int('--lease-ms', v['lease-ms'], 30_000, 1_000, 3_600_000);
  const roots = (v['data-root'] ?? [process.cwd()]).map((r) => resolve(r));
  const level = process.env.LOG_LEVEL || 'info';
  const logger = createLogger('backtest-server', level);
  const settings = databaseSettings();

  const db = await Database.open({ url: settings.url, schema: settings.schema, maxConnections: 8 });
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const health = new Health();
  const accepting = health.flag('accepting_runs');
  const metrics = new Metrics('backtest-server', '0.1.0');
  const store = new PgRunStore(db, leaseMs);
  const serverMetrics = new ServerMetrics(metrics, store);
  const runs = new RunService(store, db, settings, serverMetrics, logger, { backtestSlots, studySlots, studyWorkers, pollMs, progressEveryMs: Math.min(1_000, pollMs) });
  const ctx = { roots, maxStudyWorkers: Math.max(studyWorkers, cores), db };

  const app = buildHttp({ service: 'backtest-server', health, metrics });
  registerHttpApi(app, runs, store, serverMetrics, ctx);
  const grpc = new GrpcServer([backtestGrpcService(runs, store, serverMetrics, ctx)]);
  let grpcPort: number;
  try {
    await app.listen({ host, port: httpPortWanted });
    grpcPort = await grpc.listen(host, grpcPortWanted);
  } catch (err) {
    await app.close();
    await db.close();
    throw err;
  }
  const httpPort = (app.server.address() as { port: number }).port;
  runs.start();
  accepting.set(true);
  grpc.setServing(true);
  logger.info({ httpPort, grpcPort, host, backtestSlots, studySlots, studyWorkers, roots, schema: settings.schema, owner: runs.owner }, 'service started');

  let closing: Promise<void> | undefined;
  return {
    httpPort,
    grpcPort,
    close: () =>
      (closing ??= (async () => {
        health.markShuttingDown();
        accepting.set(false);
        logger.info('shutting down: running runs go back to the queue');
        await runs.close();
        await grpc.close(5_000);
        await app.close();
        await db.close();
        logger.info('stopped');
      })()),
  };
}

/** Runs the server until SIGTERM or SIGINT. */
export async function serveCommand(v: ServeValues): Promise<number> {
  const server = await startServer(v);
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await server.close();
  return 0;
}
