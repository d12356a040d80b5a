-- Parameter-optimisation studies of the research tools (libs/research): one row per study, one
-- per finished trial. A study is resumed by name: its definition must match the stored one
-- (the budget n_trials may grow), trials stored here are not run again, and TPE refits from
-- them. A trial is written once, when it finishes, so a run stopped mid-trial re-runs only the
-- trials that were in flight.

CREATE TABLE research_studies (
  name        text PRIMARY KEY,
  direction   text NOT NULL CHECK (direction IN ('maximize', 'minimize')),
  -- {param: {type, low, high, step?, gridPoints?} | {type: 'choice', values}}, as validated.
  space       jsonb NOT NULL,
  -- {kind: 'grid' | 'random' | 'tpe', ...options}.
  sampler     jsonb NOT NULL,
  -- module#export of the objective (or function:<name> for an in-process one).
  objective   text NOT NULL,
  seed        bigint NOT NULL CHECK (seed >= 0),
  -- The latest requested budget: a resumed study may be given a larger one.
  n_trials    integer NOT NULL CHECK (n_trials > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE research_trials (
  study        text NOT NULL REFERENCES research_studies (name) ON DELETE CASCADE,
  number       integer NOT NULL CHECK (number >= 0),
  state        text NOT NULL CHECK (state IN ('complete', 'failed')),
  params       jsonb NOT NULL,
  -- The objective's score (a ratio such as Sharpe, not money); null for a failed trial.
  score        double precision,
  -- {name: number} the objective reported beside the score.
  metrics      jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- "<ErrorName>: <message>" of a failed trial.
  error        text,
  started_at   timestamptz NOT NULL,
  duration_ms  double precision NOT NULL CHECK (duration_ms >= 0),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (study, number),
  CHECK ((state = 'complete') = (score IS NOT NULL)),
  CHECK ((state = 'failed') = (error IS NOT NULL))
);
