-- The inference service's model registry. A version's file lives in MODEL_DIR as
-- <name>/<version>.onnx; this is what was checked about it when it was registered (its sha256,
-- what its ONNX metadata says), which version of each name is active, and an audit of every
-- registration, activation and load by every replica, refused ones included. Written only by the
-- inference service (RegisterModel, ActivateModel, and each replica's loads).

CREATE TABLE model_versions (
  -- A NATS subject token (the model publishes on sig.<name>.<symbol>).
  name               text NOT NULL CHECK (name ~ '^[A-Za-z0-9_-]{1,64}$'),
  version            text NOT NULL CHECK (version ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$'),
  sha256             text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes         bigint NOT NULL CHECK (size_bytes > 0),
  -- lstm, nbeats, tft (meridian.model.kind).
  architecture       text NOT NULL,
  feature_spec_hash  text NOT NULL,
  -- The canonical FeatureSpec (normalisation statistics included) and the target's window scaling.
  feature_spec       jsonb NOT NULL,
  target_scaling     jsonb NOT NULL,
  -- The model's config as libs/models validated it.
  config             jsonb NOT NULL,
  -- [{name, dims: ["batch", 48, 13]}] of the graph.
  inputs             jsonb NOT NULL,
  outputs            jsonb NOT NULL,
  lookback           integer NOT NULL CHECK (lookback > 0),
  horizon            integer NOT NULL CHECK (horizon > 0),
  -- Quantile levels of the output, increasing; empty for a point forecast.
  quantiles          double precision[] NOT NULL,
  registered_by      text NOT NULL,
  registered_at      timestamptz NOT NULL DEFAULT now(),
  -- The last activation of this version.
  activated_by       text,
  activated_at       timestamptz,
  PRIMARY KEY (name, version)
);

-- The version each replica serves under a name. `revision` counts the activations of the name.
CREATE TABLE model_active (
  name          text PRIMARY KEY,
  version       text NOT NULL,
  revision      bigint NOT NULL CHECK (revision > 0),
  activated_by  text NOT NULL,
  activated_at  timestamptz NOT NULL,
  reason        text NOT NULL DEFAULT '',
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
);

CREATE TABLE model_audit (
  id                bigserial PRIMARY KEY,
  event             text NOT NULL CHECK (event IN ('registered', 'register_refused', 'activated', 'activate_refused', 'loaded', 'load_refused')),
  name              text NOT NULL,
  version           text NOT NULL,
  -- activated / loaded: the version served before.
  previous_version  text,
  -- The admin principal (registered, activated and their refusals), or the replica's own loads: 'replica'.
  actor             text NOT NULL,
  -- token, client-certificate or none (admin operations); empty for loads.
  via               text NOT NULL DEFAULT '',
  -- The replica that did it (its host name and process id).
  replica           text NOT NULL,
  -- The typed error's code for a refusal (MODEL_SHA_MISMATCH, ONNX_CORRUPT_MODEL, …).
  error_code        text,
  detail            text NOT NULL DEFAULT '',
  ts                timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX model_audit_name_ts ON model_audit (name, ts);
