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
  return tryDecimal(value, rule) ?? checkedDecimal(value, what, rule);
}

/**
 * What `decimal()` returns, or undefined where it would throw: for hot paths that name the field
 * (a string built per field of every level) only when something is wrong, by calling the
 * throwing reader then.
 */
export function tryDecimal(value: unknown, rule: 'positive' | 'non_negative'): Decimal | undefined {
  let d: Decimal | undefined;
  if (typeof value === 'string') d = parsedOrUndefined(value);
  else if (typeof value === 'number' && Number.isFinite(value)) d = parsedOrUndefined(String(value));
  if (d === undefined) return undefined;
  return (rule === 'positive' ? d.isPositive() : !d.isNegative()) ? d : undefined;
}

function parsedOrUndefined(text: string): Decimal | undefined {
  try {
    return Decimal.parse(text);
  } catch (err) {
    // Not lost: the caller goes on to the throwing reader, which reports it.
    if (err instanceof InvalidDecimalError) return undefined;
    throw err;
  }
}

function checkedDecimal(value: unknown, what: string, rule: 'positive' | 'non_negative'): Decimal {
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
    const text = String(value);
    // Below 1e-6 and from 1e21 that string has an exponent (`1e-7`, `5e-324`), which is no plain decimal.
    if (/e/i.test(text)) throw new FrameRejectedError('schema', `${what}: ${text} is a number in exponent form, not a plain decimal`);
    d = Decimal.parse(text);
  } else {
    throw new FrameRejectedError('schema', `${what}: expected a decimal string or number, got ${describe(value)}`);
  }
  if (rule === 'positive' ? !d.isPositive() : d.isNegative()) {
    throw new FrameRejectedError('non_positive', `${what}: ${d} must be ${rule === 'positive' ? 'positive' : 'zero or more'}`);
  }
  return d;
}

/** The last conversion: events of one frame, and frames of one millisecond, share their time. */
let lastMillisText = '0';
let lastNanos = 0n;

/** Milliseconds since the epoch as a JSON string or integer → ns. */
export function millisToNanos(value: unknown, what: string): bigint {
  const ns = tryMillisToNanos(value);
  if (ns === undefined) throw new FrameRejectedError('schema', `${what}: expected epoch milliseconds, got ${describe(value)}`);
  return ns;
}

/** What `millisToNanos()` returns, or undefined where it would throw. */
export function tryMillisToNanos(value: unknown): bigint | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  if (text === lastMillisText) return lastNanos;
  // 1 to 16 ASCII digits in one pass; past 2^53 (some 16-digit values) BigInt reads the text.
  const n = text.length;
  if (n === 0 || n > 16) return undefined;
  let ms = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    ms = ms * 10 + (c - 48);
  }
  lastNanos = (Number.isSafeInteger(ms) ? BigInt(ms) : BigInt(text)) * 1_000_000n;
  lastMillisText = text;
  return lastNanos;
}

/** A sequence number (JSON integer or integer string) as bigint. */
export function sequence(value: unknown, what: string): bigint {
  const seq = trySequence(value);
  if (seq === undefined) throw new FrameRejectedError('schema', `${what}: expected an integer sequence number, got ${describe(value)}`);
  return seq;
}

/** What `sequence()` returns, or undefined where it would throw. */
export function trySequence(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) return BigInt(value);
  return undefined;
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
