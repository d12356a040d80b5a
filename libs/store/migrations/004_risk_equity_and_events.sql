-- Risk's post-trade history, written by the recorder from the RISK stream: every point of the
-- equity curve (risk.equity.<account>) and every event (risk.event.<kind>: circuit breaker trips
-- and resets, stops armed, triggered and cleared). Insert-only and keyed so that a redelivered or
-- republished message writes nothing. Money columns are numeric (exact); Value at Risk is an
-- estimate and stays in the jsonb it came in.

CREATE TABLE risk_equity_snapshots (
  account                  text NOT NULL,
  -- The point's time, nanoseconds since the epoch (risk publishes one per account and time).
  ts_ns                    bigint NOT NULL,
  ts                       timestamptz NOT NULL,
  equity                   numeric NOT NULL,
  realized_pnl             numeric NOT NULL,
  unrealized_pnl           numeric NOT NULL,
  fees                     numeric NOT NULL,
  gross_exposure           numeric NOT NULL,
  net_exposure             numeric NOT NULL,
  -- Drawdown of the published curve.
  peak_equity              numeric NOT NULL,
  drawdown                 numeric NOT NULL CHECK (drawdown >= 0),
  drawdown_fraction        numeric NOT NULL,
  max_drawdown             numeric NOT NULL CHECK (max_drawdown >= 0),
  max_drawdown_duration_ms bigint NOT NULL,
  -- What the loss limits read.
  limit_peak_equity        numeric NOT NULL,
  daily_pnl                numeric NOT NULL,
  mark_source              text NOT NULL,
  -- [{strategy, equity, realizedPnl, unrealizedPnl, fees, grossExposure, netExposure}], decimals as strings.
  strategies               jsonb NOT NULL,
  -- [{method, confidence, horizon, barInterval, valueAtRisk, expectedShortfall, observations}].
  value_at_risk            jsonb NOT NULL,
  -- RISK stream sequence of the point.
  stream_seq               bigint NOT NULL,
  recorded_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account, ts_ns)
);

CREATE TABLE risk_events (
  -- breaker-<account>-<revision>, stop-<symbol>-<revision>-<armed|triggered|cleared>: also the Nats-Msg-Id.
  event_id     text PRIMARY KEY,
  -- breaker or stop (the subject's kind), and what happened.
  kind         text NOT NULL,
  type         text NOT NULL,
  account      text NOT NULL,
  symbol       text NOT NULL,
  cause        text NOT NULL,
  detail       text NOT NULL,
  actor        text NOT NULL,
  -- The numbers by name, as strings.
  "values"     jsonb NOT NULL,
  ts           timestamptz NOT NULL,
  stream_seq   bigint NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX risk_events_ts ON risk_events (ts);
CREATE INDEX risk_equity_snapshots_ts ON risk_equity_snapshots (ts);
