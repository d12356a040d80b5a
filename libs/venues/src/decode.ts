import { Decimal, InvalidDecimalError } from '@meridian/domain';
import { FrameRejectedError } from './errors';

/**
 * Field readers for venue frames. Each throws `FrameRejectedError` with the reason that will be
 * counted (`schema`, `non_finite`, `non_positive`) and a detail naming the field and the value,
 * so one malformed frame is one counted, explained rejection and never a crash.
 */

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new FrameRejectedError('schema', `not JSON: ${(err as Error).message}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new FrameRejectedError('schema', `${what}: expected an object, got ${describe(value)}`);
  return value;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new FrameRejectedError('schema', `${what}: expected an array, got ${describe(value)}`);
  return value;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new FrameRejectedError('schema', `${what}: expected a string, got ${describe(value)}`);
  return value;
}

/** A venue number given as a JSON string or number, read exactly. */
export function decimal(value: unknown, what: string, rule: 'positive' | 'non_negative'): Decimal {
  let d: Decimal;
  if (typeof value === 'string') {
    try {
      d = Decimal.parse(value);
    } catch (err) {
      if (err instanceof InvalidDecimalError) {
        const reason = /^[+-]?(inf|infinity|nan)$/i.test(value.trim()) ? 'non_finite' : 'schema';
        throw new FrameRejectedError(reason, `${what}: ${JSON.stringify(value)} is not a finite decimal`);
      }
      throw err;
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FrameRejectedError('non_finite', `${what}: ${value} is not finite`);
    // JSON numbers print as the shortest string that reads back the same, which is what the venue sent.
    d = Decimal.parse(String(value));
  } else {
    throw new FrameRejectedError('schema', `${what}: expected a decimal string or number, got ${describe(value)}`);
  }
  if (rule === 'positive' ? !d.isPositive() : d.isNegative()) {
    throw new FrameRejectedError('non_positive', `${what}: ${d} must be ${rule === 'positive' ? 'positive' : 'zero or more'}`);
  }
  return d;
}

/** Milliseconds since the epoch as a JSON string or integer → ns. */
export function millisToNanos(value: unknown, what: string): bigint {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,16}$/.test(text)) {
    throw new FrameRejectedError('schema', `${what}: expected epoch milliseconds, got ${describe(value)}`);
  }
  return BigInt(text) * 1_000_000n;
}

/** A sequence number (JSON integer or integer string) as bigint. */
export function sequence(value: unknown, what: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  throw new FrameRejectedError('schema', `${what}: expected an integer sequence number, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The start of a frame for a log line. */
export function excerpt(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
