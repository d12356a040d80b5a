// A configuration written as JSON (a file, an API body, a stored result's `config`) read back into
// `BacktestConfig`: the inverse of `configToJson`. Every field is checked for its JSON shape here,
// naming its key path from `path` (`config.instruments[0].tickSize: is not a decimal: "0.0x1"`),
// then the whole configuration goes through `resolveConfig`, whose errors get the same prefix.
import { Decimal } from '@meridian/domain';
import { InvalidLimitsError, InvalidRiskInputError, parseLimitsDocument, stopSpecFromJson } from '@meridian/risk-rules';
import type { LimitsBook, StopSpec } from '@meridian/risk-rules';
import type { SimInstrument } from '@meridian/venue-sim';
import { resolveConfig } from './config';
import type { BacktestConfig, BreakerSettings, LatencySpec, RiskConfig, SyntheticBookConfig, VenueConfig } from './config';
import { BacktestConfigError } from './errors';

type Json = Record<string, unknown>;

const CUSTOM = 'custom';

function fail(path: string, reason: string, cause?: unknown): never {
  throw new BacktestConfigError(path, undefined, reason, { omitValue: true, cause });
}

function shown(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v);
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}

/** An object with only the named keys (a misspelt key is an error, not silently a default). */
function object(path: string, v: unknown, keys: readonly string[]): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `must be an object, got ${shown(v)}`);
  for (const k of Object.keys(v)) if (!keys.includes(k)) fail(join(path, k), `is not a key here (expected one of ${keys.join(', ')})`);
  return v as Json;
}

function array(path: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(path, `must be an array, got ${shown(v)}`);
  return v;
}

function string(path: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') fail(path, `must be a non-empty string, got ${shown(v)}`);
  return v;
}

/** A symbol is a NATS subject token in the platform: letters, digits, - and _. */
function token(path: string, v: unknown): string {
  const s = string(path, v);
  if (!/^[A-Za-z0-9_-]+$/.test(s)) fail(path, `must be a subject token (letters, digits, - and _), got ${shown(s)}`);
  return s;
}

function oneOf<T extends string>(path: string, v: unknown, values: readonly T[]): T {
  if (!values.includes(v as T)) fail(path, `must be one of ${values.join(', ')}, got ${shown(v)}`);
  return v as T;
}

function number(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a finite number, got ${shown(v)}`);
  return v;
}

function integer(path: string, v: unknown, min = Number.MIN_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(path, `must be an integer, got ${shown(v)}`);
  if (v < min) fail(path, `must be at least ${min}, got ${v}`);
  return v;
}

function boolean(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(path, `must be true or false, got ${shown(v)}`);
  return v;
}

/** A decimal from its string (configToJson writes strings) or a JSON number read through its shortest text. */
function decimal(path: string, v: unknown, sign?: 'positive' | 'nonNegative'): Decimal {
  if (typeof v !== 'string' && typeof v !== 'number') fail(path, `must be a decimal (a string such as "0.01"), got ${shown(v)}`);
  let d: Decimal;
  try {
    d = Decimal.parse(String(v));
  } catch (err) {
    fail(path, `is not a decimal: ${shown(v)}`, err);
  }
  if (sign === 'positive' && !d.isPositive()) fail(path, `must be positive, got ${d}`);
  if (sign === 'nonNegative' && d.isNegative()) fail(path, `must not be negative, got ${d}`);
  return d;
}

/** `{ key: read(value) }` when the key is present, `{}` when not: absent keys stay absent (their defaults apply). */
function opt<K extends string, T>(o: Json, key: K, path: string, read: (path: string, v: unknown) => T): { [P in K]?: T } {
  return (o[key] === undefined ? {} : { [key]: read(join(path, key), o[key]) }) as { [P in K]?: T };
}

function notCustom(path: string, v: unknown, what: string): void {
  if (v === CUSTOM) fail(path, `is "${CUSTOM}": the configuration had a ${what} of its own, which JSON cannot carry; pass it in code`);
}

function instrument(path: string, v: unknown): SimInstrument {
  const o = object(path, v, ['symbol', 'baseCurrency', 'quoteCurrency', 'tickSize', 'lotSize', 'minQuantity', 'minNotional']);
  const positive = (p: string, x: unknown) => decimal(p, x, 'positive');
  return {
    symbol: token(join(path, 'symbol'), o.symbol),
    baseCurrency: string(join(path, 'baseCurrency'), o.baseCurrency),
    quoteCurrency: string(join(path, 'quoteCurrency'), o.quoteCurrency),
    tickSize: positive(join(path, 'tickSize'), o.tickSize),
    lotSize: positive(join(path, 'lotSize'), o.lotSize),
    ...opt(o, 'minQuantity', path, positive),
    ...opt(o, 'minNotional', path, positive),
  };
}

function latency(path: string, v: unknown): LatencySpec {
  notCustom(path, v, 'LatencyModel');
  const o = object(path, v, ['kind', 'ns', 'minNs', 'maxNs', 'medianNs', 'sigma']);
  const ns = (p: string, x: unknown) => integer(p, x, 0);
  switch (oneOf(join(path, 'kind'), o.kind, ['fixed', 'uniform', 'lognormal'] as const)) {
    case 'fixed':
      object(path, v, ['kind', 'ns']);
      return { kind: 'fixed', ns: ns(join(path, 'ns'), o.ns) };
    case 'uniform':
      object(path, v, ['kind', 'minNs', 'maxNs']);
      return { kind: 'uniform', minNs: ns(join(path, 'minNs'), o.minNs), maxNs: ns(join(path, 'maxNs'), o.maxNs) };
    case 'lognormal':
      object(path, v, ['kind', 'medianNs', 'sigma', 'maxNs']);
      return { kind: 'lognormal', medianNs: number(join(path, 'medianNs'), o.medianNs), sigma: number(join(path, 'sigma'), o.sigma), ...opt(o, 'maxNs', path, ns) };
  }
}

function limits(path: string, v: unknown): LimitsBook {
  try {
    // validateLimits (in resolveConfig) checks the whole book; a document without `global` fails there.
    return parseLimitsDocument(v) as LimitsBook;
  } catch (err) {
    if (err instanceof InvalidLimitsError) fail(join(path, err.path), err.message.startsWith(`${err.path} `) ? err.message.slice(err.path.length + 1) : err.message, err);
    throw err;
  }
}

function strings(path: string, v: unknown): string[] {
  return array(path, v).map((x, i) => string(join(path, i), x));
}

function venue(path: string, v: unknown): VenueConfig {
  const o = object(path, v, ['name', 'fees', 'queueModel', 'slippageTicks', 'slippage', 'account', 'syntheticBook']);
  if (o.slippage !== undefined) notCustom(join(path, 'slippage'), o.slippage, 'SlippageModel');
  if (o.slippage !== undefined) fail(join(path, 'slippage'), 'is a SlippageModel, which JSON cannot carry: use slippageTicks');
  const fp = join(path, 'fees');
  const fees = object(fp, o.fees, ['maker', 'taker', 'scale']);
  const ap = join(path, 'account');
  const account = object(ap, o.account, ['mode', 'balances', 'leverage']);
  const bp = join(ap, 'balances');
  const balancesJson = account.balances === undefined ? {} : object(bp, account.balances, Object.keys((account.balances as object) ?? {}));
  const balances: Record<string, Decimal> = {};
  for (const [currency, amount] of Object.entries(balancesJson)) balances[currency] = decimal(join(bp, currency), amount, 'nonNegative');
  const sp = join(path, 'syntheticBook');
  const sb = o.syntheticBook === undefined ? undefined : object(sp, o.syntheticBook, ['halfSpreadTicks', 'levels', 'levelSize', 'volumeShare']);
  const syntheticBook: SyntheticBookConfig | undefined =
    sb === undefined
      ? undefined
      : {
          ...opt(sb, 'halfSpreadTicks', sp, (p, x) => integer(p, x, 1)),
          ...opt(sb, 'levels', sp, (p, x) => integer(p, x, 1)),
          ...opt(sb, 'levelSize', sp, (p, x) => decimal(p, x, 'positive')),
          ...opt(sb, 'volumeShare', sp, number),
        };
  return {
    ...opt(o, 'name', path, string),
    fees: { maker: decimal(join(fp, 'maker'), fees.maker), taker: decimal(join(fp, 'taker'), fees.taker), scale: integer(join(fp, 'scale'), fees.scale ?? 8, 0) },
    ...opt(o, 'queueModel', path, (p, x) => string(p, x) as VenueConfig['queueModel'] & string),
    ...opt(o, 'slippageTicks', path, (p, x) => integer(p, x, 0)),
    account: {
      mode: oneOf(join(ap, 'mode'), account.mode, ['margin', 'cash'] as const),
      balances,
      ...opt(account, 'leverage', ap, (p, x) => decimal(p, x, 'positive')),
    },
    ...(syntheticBook === undefined ? {} : { syntheticBook }),
  };
}

function risk(path: string, v: unknown): RiskConfig {
  const o = object(path, v, ['limits', 'kill', 'intentMaxAgeMs', 'dayStartOffsetMs', 'markSource', 'costMethod', 'stops', 'stopStrategy', 'breaker']);
  const kp = join(path, 'kill');
  const kill = o.kill === undefined ? undefined : object(kp, o.kill, ['global', 'symbols', 'strategies']);
  return {
    limits: limits(join(path, 'limits'), o.limits),
    ...(kill === undefined ? {} : { kill: { ...opt(kill, 'global', kp, boolean), ...opt(kill, 'symbols', kp, strings), ...opt(kill, 'strategies', kp, strings) } }),
    ...opt(o, 'intentMaxAgeMs', path, (p, x) => integer(p, x, 0)),
    ...opt(o, 'dayStartOffsetMs', path, (p, x) => integer(p, x, 0)),
    ...opt(o, 'markSource', path, (p, x) => oneOf(p, x, ['mid', 'last'] as const)),
    ...opt(o, 'costMethod', path, (p, x) => string(p, x) as RiskConfig['costMethod'] & string),
    ...opt(o, 'stops', path, stops),
    ...opt(o, 'stopStrategy', path, token),
    ...opt(o, 'breaker', path, breaker),
  };
}

/** `risk.stops`, as RISK_STOPS writes it: `{"BTC-USDT": {"distanceBps": "200"}}`. */
function stops(path: string, v: unknown): Record<string, StopSpec> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(path, `must be an object of symbol -> {price | distance | distanceBps}, got ${shown(v)}`);
  const out: Record<string, StopSpec> = {};
  for (const [symbol, raw] of Object.entries(v)) {
    try {
      out[symbol] = stopSpecFromJson(symbol, raw);
    } catch (err) {
      if (err instanceof InvalidRiskInputError) fail(join(path, err.field), err.message.slice(err.field.length + 1), err);
      throw err;
    }
  }
  return out;
}

/** `risk.breaker`: RISK_BREAKER_* by their names here. */
function breaker(path: string, v: unknown): BreakerSettings {
  const o = object(path, v, ['maxLoss', 'lossWindowMs', 'maxRejects', 'rejectWindowMs', 'maxMarketDataAgeMs', 'coolDownMs', 'autoReset', 'checkIntervalMs']);
  const ms = (p: string, x: unknown) => integer(p, x, 1);
  return {
    ...opt(o, 'maxLoss', path, (p, x) => decimal(p, x, 'positive')),
    ...opt(o, 'lossWindowMs', path, ms),
    ...opt(o, 'maxRejects', path, ms),
    ...opt(o, 'rejectWindowMs', path, ms),
    ...opt(o, 'maxMarketDataAgeMs', path, ms),
    ...opt(o, 'coolDownMs', path, ms),
    ...opt(o, 'autoReset', path, boolean),
    ...opt(o, 'checkIntervalMs', path, ms),
  };
}

/** The keys of a configuration as JSON (`configToJson`'s). */
export const CONFIG_JSON_KEYS = ['instruments', 'seed', 'venue', 'risk', 'latency', 'slippageLimitBps', 'equityIntervalMs', 'periodsPerYear', 'minAnnualisedDays', 'recordOrders', 'recordFills', 'params'] as const;

/**
 * Reads a configuration from JSON and checks it as a run would (`resolveConfig`); every error is a
 * BacktestConfigError whose key is the path from `path` (default `config`). `params` (strategy
 * parameters) is read when present; models of your own (`"custom"` in configToJson's output) are
 * refused, since JSON cannot carry them.
 */
export function configFromJson(v: unknown, path = 'config'): BacktestConfig {
  const o = object(path, v, CONFIG_JSON_KEYS);
  const ip = join(path, 'instruments');
  const lp = join(path, 'latency');
  const lat = o.latency === undefined ? undefined : object(lp, o.latency, ['order', 'report']);
  const pp = join(path, 'params');
  const params = o.params === undefined ? undefined : object(pp, o.params, Object.keys((o.params as object) ?? {}));
  if (params !== undefined) {
    for (const [k, x] of Object.entries(params)) if (!['string', 'number', 'boolean'].includes(typeof x)) fail(join(pp, k), `must be a string, number or boolean, got ${shown(x)}`);
  }
  const config: BacktestConfig = {
    instruments: array(ip, o.instruments).map((x, i) => instrument(join(ip, i), x)),
    // As tools/backtest's reader: a configuration without a seed runs with seed 0.
    seed: integer(join(path, 'seed'), o.seed ?? 0),
    venue: venue(join(path, 'venue'), o.venue),
    risk: risk(join(path, 'risk'), o.risk),
    ...(lat === undefined || Object.keys(lat).length === 0 ? {} : { latency: { ...opt(lat, 'order', lp, latency), ...opt(lat, 'report', lp, latency) } }),
    ...opt(o, 'slippageLimitBps', path, (p, x) => decimal(p, x, 'nonNegative')),
    ...opt(o, 'equityIntervalMs', path, (p, x) => integer(p, x, 1)),
    ...opt(o, 'periodsPerYear', path, number),
    ...opt(o, 'minAnnualisedDays', path, number),
    ...opt(o, 'recordOrders', path, boolean),
    ...opt(o, 'recordFills', path, boolean),
    ...(params === undefined ? {} : { params: params as Record<string, string | number | boolean> }),
  };
  try {
    resolveConfig(config);
  } catch (err) {
    if (err instanceof BacktestConfigError) fail(`${path}.${err.key}`, err.message.slice(`backtest ${err.key}: `.length), err);
    throw err;
  }
  return config;
}
