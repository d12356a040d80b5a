import { hostname } from 'node:os';
import { MOMENTUM_MODEL, parseBarInterval } from '@meridian/signals';
import { ConfigError, field } from '@meridian/runtime';
import type { BaseSchema, ConfigOf, Field } from '@meridian/runtime';

export const schema = {
  MARKET_VENUE: field.string('Market-data venue whose bars feed the models', 'sim'),
  BAR_INTERVAL: {
    doc: 'Interval of the time bars (published by ingestion) the models read: 100ms, 1s, 1m…',
    default: '1s',
    parse: (raw: string) => {
      const interval = parseBarInterval(raw);
      if (interval.kind !== 'time') throw new Error(`${raw} is a volume bar; the models read time bars`);
      return interval.token;
    },
  } satisfies Field<string>,
  MOMENTUM_FAST: field.int('Fast EMA period, bars', 8, { min: 1 }),
  MOMENTUM_SLOW: field.int('Slow EMA period, bars', 32, { min: 2 }),
  MOMENTUM_VOL: field.int('Volatility window, bars', 32, { min: 2 }),
  MODEL_DIR: field.string('Directory of the model registry files, <name>/<version>.onnx; empty: no neural models (momentum only, no database)', ''),
  DATABASE_URL: field.url('PostgreSQL connection URL of the model registry (read only when MODEL_DIR is set)', 'postgres://postgres@127.0.0.1:5432/postgres', ['postgres', 'postgresql']),
  DATABASE_SCHEMA: field.string('Schema holding the platform tables (created and migrated on start when MODEL_DIR is set)', 'meridian'),
  MODEL_BAR_HISTORY: field.int('Bars kept per symbol (and read back from the MARKET stream at start) so a model, or a new version after a swap, starts warm', 512, { min: 1, max: 100_000 }),
  MODEL_RECONCILE_INTERVAL_MS: field.int('How often a replica compares what it serves with the registry and loads what changed, ms, besides ctl.config.inference (0: only on changes and at start)', 30_000, { min: 0, max: 3_600_000 }),
  ORT_INTRA_OP_THREADS: field.int('onnxruntime intra-op threads per session: the cores pinned to the pod, 1 for the small models (no thread hand-offs)', 1, { min: 1, max: 64 }),
  PREDICT_BATCH_MAX: field.int('Most forecasts (Predict calls, windows and live bars together) run as one onnxruntime batch', 64, { min: 1, max: 4096 }),
  PREDICT_BATCH_MAX_WAIT_US: field.int('Longest a forecast waits for others to join its batch, µs (0: only those queued in the same event-loop turn or during the previous run)', 0, { min: 0, max: 1_000_000 }),
  PREDICT_MAX_WINDOWS: field.int('Most explicit windows one Predict call may carry', 1024, { min: 1, max: 65_536 }),
  PREDICT_DEFAULT_MODEL: field.string('Model answering a Predict that names none', MOMENTUM_MODEL),
  REPLICA_ID: field.string('This replica in the registry audit; empty: <host name>-<pid>', ''),
};
export type Config = ConfigOf<typeof schema & BaseSchema>;

/** The checks between keys that one key's parser cannot make. */
export function checkConfig(config: Config): void {
  const problems: string[] = [];
  if (config.MOMENTUM_FAST >= config.MOMENTUM_SLOW) problems.push(`MOMENTUM_FAST: ${config.MOMENTUM_FAST} must be smaller than MOMENTUM_SLOW (${config.MOMENTUM_SLOW})`);
  if (config.MODEL_DIR === '' && config.PREDICT_DEFAULT_MODEL !== MOMENTUM_MODEL) {
    problems.push(`PREDICT_DEFAULT_MODEL: ${JSON.stringify(config.PREDICT_DEFAULT_MODEL)} needs the model registry (MODEL_DIR), without it only ${MOMENTUM_MODEL} is served`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

export function replicaId(config: Config): string {
  return config.REPLICA_ID !== '' ? config.REPLICA_ID : `${hostname()}-${process.pid}`;
}
