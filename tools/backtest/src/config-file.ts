// A backtest configuration written as JSON (a file, an API body) turned into the engine's
// `BacktestConfig`: decimals from strings, the limits document through risk-rules' own reader,
// and then the engine's validation (`resolveConfig`). Each problem names its key, prefixed with
// where the configuration came from (`config`).
import { BacktestConfigError, resolveConfig } from '@meridian/backtest';
import type { BacktestConfig, LatencySpec } from '@meridian/backtest';
import type { Decimal } from '@meridian/domain';
import { InvalidLimitsError, parseLimitsDocument } from '@meridian/risk-rules';
import type { LimitsBook } from '@meridian/risk-rules';
import { InvalidRequestError } from './errors';
import { array, boolean, decimal, integer, isObject, join, number, object, optional, string } from './json-fields';
import type { Json } from './json-fields';

/** The keys of the engine's configuration, as JSON. */
export const CONFIG_KEYS = ['instruments', 'seed', 'venue', 'risk', 'latency', 'slippageLimitBps', 'equityIntervalMs', 'periodsPerYear', 'recordOrders', 'recordFills'] as const;

function instrument(path: string, v: unknown): BacktestConfig['instruments'][number] {
  const o = object(path, v, ['symbol', 'baseCurrency', 'quoteCurrency', 'tickSize', 'lotSize', 'minQuantity', 'minNotional']);
  return {
    symbol: string(join(path, 'symbol'), o.symbol, { pattern: /^[A-Za-z0-9_-]+$/, what: 'a subject token (letters, digits, - and _)' }),
    baseCurrency: string(join(path, 'baseCurrency'), o.baseCurrency),
    quoteCurrency: string(join(path, 'quoteCurrency'), o.quoteCurrency),
    tickSize: decimal(join(path, 'tickSize'), o.tickSize, { positive: true }),
    lotSize: decimal(join(path, 'lotSize'), o.lotSize, { positive: true }),
    ...withOptional('minQuantity', optional(o, 'minQuantity', path, (p, x) => decimal(p, x, { positive: true }))),
    ...withOptional('minNotional', optional(o, 'minNotional', path, (p, x) => decimal(p, x, { positive: true }))),
  };
}

function withOptional<K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: T };
}

function latency(path: string, v: unknown): LatencySpec {
  const o = object(path, v, ['kind', 'ns', 'minNs', 'maxNs', 'medianNs', 'sigma']);
  switch (o.kind) {
    case 'fixed':
      return { kind: 'fixed', ns: integer(join(path, 'ns'), o.ns, { min: 0 }) };
    case 'uniform':
      return { kind: 'uniform', minNs: integer(join(path, 'minNs'), o.minNs, { min: 0 }), maxNs: integer(join(path, 'maxNs'), o.maxNs, { min: 0 }) };
    case 'lognormal':
      return {
        kind: 'lognormal',
        medianNs: number(join(path, 'medianNs'), o.medianNs),
        sigma: number(join(path, 'sigma'), o.sigma),
        ...withOptional('maxNs', optional(o, 'maxNs', path, (p, x) => integer(p, x, { min: 0 }))),
      };
    default:
      throw new InvalidRequestError(join(path, 'kind'), `must be fixed, uniform or lognormal, got ${JSON.stringify(o.kind)}`);
  }
}

function limits(path: string, v: unknown): LimitsBook {
  try {
    return parseLimitsDocument(v) as LimitsBook;
  } catch (err) {
    if (err instanceof InvalidLimitsError) throw new InvalidRequestError(join(path, err.path), err.message, { cause: err });
    throw err;
  }
}

function stringList(path: string, v: unknown): string[] {
  return array(path, v).map((x, i) => string(join(path, i), x));
}

/**
 * Reads a configuration from JSON. Only the shape and the exact numbers are checked here; call
 * `validateConfig` (or run it) for the engine's own checks.
 */
export function parseConfig(v: unknown, path = 'config'): BacktestConfig {
  const o = object(path, v, CONFIG_KEYS);
  // In the order the keys are documented: the first problem reported is the first in the file.
  const instruments = array(join(path, 'instruments'), o.instruments, { nonEmpty: true }).map((x, i) => instrument(join(join(path, 'instruments'), i), x));
  const seed = integer(join(path, 'seed'), o.seed ?? 0);
  const venueJson = object(join(path, 'venue'), o.venue, ['name', 'fees', 'queueModel', 'slippageTicks', 'account', 'syntheticBook']);
  const vp = join(path, 'venue');
  const fees = object(join(vp, 'fees'), venueJson.fees, ['maker', 'taker', 'scale']);
  const account = object(join(vp, 'account'), venueJson.account, ['mode', 'balances', 'leverage']);
  const ap = join(vp, 'account');
  const balancesJson = object(join(ap, 'balances'), account.balances ?? {}, Object.keys(isObject(account.balances) ? account.balances : {}));
  const balances: Record<string, Decimal> = {};
  for (const [currency, amount] of Object.entries(balancesJson)) balances[currency] = decimal(join(join(ap, 'balances'), currency), amount, { nonNegative: true });
  const sbJson = venueJson.syntheticBook === undefined ? undefined : object(join(vp, 'syntheticBook'), venueJson.syntheticBook, ['halfSpreadTicks', 'levels', 'levelSize', 'volumeShare']);
  const sbp = join(vp, 'syntheticBook');
  const riskJson = object(join(path, 'risk'), o.risk, ['limits', 'kill', 'intentMaxAgeMs', 'dayStartOffsetMs', 'markSource', 'costMethod']);
  const rp = join(path, 'risk');
  const killJson = riskJson.kill === undefined ? undefined : object(join(rp, 'kill'), riskJson.kill, ['global', 'symbols', 'strategies']);
  const latencyJson = o.latency === undefined ? undefined : object(join(path, 'latency'), o.latency, ['order', 'report']);
  const lp = join(path, 'latency');
  const config: BacktestConfig = {
    instruments,
    seed,
    venue: {
      ...withOptional('name', optional(venueJson, 'name', vp, string)),
      fees: {
        maker: decimal(join(join(vp, 'fees'), 'maker'), fees.maker),
        taker: decimal(join(join(vp, 'fees'), 'taker'), fees.taker),
        scale: integer(join(join(vp, 'fees'), 'scale'), fees.scale ?? 8, { min: 0, max: 36 }),
      },
      ...withOptional('queueModel', optional(venueJson, 'queueModel', vp, string) as BacktestConfig['venue']['queueModel']),
      ...withOptional('slippageTicks', optional(venueJson, 'slippageTicks', vp, (p, x) => integer(p, x, { min: 0 }))),
      account: {
        mode: string(join(ap, 'mode'), account.mode) as BacktestConfig['venue']['account']['mode'],
        balances,
        ...withOptional('leverage', optional(account, 'leverage', ap, (p, x) => decimal(p, x, { positive: true }))),
      },
      ...withOptional(
        'syntheticBook',
        sbJson === undefined
          ? undefined
          : {
              ...withOptional('halfSpreadTicks', optional(sbJson, 'halfSpreadTicks', sbp, integer)),
              ...withOptional('levels', optional(sbJson, 'levels', sbp, integer)),
              ...withOptional('levelSize', optional(sbJson, 'levelSize', sbp, (p, x) => decimal(p, x, { positive: true }))),
              ...withOptional('volumeShare', optional(sbJson, 'volumeShare', sbp, number)),
            },
      ),
    },
    risk: {
      limits: limits(join(rp, 'limits'), riskJson.limits),
      ...withOptional(
        'kill',
        killJson === undefined
          ? undefined
          : {
              ...withOptional('global', optional(killJson, 'global', join(rp, 'kill'), boolean)),
              ...withOptional('symbols', optional(killJson, 'symbols', join(rp, 'kill'), stringList)),
              ...withOptional('strategies', optional(killJson, 'strategies', join(rp, 'kill'), stringList)),
            },
      ),
      ...withOptional('intentMaxAgeMs', optional(riskJson, 'intentMaxAgeMs', rp, (p, x) => integer(p, x, { min: 0 }))),
      ...withOptional('dayStartOffsetMs', optional(riskJson, 'dayStartOffsetMs', rp, (p, x) => integer(p, x, { min: 0 }))),
      ...withOptional('markSource', optional(riskJson, 'markSource', rp, string) as 'mid' | 'last' | undefined),
      ...withOptional('costMethod', optional(riskJson, 'costMethod', rp, string) as BacktestConfig['risk']['costMethod']),
    },
    ...withOptional(
      'latency',
      latencyJson === undefined
        ? undefined
        : { ...withOptional('order', optional(latencyJson, 'order', lp, latency)), ...withOptional('report', optional(latencyJson, 'report', lp, latency)) },
    ),
    ...withOptional('slippageLimitBps', optional(o, 'slippageLimitBps', path, (p, x) => decimal(p, x, { nonNegative: true }))),
    ...withOptional('equityIntervalMs', optional(o, 'equityIntervalMs', path, (p, x) => integer(p, x, { min: 1 }))),
    ...withOptional('periodsPerYear', optional(o, 'periodsPerYear', path, number)),
    ...withOptional('recordOrders', optional(o, 'recordOrders', path, boolean)),
    ...withOptional('recordFills', optional(o, 'recordFills', path, boolean)),
  };
  return config;
}

/** The engine's own checks (`resolveConfig`), their key prefixed with `path`. */
export function validateConfig(config: BacktestConfig, path = 'config'): void {
  try {
    resolveConfig(config);
  } catch (err) {
    if (err instanceof BacktestConfigError) throw new InvalidRequestError(join(path, err.key), err.message.replace(/^backtest [^:]*: /, ''), { cause: err });
    throw err;
  }
}

/** Reads and validates: what a request's `config` must pass before it is queued. */
export function readConfig(v: unknown, path = 'config'): BacktestConfig {
  const config = parseConfig(v, path);
  validateConfig(config, path);
  return config;
}

/** A copy of the JSON configuration with another seed (the CLI's --seed, the API's seed). */
export function withSeed(config: Json, seed: number | undefined): Json {
  return seed === undefined ? config : { ...config, seed };
}
