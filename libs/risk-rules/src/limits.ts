import { Decimal } from '@meridian/domain';
import { InvalidLimitsError } from './errors';

export interface RiskLimits {
  maxOrderQuantity: Decimal;
  maxOrderNotional: Decimal;
  /** Absolute: applies to long and short positions alike. */
  maxPosition: Decimal;
}

export interface LimitsBook {
  global: RiskLimits;
  /** Per-symbol overrides, field by field; missing fields fall back to `global`. */
  perSymbol?: Record<string, Partial<RiskLimits>>;
}

const LIMIT_FIELDS = ['maxOrderQuantity', 'maxOrderNotional', 'maxPosition'] as const;
type LimitField = (typeof LIMIT_FIELDS)[number];

function isLimitField(key: string): key is LimitField {
  return (LIMIT_FIELDS as readonly string[]).includes(key);
}

/** The effective limits of one symbol: its overrides on top of the global limits. */
export function limitsFor(symbol: string, book: LimitsBook): RiskLimits {
  // Own keys only: a symbol named like an Object.prototype member must not pick that up.
  const overrides = book.perSymbol !== undefined && Object.hasOwn(book.perSymbol, symbol) ? book.perSymbol[symbol] : undefined;
  if (overrides === undefined) return book.global;
  return {
    maxOrderQuantity: overrides.maxOrderQuantity ?? book.global.maxOrderQuantity,
    maxOrderNotional: overrides.maxOrderNotional ?? book.global.maxOrderNotional,
    maxPosition: overrides.maxPosition ?? book.global.maxPosition,
  };
}

/**
 * Checks a limits book once, when it is loaded or changed, and returns it unchanged. Unknown keys
 * are refused as well, so a misspelt override cannot silently leave the global limit in force.
 */
export function validateLimits(book: LimitsBook): LimitsBook {
  if (!isObject(book)) throw new InvalidLimitsError('limits', `must be an object, got ${describe(book)}`);
  if (!isObject(book.global)) throw new InvalidLimitsError('global', `must be an object, got ${describe(book.global)}`);
  for (const key of Object.keys(book)) {
    if (key !== 'global' && key !== 'perSymbol') throw new InvalidLimitsError(key, 'is not a known key (expected global, perSymbol)');
  }
  checkFields('global', book.global, true);
  if (book.perSymbol !== undefined) {
    if (!isObject(book.perSymbol)) {
      throw new InvalidLimitsError('perSymbol', `must be an object, got ${describe(book.perSymbol)}`);
    }
    for (const [symbol, overrides] of Object.entries(book.perSymbol)) {
      const path = `perSymbol.${symbol}`;
      if (!isObject(overrides)) throw new InvalidLimitsError(path, `must be an object, got ${describe(overrides)}`);
      checkFields(path, overrides, false);
    }
  }
  return book;
}

function checkFields(path: string, limits: Partial<RiskLimits>, required: boolean): void {
  for (const key of Object.keys(limits)) {
    if (!isLimitField(key)) {
      throw new InvalidLimitsError(`${path}.${key}`, `is not a known limit (expected ${LIMIT_FIELDS.join(', ')})`);
    }
  }
  for (const field of LIMIT_FIELDS) {
    const value: unknown = limits[field];
    const where = `${path}.${field}`;
    if (value === undefined) {
      if (required) throw new InvalidLimitsError(where, 'is required');
      continue;
    }
    if (!(value instanceof Decimal)) throw new InvalidLimitsError(where, `must be a Decimal, got ${describe(value)}`);
    if (!value.isPositive()) throw new InvalidLimitsError(where, `must be positive, got ${value}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : String(value);
}
