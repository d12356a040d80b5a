-- Runs of the backtest server (tools/backtest, `npm run backtest -- serve`): one row per backtest
-- or study a client started over HTTP or gRPC. A server claims a queued run (FOR UPDATE SKIP
-- LOCKED, so several servers share one queue), keeps `heartbeat_at` fresh while it runs it, and
-- writes the result once; a run whose server stopped beating is claimed again (backtests are
-- deterministic, a study resumes from its stored trials) until `attempts` runs out.

CREATE TABLE backtest_runs (
  id            text PRIMARY KEY,
  kind          text NOT NULL CHECK (kind IN ('backtest', 'study')),
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  title         text NOT NULL,
  -- The request as checked and resolved: configuration, data specs, strategy (and a study's search).
  request       jsonb NOT NULL,
  -- {events, eventsTotal, fraction, elapsedMs} (a study: {trials, trialsTotal, fraction, best}).
  progress      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The headline figures once done (the result's metrics; a study's best trial).
  summary       jsonb,
  -- The BacktestResult as the engine serialised it (a study: its best trial's backtest), kept as
  -- text so clients get the engine's exact bytes.
  result        text,
  error         text,
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- The server running it (or that last ran it), and when that server last said it still was.
  owner         text,
  heartbeat_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz,
  CHECK ((status = 'done') = (result IS NOT NULL)),
  CHECK ((status = 'failed') = (error IS NOT NULL)),
  CHECK (status <> 'running' OR owner IS NOT NULL)
);

CREATE INDEX backtest_runs_created ON backtest_runs (created_at DESC, id);
CREATE INDEX backtest_runs_pending ON backtest_runs (created_at, id) WHERE status IN ('queued', 'running');
