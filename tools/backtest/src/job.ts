// One backtest as data: the configuration (JSON, as written), the resolved data specs and the
// strategy spec. The same job is what the CLI runs, what a study's trials run with other
// parameters, what the server queues and stores; it crosses worker threads as plain JSON.
import { createHash } from 'node:crypto';
import { runBacktest } from '@meridian/backtest';
import type { BacktestResult } from '@meridian/backtest';
import { Database } from '@meridian/store';
import { parseConfig, readConfig } from './config-file';
import { describeSpec, openSource, resolveData } from './data';
import type { DataSpec, ResolveOptions, TimeWindow } from './data';
import { InvalidRequestError } from './errors';
import { integer, isObject, object, string } from './json-fields';
import type { Json } from './json-fields';
import { counted, totalEvents } from './progress';
import { buildStrategy, resolveStrategy, withParams } from './strategy-spec';
import type { StrategySpec } from './strategy-spec';

export interface Job {
  /** The configuration as JSON (decimals as strings): read again by whoever runs the job. */
  readonly config: Json;
  readonly data: readonly DataSpec[];
  readonly strategy: StrategySpec;
  /** A label for reports and listings. */
  readonly title?: string;
}

/** Where a job's PostgreSQL sources live. */
export interface DatabaseSettings {
  readonly url: string;
  readonly schema: string;
}

/** The fields of a request for a backtest (the API's POST body; the CLI builds the same). */
export const REQUEST_KEYS = ['config', 'data', 'strategy', 'seed', 'title'] as const;

/**
 * Checks a request and resolves it into a job: the configuration through the engine's
 * validation, each data spec opened enough to know it is readable, the strategy built once.
 * Throws InvalidRequestError naming the field.
 */
export async function resolveJob(body: unknown, opts: Omit<ResolveOptions, 'symbols'>, keys: readonly string[] = REQUEST_KEYS): Promise<Job> {
  if (!isObject(body)) throw new InvalidRequestError('body', 'must be a JSON object');
  const o = object('', body, keys);
  if (o.config === undefined) throw new InvalidRequestError('config', 'is required');
  if (!isObject(o.config)) throw new InvalidRequestError('config', 'must be an object');
  const seed = o.seed === undefined ? undefined : integer('seed', o.seed);
  const config: Json = seed === undefined ? o.config : { ...o.config, seed };
  const parsed = readConfig(config);
  const symbols = parsed.instruments.map((i) => i.symbol);
  if (o.data === undefined) throw new InvalidRequestError('data', 'is required: files, a postgres series or inline events');
  const data = await resolveData(o.data, { ...opts, symbols });
  let strategy = resolveStrategy(o.strategy, opts.baseDir);
  strategy = withDataInterval(strategy, data);
  const title = o.title === undefined ? undefined : string('title', o.title);
  return { config, data, strategy, ...(title !== undefined ? { title } : {}) };
}

/** The data's bar interval when the strategy names none and the data has exactly one. */
function withDataInterval(strategy: StrategySpec, data: readonly DataSpec[]): StrategySpec {
  if (strategy.params.interval !== undefined || strategy.params.barsFromTrades === true) return strategy;
  const intervals = new Set<string>();
  for (const d of data) {
    if (d.kind === 'csv' && d.type === 'bars' && d.interval) intervals.add(d.interval);
    else if (d.kind === 'postgres' && d.type === 'bars' && d.interval) intervals.add(d.interval);
    else if (d.kind === 'synthetic') intervals.add(d.interval ?? '1m');
  }
  return intervals.size === 1 ? { ...strategy, params: { ...strategy.params, interval: [...intervals][0]! } } : strategy;
}

/** A job's database, when one of its sources is a PostgreSQL series. */
export function needsDatabase(job: Job): boolean {
  return job.data.some((d) => d.kind === 'postgres');
}

export interface ExecuteOptions {
  /** Only the events in this part of time (a walk-forward window). */
  readonly window?: TimeWindow;
  /** Strategy parameters replacing the job's (a trial). */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly db?: Database;
  /** Told the events read so far (at most 512 ahead of the engine) and the total when known. */
  readonly onProgress?: (events: number, total: number | undefined) => void;
  /** Whether to count the events first so progress has a total (one extra read of each file). */
  readonly countFirst?: boolean;
}

/** Runs a job to its end: the engine's result, deterministic for the same job and parameters. */
export async function executeJob(job: Job, options: ExecuteOptions = {}): Promise<BacktestResult> {
  const config = parseConfig(job.config);
  const strategy = buildStrategy(options.params === undefined ? job.strategy : withParams(job.strategy, options.params));
  const total = options.onProgress && options.countFirst !== false ? await totalEvents(job.data, options.window) : undefined;
  let events = 0;
  const onProgress = options.onProgress;
  const sources = job.data.map((spec) => {
    const s = openSource(spec, options.window ?? {}, options.db);
    return onProgress === undefined
      ? s
      : counted(s, (n) => {
          events += n;
          onProgress(events, total);
        });
  });
  onProgress?.(0, total);
  return runBacktest({ config, sources, strategies: [strategy] });
}

/** Opens the database the job's PostgreSQL sources need (and none otherwise). */
export async function openJobDatabase(job: Job, settings: DatabaseSettings | undefined): Promise<Database | undefined> {
  if (!needsDatabase(job)) return undefined;
  if (settings === undefined) throw new InvalidRequestError('data', 'a postgres source needs DATABASE_URL');
  return Database.open({ url: settings.url, schema: settings.schema, maxConnections: 2 });
}

/** A title for a job: its own, or its data and strategy. */
export function jobTitle(job: Job): string {
  return job.title ?? `${job.strategy.kind} on ${job.data.map(describeSpec).join(', ')}`;
}

/** JSON with object keys sorted, for hashing. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * A short hash of what makes trials comparable (configuration, data, strategy and its fixed
 * parameters, the scored metric): part of a study's objective id, so resuming a study with
 * another configuration or data is refused (StudyMismatchError on `objective`) instead of mixing
 * trials of different backtests.
 */
export function jobFingerprint(job: Job, extra: Json = {}): string {
  const identity = { config: job.config, data: job.data, strategy: job.strategy };
  return createHash('sha256').update(canonical({ ...identity, ...extra })).digest('hex').slice(0, 16);
}
