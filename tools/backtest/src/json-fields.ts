// Readers of untyped JSON (a config file, an API body): each checks one value and, when it is
// wrong, throws InvalidRequestError naming the value's path, so the CLI and the API report the
// same sentence.
import { Decimal } from '@meridian/domain';
import { InvalidRequestError, shown } from './errors';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object with only the keys given (a misspelt key is an error, not a silent default). */
export function object(path: string, v: unknown, keys: readonly string[]): Json {
  if (!isObject(v)) throw new InvalidRequestError(path, `must be an object, got ${shown(v)}`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) throw new InvalidRequestError(join(path, k), `is not a known key (expected one of ${keys.join(', ')})`);
  }
  return v;
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function array(path: string, v: unknown, opts: { nonEmpty?: boolean } = {}): unknown[] {
  if (!Array.isArray(v)) throw new InvalidRequestError(path, `must be an array, got ${shown(v)}`);
  if (opts.nonEmpty && v.length === 0) throw new InvalidRequestError(path, 'must not be empty');
  return v;
}

export function string(path: string, v: unknown, opts: { pattern?: RegExp; what?: string } = {}): string {
  if (typeof v !== 'string' || v === '') throw new InvalidRequestError(path, `must be a non-empty string, got ${shown(v)}`);
  if (opts.pattern && !opts.pattern.test(v)) throw new InvalidRequestError(path, `must be ${opts.what ?? `like ${opts.pattern}`}, got ${shown(v)}`);
  return v;
}

export function oneOf<T extends string>(path: string, v: unknown, values: readonly T[]): T {
  if (typeof v !== 'string' || !values.includes(v as T)) throw new InvalidRequestError(path, `must be one of ${values.join(', ')}, got ${shown(v)}`);
  return v as T;
}

export function integer(path: string, v: unknown, range: { min?: number; max?: number } = {}): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidRequestError(path, `must be a whole number, got ${shown(v)}`);
  if (range.min !== undefined && v < range.min) throw new InvalidRequestError(path, `must be >= ${range.min}, got ${v}`);
  if (range.max !== undefined && v > range.max) throw new InvalidRequestError(path, `must be <= ${range.max}, got ${v}`);
  return v;
}

export function number(path: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidRequestError(path, `must be a finite number, got ${shown(v)}`);
  return v;
}

export function boolean(path: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new InvalidRequestError(path, `must be true or false, got ${shown(v)}`);
  return v;
}

/**
 * An exact decimal: a string (`"0.01"`) or a JSON number read through its shortest text (so
 * `0.1` is 0.1, not the binary double nearest to it).
 */
export function decimal(path: string, v: unknown, opts: { positive?: boolean; nonNegative?: boolean } = {}): Decimal {
  if (typeof v !== 'string' && typeof v !== 'number') throw new InvalidRequestError(path, `must be a decimal (a string such as "0.01"), got ${shown(v)}`);
  let d: Decimal;
  try {
    d = Decimal.parse(String(v));
  } catch (err) {
    throw new InvalidRequestError(path, `is not a decimal: ${shown(v)}`, { cause: err });
  }
  if (opts.positive && !d.isPositive()) throw new InvalidRequestError(path, `must be positive, got ${d}`);
  if (opts.nonNegative && d.isNegative()) throw new InvalidRequestError(path, `must not be negative, got ${d}`);
  return d;
}

/** `read(path, v)` when the key is present, else undefined. */
export function optional<T>(o: Json, key: string, path: string, read: (path: string, v: unknown) => T): T | undefined {
  const v = o[key];
  return v === undefined ? undefined : read(join(path, key), v);
}
