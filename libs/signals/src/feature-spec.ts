import { createHash } from 'node:crypto';
import { FeatureSpecMismatchError, InvalidFeatureSpecError } from './feature-errors';
import { FEATURE_INPUTS, FEATURE_KINDS, KIND_RULES, SINGLE_OUTPUT } from './feature-kinds';
import type { FeatureInput, FeatureKind } from './feature-kinds';

/** The format version this code reads and writes. */
export const FEATURE_SPEC_VERSION = 1;

/**
 * How a raw feature value is scaled before the model sees it. Statistics are fitted on training
 * data by `fitNormalisation` and then travel with the spec; a spec whose statistics are missing
 * can be fitted but not run.
 */
export type Normalisation =
  | { readonly kind: 'none' }
  /** (x - mean) / std. */
  | { readonly kind: 'zscore'; readonly mean?: number; readonly std?: number }
  /** (x - min) / (max - min): [0, 1] on the training data, not clipped outside it. */
  | { readonly kind: 'minmax'; readonly min?: number; readonly max?: number };

/** One column of the feature vector. */
export interface FeatureDefinition {
  /** Unique column name: a letter or _, then letters, digits, _ . - (at most 64). */
  readonly name: string;
  readonly kind: FeatureKind;
  readonly input: FeatureInput;
  /** The kind's parameters (windows, lags, levels), all numbers; see the README's table. */
  readonly params: Readonly<Record<string, number>>;
  /** Which line of a multi-output kind (macd, bollinger); absent for the others. */
  readonly output?: string;
  /** 'perClose' divides a price-unit value by the bar's close, so it reads alike at any price level. */
  readonly scale: 'raw' | 'perClose';
  readonly normalisation: Normalisation;
}

/** A validated, canonical feature specification: JSON as it is, stored with every model. */
export interface FeatureSpec {
  readonly version: typeof FEATURE_SPEC_VERSION;
  /** Bars a fresh pipeline needs before its first vector, that bar included: the largest warm-up of any feature. */
  readonly warmupBars: number;
  readonly features: readonly FeatureDefinition[];
}

/** What an author writes: the spec without its derived warm-up, with `scale` and `normalisation` optional. */
export interface FeatureSpecInput {
  readonly version: number;
  readonly warmupBars?: number;
  readonly features: readonly (Omit<FeatureDefinition, 'scale' | 'normalisation'> & {
    readonly scale?: FeatureDefinition['scale'];
    readonly normalisation?: Normalisation;
  })[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const SPEC_KEYS = ['version', 'warmupBars', 'features'];
const FEATURE_KEYS = ['name', 'kind', 'input', 'params', 'output', 'scale', 'normalisation'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireRecord(at: string, v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new InvalidFeatureSpecError(at, v, 'must be an object');
  return v;
}

function requireKeys(at: string, v: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) throw new InvalidFeatureSpecError(`${at}${at ? '.' : ''}${key}`, v[key], `is not a known field (known: ${allowed.join(', ')})`);
  }
}

function requireOneOf<T extends string>(at: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new InvalidFeatureSpecError(at, v, `must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function requireNumber(at: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidFeatureSpecError(at, v, 'must be a finite number');
  return v;
}

function requireParam(at: string, v: unknown, type: 'period' | 'offset' | 'positive'): number {
  const x = requireNumber(at, v);
  if (type === 'period' && (!Number.isSafeInteger(x) || x <= 0)) throw new InvalidFeatureSpecError(at, v, 'must be a positive integer');
  if (type === 'offset' && (!Number.isSafeInteger(x) || x < 0)) throw new InvalidFeatureSpecError(at, v, 'must be a non-negative integer');
  if (type === 'positive' && x <= 0) throw new InvalidFeatureSpecError(at, v, 'must be positive');
  return x;
}

/** Two statistics that come together or not at all. */
function pair(at: string, n: Record<string, unknown>, a: string, b: string): [number, number] | undefined {
  if (n[a] === undefined && n[b] === undefined) return undefined;
  if (n[a] === undefined) throw new InvalidFeatureSpecError(`${at}.${a}`, undefined, `is required with ${b}`);
  if (n[b] === undefined) throw new InvalidFeatureSpecError(`${at}.${b}`, undefined, `is required with ${a}`);
  return [requireNumber(`${at}.${a}`, n[a]), requireNumber(`${at}.${b}`, n[b])];
}

function validateNormalisation(at: string, v: unknown): Normalisation {
  if (v === undefined) return { kind: 'none' };
  const n = requireRecord(at, v);
  const kind = requireOneOf(`${at}.kind`, n.kind, ['none', 'zscore', 'minmax'] as const);
  if (kind === 'none') {
    requireKeys(at, n, ['kind']);
    return { kind };
  }
  if (kind === 'zscore') {
    requireKeys(at, n, ['kind', 'mean', 'std']);
    const stats = pair(at, n, 'mean', 'std');
    if (stats === undefined) return { kind };
    if (stats[1] <= 0) throw new InvalidFeatureSpecError(`${at}.std`, stats[1], 'must be positive');
    return { kind, mean: stats[0], std: stats[1] };
  }
  requireKeys(at, n, ['kind', 'min', 'max']);
  const stats = pair(at, n, 'min', 'max');
  if (stats === undefined) return { kind };
  if (!(stats[1] > stats[0])) throw new InvalidFeatureSpecError(`${at}.max`, stats[1], `must be above min ${stats[0]}`);
  return { kind, min: stats[0], max: stats[1] };
}

function validateFeature(at: string, v: unknown): FeatureDefinition {
  const f = requireRecord(at, v);
  requireKeys(at, f, FEATURE_KEYS);
  if (typeof f.name !== 'string' || !NAME.test(f.name)) {
    throw new InvalidFeatureSpecError(`${at}.name`, f.name, 'must be a letter or _ followed by at most 63 letters, digits, _ . -');
  }
  const kind = requireOneOf(`${at}.kind`, f.kind, FEATURE_KINDS);
  const rule = KIND_RULES[kind];
  const input = requireOneOf(`${at}.input`, f.input, FEATURE_INPUTS);
  if (!rule.inputs.includes(input)) throw new InvalidFeatureSpecError(`${at}.input`, input, `is not read by ${kind} (use ${rule.inputs.join(', ')})`);

  const rawParams = requireRecord(`${at}.params`, f.params);
  requireKeys(`${at}.params`, rawParams, Object.keys(rule.params));
  const params: Record<string, number> = {};
  for (const [name, p] of Object.entries(rule.params)) {
    const value = rawParams[name];
    if (value === undefined) {
      if (!p.optional) throw new InvalidFeatureSpecError(`${at}.params.${name}`, undefined, `is required by ${kind}`);
      continue;
    }
    params[name] = requireParam(`${at}.params.${name}`, value, p.type);
  }
  if (kind === 'vwap' && params.sessionMs !== undefined && params.sessionOffsetMs === undefined) params.sessionOffsetMs = 0;
  const broken = rule.check?.(params);
  if (broken) throw new InvalidFeatureSpecError(`${at}.params.${broken.param}`, params[broken.param], broken.reason);

  let output: string | undefined;
  if (rule.outputs) output = requireOneOf(`${at}.output`, f.output, rule.outputs);
  else if (f.output !== undefined) throw new InvalidFeatureSpecError(`${at}.output`, f.output, `is only for kinds with several outputs (macd, bollinger), not ${kind}`);

  const scale = f.scale === undefined ? 'raw' : requireOneOf(`${at}.scale`, f.scale, ['raw', 'perClose'] as const);
  if (scale === 'perClose' && (input === 'volume' || input === 'book' || !rule.priceOutputs.includes(output ?? SINGLE_OUTPUT))) {
    throw new InvalidFeatureSpecError(`${at}.scale`, scale, `is only for values in price units read from prices, not ${kind}${output ? ` ${output}` : ''} of ${input}`);
  }
  const normalisation = validateNormalisation(`${at}.normalisation`, f.normalisation);
  return { name: f.name, kind, input, params, ...(output === undefined ? {} : { output }), scale, normalisation };
}

/**
 * Checks a specification (parsed JSON or an author's object) and returns its canonical form:
 * defaults filled in (`scale: 'raw'`, `normalisation: { kind: 'none' }`, Vwap's `sessionOffsetMs`
 * 0), `warmupBars` derived from the windows. Unknown fields are refused, so a misspelt parameter
 * cannot silently fall back to a default. Throws `InvalidFeatureSpecError` naming the bad field.
 */
export function validateFeatureSpec(value: unknown): FeatureSpec {
  const s = requireRecord('spec', value);
  requireKeys('', s, SPEC_KEYS);
  if (s.version !== FEATURE_SPEC_VERSION) throw new InvalidFeatureSpecError('version', s.version, `must be ${FEATURE_SPEC_VERSION}`);
  if (!Array.isArray(s.features) || s.features.length === 0) throw new InvalidFeatureSpecError('features', s.features, 'must be a non-empty array');
  const features = s.features.map((f, i) => validateFeature(`features[${i}]`, f));
  const seen = new Set<string>();
  features.forEach((f, i) => {
    if (seen.has(f.name)) throw new InvalidFeatureSpecError(`features[${i}].name`, f.name, 'is used by an earlier feature');
    seen.add(f.name);
  });
  const warmupBars = Math.max(...features.map((f) => featureWarmup(f)));
  if (s.warmupBars !== undefined && s.warmupBars !== warmupBars) {
    throw new InvalidFeatureSpecError('warmupBars', s.warmupBars, `differs from the ${warmupBars} bars its features need`);
  }
  return { version: FEATURE_SPEC_VERSION, warmupBars, features };
}

/** Bars one feature needs before its first value, that one included: the indicator's own count. */
function featureWarmup(f: FeatureDefinition): number {
  return KIND_RULES[f.kind].create(f.params, f.input).warmup;
}

/** JSON with object keys sorted at every level: one text for one spec, whatever order it was written in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 (hex) of the canonical JSON of the validated spec, statistics included: two specs with
 * the same hash compute the same features, and a model trained on one refuses the other.
 */
export function featureSpecHash(spec: unknown): string {
  return createHash('sha256').update(canonicalJson(validateFeatureSpec(spec))).digest('hex');
}

/** Throws `FeatureSpecMismatchError` unless `spec` hashes to `expectedHash` (the hash stored with a model). */
export function requireFeatureSpecHash(spec: unknown, expectedHash: string): void {
  const actual = featureSpecHash(spec);
  if (actual !== expectedHash) throw new FeatureSpecMismatchError(expectedHash, actual);
}
