// gRPC BacktestService (proto/meridian/v1/backtest.proto): the same requests and runs as the HTTP
// API, the documents as JSON strings.
import { BacktestServiceService } from '@meridian/proto';
import type { BacktestRun, BacktestServiceServer } from '@meridian/proto';
import { grpcError, Status } from '@meridian/runtime';
import type { GrpcService } from '@meridian/runtime';
import { InvalidRequestError, RunNotFoundError } from '../errors';
import { oneOf } from '../json-fields';
import { backtestRequest } from './requests';
import type { RequestContext } from './requests';
import { RUN_STATUSES } from './run-store';
import type { PgRunStore, RunInfo, RunKind, RunStatus } from './run-store';
import { titleOf } from './runs';
import type { RunService } from './runs';
import { ServerMetrics } from './server-metrics';

const nsOf = (d: Date | null): bigint => (d === null ? 0n : BigInt(d.getTime()) * 1_000_000n);

export function wireRun(r: RunInfo): BacktestRun {
  const p = r.progress;
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    title: r.title,
    progress: { events: BigInt(p.events ?? 0), eventsTotal: BigInt(p.eventsTotal ?? 0), fraction: p.fraction ?? 0, elapsedSeconds: (p.elapsedMs ?? 0) / 1000 },
    summaryJson: r.summary === null || r.summary === undefined ? '' : JSON.stringify(r.summary),
    error: r.error ?? '',
    createdTsNs: nsOf(r.createdAt),
    startedTsNs: nsOf(r.startedAt),
    finishedTsNs: nsOf(r.finishedAt),
  };
}

/** A JSON string field of the request, parsed; an empty one is `fallback`. */
function jsonField(field: string, text: string, fallback?: unknown): unknown {
  if (text.trim() === '') {
    if (fallback !== undefined) return fallback;
    throw new InvalidRequestError(field, 'is required');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidRequestError(field, `is not JSON: ${(err as Error).message}`, { cause: err });
  }
}

export function backtestGrpcService(runs: RunService, store: PgRunStore, metrics: ServerMetrics, ctx: RequestContext): GrpcService {
  const count = (operation: string, outcome: string) => metrics.requests.inc({ api: 'grpc', operation, outcome });
  const failed = (operation: string, err: unknown) => {
    if (err instanceof InvalidRequestError) {
      count(operation, 'bad_request');
      metrics.badRequests.inc({ api: 'grpc', operation, field: ServerMetrics.fieldLabel(err.field) });
      return grpcError(Status.INVALID_ARGUMENT, err.message);
    }
    if (err instanceof RunNotFoundError) {
      count(operation, 'not_found');
      return grpcError(Status.NOT_FOUND, err.message);
    }
    count(operation, 'error');
    return grpcError(Status.INTERNAL, err instanceof Error ? err.message : String(err));
  };

  const implementation: BacktestServiceServer = {
    startBacktest: (call, callback) => {
      const r = call.request;
      const run = async () => {
        const body = {
          config: jsonField('config_json', r.configJson),
          data: jsonField('data_json', r.dataJson),
          strategy: jsonField('strategy_json', r.strategyJson, { kind: 'momentum' }),
          ...(r.seed !== undefined ? { seed: Number(r.seed) } : {}),
          ...(r.title !== '' ? { title: r.title } : {}),
        };
        const request = await backtestRequest(body, ctx);
        return runs.submit('backtest', titleOf(request, 'backtest'), request);
      };
      run().then(
        (info) => {
          count('StartBacktest', 'ok');
          callback(null, { id: info.id, status: info.status });
        },
        (err: unknown) => callback(failed('StartBacktest', err)),
      );
    },
    getBacktest: (call, callback) => {
      const { id, includeResult } = call.request;
      const run = async () => {
        if (id === '') throw new InvalidRequestError('id', 'is required');
        const info = await store.get(id);
        const result = includeResult && info.status === 'done' ? ((await store.payload(id)).result ?? '') : '';
        return { run: wireRun(info), resultJson: result };
      };
      run().then(
        (res) => {
          count('GetBacktest', 'ok');
          callback(null, res);
        },
        (err: unknown) => callback(failed('GetBacktest', err)),
      );
    },
    listBacktests: (call, callback) => {
      const { limit, status, kind } = call.request;
      const run = async () => {
        if (limit > 1000) throw new InvalidRequestError('limit', `must be at most 1000, got ${limit}`);
        const s = status === '' ? undefined : oneOf<RunStatus>('status', status, RUN_STATUSES);
        const k = kind === '' ? undefined : oneOf<RunKind>('kind', kind, ['backtest', 'study']);
        return store.list({ limit: limit === 0 ? 50 : limit, ...(s ? { status: s } : {}), ...(k ? { kind: k } : {}) });
      };
      run().then(
        (list) => {
          count('ListBacktests', 'ok');
          callback(null, { runs: list.map(wireRun) });
        },
        (err: unknown) => callback(failed('ListBacktests', err)),
      );
    },
  };
  return { name: 'BacktestService', definition: BacktestServiceService, implementation };
}
