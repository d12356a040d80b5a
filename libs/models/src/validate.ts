import { InvalidModelConfigError } from './errors';

/** Checks shared by the model configs; every failure names the path of the bad key. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireRecord(at: string, v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new InvalidModelConfigError(at, v, 'must be an object');
  return v;
}

/** Unknown keys are refused, so a misspelt setting never falls back to its default unnoticed. */
export function requireKnownKeys(at: string, v: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(v)) {
    if (!known.includes(key)) throw new InvalidModelConfigError(`${at}.${key}`, v[key], `is not a known key (known: ${known.join(', ')})`);
  }
}

export function intIn(at: string, v: unknown, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new InvalidModelConfigError(at, v, `must be an integer in [${min}, ${max}]`);
  }
  return v;
}

export function rateIn(at: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= 1) throw new InvalidModelConfigError(at, v, 'must be a number in [0, 1)');
  return v;
}

export function bool(at: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new InvalidModelConfigError(at, v, 'must be true or false');
  return v;
}

/**
 * Quantile levels: strictly increasing in (0, 1), and including 0.5 (the point forecast the
 * metrics read). Empty means a point forecast (one output per step).
 */
export function quantiles(at: string, v: unknown, fallback: readonly number[]): number[] {
  if (v === undefined) return [...fallback];
  if (!Array.isArray(v)) throw new InvalidModelConfigError(at, v, 'must be an array of levels in (0, 1)');
  v.forEach((q, i) => {
    if (typeof q !== 'number' || !(q > 0 && q < 1)) throw new InvalidModelConfigError(`${at}[${i}]`, q, 'must be a number in (0, 1)');
    if (i > 0 && !(q > (v[i - 1] as number))) throw new InvalidModelConfigError(`${at}[${i}]`, q, `must be above the previous level ${v[i - 1]}`);
  });
  if (v.length > 0 && !v.includes(0.5)) throw new InvalidModelConfigError(at, v, 'must include 0.5 (the point forecast)');
  return [...(v as number[])];
}

export function requireKind<K extends string>(at: string, v: unknown, kind: K): K {
  if (v !== kind) throw new InvalidModelConfigError(at, v, `must be ${JSON.stringify(kind)}`);
  return kind;
}

/** Limits that keep a config from asking for more memory than the machine has by a typo. */
export const MAX_STEPS = 10_000;
export const MAX_FEATURES = 4_096;
export const MAX_UNITS = 8_192;
