// The strategy of a run, as JSON: the platform's momentum strategy (the inference service's
// momentum model and the coordinator's decision) or the model-driven strategy with a linear score
// model, and their parameters. A parameter search varies these parameters by name.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { LinearScoreModel, ModelStrategy, MomentumStrategy } from '@meridian/backtest';
import type { LinearModelParams, Strategy } from '@meridian/backtest';
import { Decimal } from '@meridian/domain';
import { InvalidRequestError, shown } from './errors';
import { isObject, join, object, oneOf, string } from './json-fields';

export type ParamValue = string | number | boolean;
export type StrategyKind = 'momentum' | 'model';

export interface StrategySpec {
  readonly kind: StrategyKind;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The linear model's parameters (model strategy), inline once resolved. */
  readonly model?: LinearModelParams;
}

type ParamType = 'int' | 'number' | 'decimal' | 'string' | 'bool';

/** The coordinator's sizing and gates, shared by both strategies. */
const SIZING: Record<string, ParamType> = {
  strategyId: 'string',
  positionNotional: 'decimal',
  maxOrderNotional: 'decimal',
  orderLot: 'decimal',
  entryThreshold: 'number',
  signalMaxAgeMs: 'int',
  intentIntervalMs: 'int',
  interval: 'string',
};

/** Every parameter a strategy takes, by kind, and its type. */
export const STRATEGY_PARAMS: Readonly<Record<StrategyKind, Readonly<Record<string, ParamType>>>> = {
  momentum: { ...SIZING, fastPeriod: 'int', slowPeriod: 'int', volPeriod: 'int', barsFromTrades: 'bool' },
  model: { ...SIZING },
};

/** A parameter's value from JSON or from the command line (`fastPeriod=12`), checked against its type. */
export function paramValue(kind: StrategyKind, field: string, name: string, raw: unknown): ParamValue {
  const type = STRATEGY_PARAMS[kind][name];
  if (type === undefined) throw new InvalidRequestError(field, `${JSON.stringify(name)} is not a parameter of the ${kind} strategy (it takes ${Object.keys(STRATEGY_PARAMS[kind]).join(', ')})`);
  const text = typeof raw === 'string' ? raw.trim() : undefined;
  switch (type) {
    case 'int': {
      const n = text !== undefined && /^-?\d+$/.test(text) ? Number(text) : raw;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new InvalidRequestError(field, `must be a whole number, got ${shown(raw)}`);
      return n;
    }
    case 'number': {
      const n = text !== undefined && text !== '' ? Number(text) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new InvalidRequestError(field, `must be a number, got ${shown(raw)}`);
      return n;
    }
    case 'decimal': {
      if (typeof raw !== 'string' && typeof raw !== 'number') throw new InvalidRequestError(field, `must be a decimal, got ${shown(raw)}`);
      try {
        return Decimal.parse(String(raw)).toString();
      } catch (err) {
        throw new InvalidRequestError(field, `is not a decimal: ${shown(raw)}`, { cause: err });
      }
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (text === 'true' || text === 'false') return text === 'true';
      throw new InvalidRequestError(field, `must be true or false, got ${shown(raw)}`);
    }
    case 'string':
      return string(field, raw);
  }
}

/** `name=value` pairs of the command line as parameters. */
export function parseParamArgs(kind: StrategyKind, args: readonly string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const a of args) {
    const m = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(a);
    if (!m) throw new InvalidRequestError('--param', `must be name=value, got ${JSON.stringify(a)}`);
    out[m[1]!] = paramValue(kind, `--param ${m[1]}`, m[1]!, m[2]!);
  }
  return out;
}

function readModel(field: string, v: unknown, baseDir: string): LinearModelParams {
  let json: unknown = v;
  if (typeof v === 'string') {
    const path = isAbsolute(v) ? v : resolve(baseDir, v);
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new InvalidRequestError(field, `cannot read the model ${JSON.stringify(v)}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!isObject(json)) throw new InvalidRequestError(field, `must be a linear model ({ name, featureSpec, weights, bias, gain? }) or the path of one, got ${shown(v)}`);
  try {
    // Built once here so a model that cannot be used is a bad request, not a failed run.
    return new LinearScoreModel(json as unknown as LinearModelParams).toJSON();
  } catch (err) {
    throw new InvalidRequestError(field, (err as Error).message, { cause: err });
  }
}

/** Reads `{ kind, params, model }`; a model given as a path is read now (relative to `baseDir`). */
export function resolveStrategy(v: unknown, baseDir: string, field = 'strategy'): StrategySpec {
  const o = object(field, v ?? { kind: 'momentum' }, ['kind', 'params', 'model']);
  const kind = oneOf(join(field, 'kind'), o.kind ?? 'momentum', ['momentum', 'model'] as const);
  const params: Record<string, ParamValue> = {};
  if (o.params !== undefined) {
    const p = object(join(field, 'params'), o.params, Object.keys(STRATEGY_PARAMS[kind]));
    for (const [k, val] of Object.entries(p)) params[k] = paramValue(kind, join(join(field, 'params'), k), k, val);
  }
  if (kind === 'momentum') {
    if (o.model !== undefined) throw new InvalidRequestError(join(field, 'model'), 'is for the model strategy; momentum has its own model (fastPeriod, slowPeriod, volPeriod)');
    const spec: StrategySpec = { kind, params };
    checkBuilds(spec, field);
    return spec;
  }
  if (o.model === undefined) throw new InvalidRequestError(join(field, 'model'), 'is required for the model strategy: a linear model JSON or its path');
  const spec: StrategySpec = { kind, params, model: readModel(join(field, 'model'), o.model, baseDir) };
  checkBuilds(spec, field);
  return spec;
}

/** The strategy's constructors check their settings: a bad one is reported as the request's fault. */
function checkBuilds(spec: StrategySpec, field: string): void {
  try {
    buildStrategy(spec);
  } catch (err) {
    if (err instanceof InvalidRequestError) throw err;
    throw new InvalidRequestError(join(field, 'params'), (err as Error).message, { cause: err });
  }
}

/** The spec with some parameters replaced (a trial of a search). */
export function withParams(spec: StrategySpec, params: Readonly<Record<string, unknown>>, field = 'params'): StrategySpec {
  const merged: Record<string, ParamValue> = { ...spec.params };
  for (const [k, v] of Object.entries(params)) merged[k] = paramValue(spec.kind, join(field, k), k, v);
  return { ...spec, params: merged };
}

function sizing(p: Readonly<Record<string, ParamValue>>) {
  const out: Record<string, unknown> = {};
  for (const k of ['strategyId', 'entryThreshold', 'signalMaxAgeMs', 'intentIntervalMs'] as const) if (p[k] !== undefined) out[k] = p[k];
  for (const k of ['positionNotional', 'maxOrderNotional', 'orderLot'] as const) if (p[k] !== undefined) out[k] = Decimal.parse(String(p[k]));
  return out;
}

/** A fresh strategy for one run (strategies keep state). */
export function buildStrategy(spec: StrategySpec): Strategy {
  const p = spec.params;
  if (spec.kind === 'momentum') {
    const model: Record<string, number> = {};
    for (const k of ['fastPeriod', 'slowPeriod', 'volPeriod'] as const) if (p[k] !== undefined) model[k] = p[k] as number;
    return new MomentumStrategy({
      strategy: sizing(p),
      model,
      ...(p.interval !== undefined ? { interval: p.interval as string } : {}),
      ...(p.barsFromTrades !== undefined ? { barsFromTrades: p.barsFromTrades as boolean } : {}),
    });
  }
  return new ModelStrategy({
    model: new LinearScoreModel(spec.model!),
    strategy: sizing(p),
    ...(p.interval !== undefined ? { interval: p.interval as string } : {}),
  });
}
