import { withDeadline } from '@meridian/runtime';
import type { Metrics } from '@meridian/runtime';
import type { PgRunStore, RunKind } from './run-store';

/** The server's own figures, beside the runtime's process metrics (prefix meridian_). */
export class ServerMetrics {
  readonly badRequests;
  readonly requests;
  readonly runsFinished;
  readonly running;
  readonly events;
  readonly runSeconds;

  constructor(metrics: Metrics, store: PgRunStore) {
    this.requests = metrics.counter({ name: 'backtest_api_requests_total', help: 'API requests by interface, operation and outcome (ok, bad_request, not_found, error)', labelNames: ['api', 'operation', 'outcome'] });
    this.badRequests = metrics.counter({
      name: 'backtest_api_bad_requests_total',
      help: 'Requests refused as malformed (HTTP 400, gRPC INVALID_ARGUMENT), by interface, operation and the top-level field at fault',
      labelNames: ['api', 'operation', 'field'],
    });
    this.runsFinished = metrics.counter({ name: 'backtest_runs_finished_total', help: 'Runs this server ended, by kind and outcome (done, failed, cancelled, released: handed back to the queue at shutdown)', labelNames: ['kind', 'outcome'] });
    this.running = metrics.gauge({ name: 'backtest_runs_running', help: 'Runs this server is running now, by kind', labelNames: ['kind'] });
    this.events = metrics.counter({ name: 'backtest_events_total', help: 'Market events the backtests of this server processed' });
    this.runSeconds = metrics.histogram({ name: 'backtest_run_seconds', help: 'Wall time of a finished run, by kind', labelNames: ['kind'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200] });
    metrics.gauge({
      name: 'backtest_runs_queued',
      help: 'Runs waiting in the shared queue (PostgreSQL), by kind, read at scrape time',
      labelNames: ['kind'],
      async collect() {
        // A scrape must not fail because the database is slow; the gauge keeps its last value then.
        const counts = await withDeadline(store.queued(), 1_000, () => undefined).catch(() => undefined);
        if (counts === undefined) return;
        for (const kind of Object.keys(counts) as RunKind[]) this.set({ kind }, counts[kind]);
      },
    });
  }

  /** The top-level part of a field path (`config.instruments[0].tickSize` → `config`): a bounded label. */
  static fieldLabel(field: string): string {
    const top = /^[A-Za-z-]+/.exec(field)?.[0];
    return top === undefined || top.length > 32 ? 'body' : top;
  }
}
