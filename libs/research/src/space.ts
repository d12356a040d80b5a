import { InvalidSpaceError } from './errors';
import type { Rng } from './rng';

/** One parameter's range. Intervals are closed: `low` and `high` can both be drawn. */
export type ParamDef =
  /** Integers low, low+step, … ≤ high (step defaults to 1). */
  | { type: 'int'; low: number; high: number; step?: number }
  /** Reals in [low, high], drawn uniformly; `gridPoints` evenly spaced values for grid search (default 5). */
  | { type: 'float'; low: number; high: number; gridPoints?: number }
  /** Positive reals in [low, high], uniform in log(x): for rates and thresholds that span decades. */
  | { type: 'logfloat'; low: number; high: number; gridPoints?: number }
  /** One of a fixed list (strings, numbers or booleans); unordered. */
  | { type: 'choice'; values: readonly ParamValue[] };

export type ParamValue = string | number | boolean;
export type SpaceSpec = Readonly<Record<string, ParamDef>>;
export type Params = Record<string, ParamValue>;

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const DEFAULT_GRID_POINTS = 5;
/** Larger grids are a mistake (a float given a step of 1e-9), not a search anyone can run. */
export const MAX_GRID_SIZE = 10_000_000;

/**
 * A validated parameter space. Names are kept sorted so every walk over the space (sampling,
 * grid order, encoding) is the same whatever order the caller wrote the keys in.
 */
export class ParamSpace {
  readonly names: readonly string[];

  private constructor(readonly defs: SpaceSpec) {
    this.names = Object.keys(defs).sort();
  }

  /** Checks every definition; throws InvalidSpaceError naming `space.<name>.<key>`. */
  static from(spec: SpaceSpec | ParamSpace): ParamSpace {
    if (spec instanceof ParamSpace) return spec;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new InvalidSpaceError('space', spec, 'must be an object of parameter definitions');
    const names = Object.keys(spec);
    if (names.length === 0) throw new InvalidSpaceError('space', spec, 'must define at least one parameter');
    const copy: Record<string, ParamDef> = {};
    for (const name of names) {
      if (!NAME.test(name)) throw new InvalidSpaceError(`space.${name}`, name, 'is not a plain parameter name ([A-Za-z_][A-Za-z0-9_.-]*)');
      copy[name] = checkDef(`space.${name}`, spec[name]);
    }
    return new ParamSpace(Object.freeze(copy));
  }

  def(name: string): ParamDef {
    const d = this.defs[name];
    if (!d) throw new InvalidSpaceError(`params.${name}`, name, 'is not a parameter of this space');
    return d;
  }

  /** Every parameter present, of the right type, inside its range and on its step; no extras. */
  validate(params: unknown, field = 'params'): Params {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new InvalidSpaceError(field, params, 'must be an object');
    const p = params as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!(key in this.defs)) throw new InvalidSpaceError(`${field}.${key}`, p[key], 'is not a parameter of the space');
    }
    const out: Params = {};
    for (const name of this.names) {
      const def = this.defs[name]!;
      const v = p[name];
      const f = `${field}.${name}`;
      if (v === undefined) throw new InvalidSpaceError(f, v, 'is missing');
      if (def.type === 'choice') {
        if (!def.values.some((c) => c === v)) throw new InvalidSpaceError(f, v, `must be one of ${JSON.stringify(def.values)}`);
        out[name] = v as ParamValue;
        continue;
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidSpaceError(f, v, 'must be a finite number');
      if (v < def.low || v > def.high) throw new InvalidSpaceError(f, v, `must be in [${def.low}, ${def.high}]`);
      if (def.type === 'int') {
        const step = def.step ?? 1;
        if (!Number.isInteger(v) || (v - def.low) % step !== 0) throw new InvalidSpaceError(f, v, `must be an integer ${def.low} + k*${step}`);
      }
      out[name] = v;
    }
    return out;
  }

  /** A uniform draw: uniform in value for int/float, in log(value) for logfloat, over the list for choice. */
  sampleUniform(rng: Rng): Params {
    const out: Params = {};
    for (const name of this.names) out[name] = this.fromUnit(name, rng());
    return out;
  }

  /** Number of distinct values of an int or choice parameter; Infinity for reals. */
  cardinality(name: string): number {
    const d = this.def(name);
    if (d.type === 'int') return Math.floor((d.high - d.low) / (d.step ?? 1)) + 1;
    if (d.type === 'choice') return d.values.length;
    return Infinity;
  }

  /**
   * Maps u ∈ [0, 1] onto the parameter: the samplers work in this unit cube. Int and choice split
   * it into equal cells, one per value, so a uniform u gives every value the same chance.
   */
  fromUnit(name: string, u: number): ParamValue {
    const d = this.def(name);
    const c = Math.min(Math.max(u, 0), 1);
    switch (d.type) {
      case 'int': {
        const k = Math.min(Math.floor(c * this.cardinality(name)), this.cardinality(name) - 1);
        return d.low + k * (d.step ?? 1);
      }
      case 'float':
        return Math.min(d.high, Math.max(d.low, d.low + c * (d.high - d.low)));
      case 'logfloat':
        return Math.min(d.high, Math.max(d.low, Math.exp(Math.log(d.low) + c * (Math.log(d.high) - Math.log(d.low)))));
      case 'choice':
        return d.values[Math.min(Math.floor(c * d.values.length), d.values.length - 1)]!;
    }
  }

  /** The inverse of fromUnit: a point's place in the unit interval (the centre of its cell for int and choice). */
  toUnit(name: string, value: ParamValue): number {
    const d = this.def(name);
    switch (d.type) {
      case 'int':
        return ((Number(value) - d.low) / (d.step ?? 1) + 0.5) / this.cardinality(name);
      case 'float':
        return d.high === d.low ? 0.5 : (Number(value) - d.low) / (d.high - d.low);
      case 'logfloat':
        return d.high === d.low ? 0.5 : (Math.log(Number(value)) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low));
      case 'choice':
        return (this.choiceIndex(name, value) + 0.5) / d.values.length;
    }
  }

  choiceIndex(name: string, value: ParamValue): number {
    const d = this.def(name);
    if (d.type !== 'choice') throw new InvalidSpaceError(`space.${name}`, d.type, 'is not a choice parameter');
    const i = d.values.findIndex((c) => c === value);
    if (i < 0) throw new InvalidSpaceError(`params.${name}`, value, `must be one of ${JSON.stringify(d.values)}`);
    return i;
  }

  /** The values grid search visits for one parameter. */
  gridValues(name: string): ParamValue[] {
    const d = this.def(name);
    switch (d.type) {
      case 'int':
        return Array.from({ length: this.cardinality(name) }, (_, k) => d.low + k * (d.step ?? 1));
      case 'choice':
        return [...d.values];
      case 'float':
      case 'logfloat': {
        const n = d.gridPoints ?? DEFAULT_GRID_POINTS;
        if (n === 1 || d.low === d.high) return [d.type === 'float' ? (d.low + d.high) / 2 : Math.sqrt(d.low * d.high)];
        return Array.from({ length: n }, (_, k) => (k === n - 1 ? d.high : this.fromUnit(name, k / (n - 1))));
      }
    }
  }

  gridSize(): number {
    return this.names.reduce((n, name) => n * this.gridValues(name).length, 1);
  }

  /** Plain JSON of the definitions in name order: what a stored study is compared with. */
  toJSON(): SpaceSpec {
    const out: Record<string, ParamDef> = {};
    for (const name of this.names) out[name] = this.defs[name]!;
    return out;
  }
}

function checkDef(field: string, raw: unknown): ParamDef {
  if (raw === null || typeof raw !== 'object') throw new InvalidSpaceError(field, raw, 'must be a parameter definition object');
  const d = raw as Record<string, unknown>;
  const num = (key: string): number => {
    const v = d[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidSpaceError(`${field}.${key}`, v, 'must be a finite number');
    return v;
  };
  const known = (keys: string[]) => {
    for (const k of Object.keys(d)) if (!keys.includes(k)) throw new InvalidSpaceError(`${field}.${k}`, d[k], `is not a key of a ${String(d.type)} parameter (${keys.join(', ')})`);
  };
  switch (d.type) {
    case 'int': {
      known(['type', 'low', 'high', 'step']);
      const low = num('low');
      const high = num('high');
      const step = d.step === undefined ? 1 : num('step');
      if (!Number.isSafeInteger(low)) throw new InvalidSpaceError(`${field}.low`, low, 'must be an integer');
      if (!Number.isSafeInteger(high)) throw new InvalidSpaceError(`${field}.high`, high, 'must be an integer');
      if (!Number.isSafeInteger(step) || step < 1) throw new InvalidSpaceError(`${field}.step`, step, 'must be a positive integer');
      if (high < low) throw new InvalidSpaceError(`${field}.high`, high, `must be >= low (${low})`);
      if ((high - low) % step !== 0) throw new InvalidSpaceError(`${field}.high`, high, `must be low + k*step (low ${low}, step ${step})`);
      return d.step === undefined ? { type: 'int', low, high } : { type: 'int', low, high, step };
    }
    case 'float':
    case 'logfloat': {
      known(['type', 'low', 'high', 'gridPoints']);
      const low = num('low');
      const high = num('high');
      if (high < low) throw new InvalidSpaceError(`${field}.high`, high, `must be >= low (${low})`);
      if (d.type === 'logfloat' && low <= 0) throw new InvalidSpaceError(`${field}.low`, low, 'must be > 0 for a log-scaled parameter');
      if (d.gridPoints === undefined) return { type: d.type, low, high };
      const g = num('gridPoints');
      if (!Number.isInteger(g) || g < 1 || g > 10_000) throw new InvalidSpaceError(`${field}.gridPoints`, g, 'must be an integer in [1, 10000]');
      return { type: d.type, low, high, gridPoints: g };
    }
    case 'choice': {
      known(['type', 'values']);
      const values = d.values;
      if (!Array.isArray(values) || values.length === 0) throw new InvalidSpaceError(`${field}.values`, values, 'must be a non-empty array');
      values.forEach((v: unknown, i) => {
        const ok = typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
        if (!ok) throw new InvalidSpaceError(`${field}.values[${i}]`, v, 'must be a string, finite number or boolean');
        if (values.indexOf(v) !== i) throw new InvalidSpaceError(`${field}.values[${i}]`, v, 'repeats an earlier value');
      });
      return { type: 'choice', values: [...(values as ParamValue[])] };
    }
    default:
      throw new InvalidSpaceError(`${field}.type`, d.type, 'must be one of int, float, logfloat, choice');
  }
}

/** A canonical text of a parameter set (keys sorted): equal sets give equal keys. */
export function paramsKey(params: Params): string {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}
