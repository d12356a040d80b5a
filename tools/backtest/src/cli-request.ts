// The command line's description of a backtest (config file, --data, --pg-*, --strategy,
// --param, --seed) turned into the same request body the API takes, then into a job.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CONFIG_KEYS } from './config-file';
import { InvalidRequestError } from './errors';
import { resolveJob } from './job';
import type { DatabaseSettings, Job } from './job';
import { isObject } from './json-fields';
import type { Json } from './json-fields';
import { parseParamArgs } from './strategy-spec';

/** Options every command that runs backtests takes (parseArgs form). */
export const JOB_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string', multiple: true },
  'pg-symbols': { type: 'string' },
  'pg-venue': { type: 'string' },
  'pg-interval': { type: 'string' },
  'pg-kind': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  strategy: { type: 'string' },
  param: { type: 'string', multiple: true },
  model: { type: 'string' },
  seed: { type: 'string' },
  title: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const JOB_HELP = `  --config <file.json>       the engine's configuration (instruments, venue, risk, latency…); it may also
                             hold "data" and "strategy" sections, which the options below replace
  --data <file…>             CSV (bars, trades, quotes, book levels: the layout is read from the header),
                             JSON lines (.jsonl) or LOBSTER message files (their orderbook file beside);
                             SYMBOL=file when the run has several instruments and the file no symbol column
  --pg-symbols <A,B>         bars (or --pg-kind trades) from the recorder's PostgreSQL tables instead
  --pg-venue <venue>         (default sim)   --pg-interval <1m> (default 1m)   --pg-kind bars|trades
  --from <time> --to <time>  ISO 8601 or ms since the epoch: the PostgreSQL range
  --strategy momentum|model  (default momentum)
  --param name=value         a strategy parameter (repeat): fastPeriod, slowPeriod, volPeriod, interval,
                             entryThreshold, positionNotional, maxOrderNotional, orderLot, intentIntervalMs…
  --model <file.json>        the linear score model of the model strategy
  --seed <n>                 replaces the config's seed
  --title <text>             the report's title
`;

export type JobValues = {
  config?: string;
  data?: string[];
  'pg-symbols'?: string;
  'pg-venue'?: string;
  'pg-interval'?: string;
  'pg-kind'?: string;
  from?: string;
  to?: string;
  strategy?: string;
  param?: string[];
  model?: string;
  seed?: string;
  title?: string;
};

/** The database of the environment (DATABASE_URL, DATABASE_SCHEMA), as the services read it. */
export function databaseSettings(env: NodeJS.ProcessEnv = process.env): DatabaseSettings {
  return { url: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', schema: env.DATABASE_SCHEMA || 'meridian' };
}

/** Reads the config file: its engine keys, and the optional data, strategy and title sections. */
export function readConfigFile(path: string): { config: Json; data?: unknown; strategy?: unknown; title?: string } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidRequestError('--config', `cannot read ${JSON.stringify(path)}: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(json)) throw new InvalidRequestError('--config', `${path} must hold a JSON object`);
  const { data, strategy, title, ...config } = json;
  for (const k of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) throw new InvalidRequestError(`config.${k}`, `is not a known key (expected one of ${[...CONFIG_KEYS, 'data', 'strategy', 'title'].join(', ')})`);
  }
  return { config, ...(data !== undefined ? { data } : {}), ...(strategy !== undefined ? { strategy } : {}), ...(typeof title === 'string' ? { title } : {}) };
}

const absolute = (p: string, cwd: string) => (isAbsolute(p) ? p : resolve(cwd, p));

/** The request body the options describe (paths of the command line made absolute from `cwd`). */
export function requestFromArgs(v: JobValues, positionals: readonly string[], cwd = process.cwd()): { body: Json; baseDir: string } {
  if (v.config === undefined) throw new InvalidRequestError('--config', 'is required');
  const configPath = absolute(v.config, cwd);
  const file = readConfigFile(configPath);
  const files = [...(v.data ?? []), ...positionals];
  let data: unknown = file.data;
  if (files.length > 0 && v['pg-symbols'] !== undefined) throw new InvalidRequestError('--data', 'give files or --pg-symbols, not both');
  if (files.length > 0) {
    data = files.map((f) => {
      const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(f);
      return m ? `${m[1]}=${absolute(m[2]!, cwd)}` : absolute(f, cwd);
    });
  } else if (v['pg-symbols'] !== undefined) {
    const symbols = v['pg-symbols'].split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (symbols.length === 0) throw new InvalidRequestError('--pg-symbols', 'names no symbol');
    data = symbols.map((symbol) => ({
      kind: 'postgres',
      type: v['pg-kind'] ?? 'bars',
      venue: v['pg-venue'] ?? 'sim',
      symbol,
      ...(v['pg-kind'] === 'trades' ? {} : { interval: v['pg-interval'] ?? '1m' }),
      ...(v.from !== undefined ? { from: v.from } : {}),
      ...(v.to !== undefined ? { to: v.to } : {}),
    }));
  } else if (v.from !== undefined || v.to !== undefined) {
    throw new InvalidRequestError('--from', 'applies to --pg-symbols only');
  }
  if (data === undefined) throw new InvalidRequestError('--data', 'is required: data files, --pg-symbols, or a "data" section in the config file');
  const fileStrategy = isObject(file.strategy) ? file.strategy : {};
  const kind = (v.strategy ?? fileStrategy.kind ?? 'momentum') as string;
  const sameKind = (fileStrategy.kind ?? 'momentum') === kind;
  const params = { ...(sameKind && isObject(fileStrategy.params) ? fileStrategy.params : {}) };
  if (v.param !== undefined) {
    if (kind !== 'momentum' && kind !== 'model') throw new InvalidRequestError('--strategy', `must be momentum or model, got ${JSON.stringify(kind)}`);
    Object.assign(params, parseParamArgs(kind, v.param));
  }
  const model = v.model !== undefined ? absolute(v.model, cwd) : sameKind ? fileStrategy.model : undefined;
  const strategy = { kind, params, ...(model !== undefined ? { model } : {}) };
  let seed: number | undefined;
  if (v.seed !== undefined) {
    if (!/^-?\d+$/.test(v.seed)) throw new InvalidRequestError('--seed', `must be a whole number, got ${JSON.stringify(v.seed)}`);
    seed = Number(v.seed);
  }
  const title = v.title ?? file.title;
  return {
    body: { config: file.config, data, strategy, ...(seed !== undefined ? { seed } : {}), ...(title !== undefined ? { title } : {}) },
    baseDir: dirname(configPath),
  };
}

/** The job the command line describes, checked (InvalidRequestError names the option or key). */
export async function jobFromArgs(v: JobValues, positionals: readonly string[]): Promise<Job> {
  const { body, baseDir } = requestFromArgs(v, positionals);
  return resolveJob(body, { baseDir });
}
