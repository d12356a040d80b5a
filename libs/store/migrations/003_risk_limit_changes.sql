-- The audit of risk limit changes: one row per change published on ctl.config.risk by risk's
-- UpdateLimits (who, when, why, the limits document and the one it replaced), written by the
-- recorder's `recorder-risk-limits` consumer. Insert-only.

CREATE TABLE risk_limit_changes (
  -- The change's revision (1, 2, …), also its Nats-Msg-Id (risk-limits-<revision>).
  revision          bigint PRIMARY KEY CHECK (revision > 0),
  previous_revision bigint NOT NULL CHECK (previous_revision >= 0),
  -- As given in the request: UpdateLimits does not authenticate the caller.
  actor             text NOT NULL,
  reason            text NOT NULL,
  -- The whole limits document {global, perStrategy, perSymbol}, decimals as strings.
  limits            jsonb NOT NULL,
  previous          jsonb NOT NULL,
  changed_at        timestamptz NOT NULL,
  -- CONTROL stream sequence of the change.
  stream_seq        bigint NOT NULL,
  recorded_at       timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX risk_limit_changes_changed_at ON risk_limit_changes (changed_at);
