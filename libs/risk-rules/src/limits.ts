import { Decimal } from '@meridian/domain';
import { InvalidLimitsError } from './errors';

/**
 * The effective limits of one order: what `limitsFor` resolves from a `LimitsBook` for the
 * order's symbol and strategy. The first three are always set; an optional limit left undefined
 * is not checked. Quantities are in the instrument's units, notionals and P&L in quote currency.
 */
export interface RiskLimits {
  // ---- Order scope: global default, overridable per strategy and per symbol.
  /** Largest quantity of one order. */
  maxOrderQuantity: Decimal;
  /** Largest quantity × price of one order. */
  maxOrderNotional: Decimal;
  /** Largest absolute position of the order's symbol, long or short, counting working orders. */
  maxPosition: Decimal;
  /** Largest long position (a second bound on the long side beside `maxPosition`; 0: no longs). */
  maxLongPosition?: Decimal;
  /** Largest short position as a positive size (a second bound beside `maxPosition`; 0: no shorts). */
  maxShortPosition?: Decimal;
  /** Fat-finger band: how far (basis points) a price may be through or away from the touch. */
  priceBandBps?: Decimal;

  // ---- Symbol scope (a count per symbol): global default, overridable per symbol.
  /** Working orders of one symbol, all strategies together. */
  maxSymbolOpenOrders?: number;
  /** Approvals per `orderRateWindowMs` in one symbol. */
  maxSymbolOrdersPerWindow?: number;

  // ---- Strategy scope (a count per strategy): global default, overridable per strategy.
  /** Working orders of one strategy, all symbols together. */
  maxStrategyOpenOrders?: number;
  /** Approvals per `orderRateWindowMs` for one strategy. */
  maxStrategyOrdersPerWindow?: number;

  // ---- Account scope: global only.
  /** Working orders of the whole account. */
  maxOpenOrders?: number;
  /** Approvals per `orderRateWindowMs` for the whole account. */
  maxOrdersPerWindow?: number;
  /** The sliding window of every order-rate limit, in milliseconds (default 1000). */
  orderRateWindowMs?: number;
  /** Symbols holding a position or working orders. */
  maxOpenPositions?: number;
  /** Σ over symbols of the worst-case absolute position × mark, counting working orders. */
  maxGrossExposure?: Decimal;
  /** |Σ over symbols of the signed position × mark|, worst case with working orders. */
  maxNetExposure?: Decimal;
  /** Largest loss since the start of the trading day (realized + unrealized, net of fees). */
  maxDailyLoss?: Decimal;
  /** Largest fall of equity from its peak. */
  maxDrawdown?: Decimal;
}

/** Where a limit applies, which decides the levels of a `LimitsBook` that may set it. */
export type LimitScope = 'order' | 'symbol' | 'strategy' | 'account';

export interface FieldSpec {
  readonly kind: 'decimal' | 'count';
  readonly scope: LimitScope;
  /** Required in `global` (the three original limits). */
  readonly required?: true;
  /** Must be > 0 rather than >= 0. */
  readonly positive?: true;
}

/** Every limit, its kind and its scope, in the order of `RiskLimits`. */
// `satisfies`, not a type annotation: the scopes stay literal, so SymbolLimits and StrategyLimits below
// pick the fields of their scopes (annotated, every scope widened to LimitScope and both came out empty).
export const LIMIT_FIELDS = {
  maxOrderQuantity: { kind: 'decimal', scope: 'order', required: true, positive: true },
  maxOrderNotional: { kind: 'decimal', scope: 'order', required: true, positive: true },
  maxPosition: { kind: 'decimal', scope: 'order', required: true, positive: true },
  maxLongPosition: { kind: 'decimal', scope: 'order' },
  maxShortPosition: { kind: 'decimal', scope: 'order' },
  priceBandBps: { kind: 'decimal', scope: 'order' },
  maxSymbolOpenOrders: { kind: 'count', scope: 'symbol' },
  maxSymbolOrdersPerWindow: { kind: 'count', scope: 'symbol' },
  maxStrategyOpenOrders: { kind: 'count', scope: 'strategy' },
  maxStrategyOrdersPerWindow: { kind: 'count', scope: 'strategy' },
  maxOpenOrders: { kind: 'count', scope: 'account' },
  maxOrdersPerWindow: { kind: 'count', scope: 'account' },
  orderRateWindowMs: { kind: 'count', scope: 'account', positive: true },
  maxOpenPositions: { kind: 'count', scope: 'account' },
  maxGrossExposure: { kind: 'decimal', scope: 'account' },
  maxNetExposure: { kind: 'decimal', scope: 'account' },
  maxDailyLoss: { kind: 'decimal', scope: 'account' },
  maxDrawdown: { kind: 'decimal', scope: 'account' },
} as const satisfies Readonly<Record<keyof RiskLimits, FieldSpec>>;

export type LimitField = keyof RiskLimits;
type FieldsOf<S extends LimitScope> = { [K in LimitField]: (typeof LIMIT_FIELDS)[K]['scope'] extends S ? K : never }[LimitField];

/** Overrides one symbol may set: order-scoped and symbol-scoped limits. */
export type SymbolLimits = Partial<Pick<RiskLimits, FieldsOf<'order' | 'symbol'>>>;
/** Overrides one strategy may set: order-scoped and strategy-scoped limits. */
export type StrategyLimits = Partial<Pick<RiskLimits, FieldsOf<'order' | 'strategy'>>>;

export interface LimitsBook {
  /** Every limit's default (and the only level of the account-wide ones). */
  global: RiskLimits;
  /** Per-strategy overrides, field by field. */
  perStrategy?: Record<string, StrategyLimits>;
  /** Per-symbol overrides, field by field. */
  perSymbol?: Record<string, SymbolLimits>;
}

const FIELD_NAMES = Object.keys(LIMIT_FIELDS) as LimitField[];
/** Fields an override may set, per level. */
const OVERRIDABLE: Readonly<Record<'perSymbol' | 'perStrategy', readonly LimitField[]>> = {
  perSymbol: FIELD_NAMES.filter((f) => LIMIT_FIELDS[f].scope === 'order' || LIMIT_FIELDS[f].scope === 'symbol'),
  perStrategy: FIELD_NAMES.filter((f) => LIMIT_FIELDS[f].scope === 'order' || LIMIT_FIELDS[f].scope === 'strategy'),
};
const BOOK_KEYS = ['global', 'perStrategy', 'perSymbol'] as const;

function isLimitField(key: string): key is LimitField {
  return Object.hasOwn(LIMIT_FIELDS, key);
}

function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  // Own keys only: a symbol or strategy named like an Object.prototype member must not pick that up.
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function stricter<T extends Decimal | number>(a: T, b: T): T {
  if (typeof a === 'number') return (a <= (b as number) ? a : b) as T;
  return (a as Decimal).cmp(b as Decimal) <= 0 ? a : b;
}

/**
 * The effective limits of an order in `symbol` sent by `strategy`.
 *
 * Precedence, field by field: `global` is the default; an override of the symbol or of the
 * strategy replaces it (so an override may loosen the default, e.g. a larger quantity for a cheap
 * coin); when both the symbol and the strategy override the same field, the stricter (smaller)
 * of the two applies, so neither can loosen what the other set. Symbol-scoped counts are
 * overridden only per symbol, strategy-scoped counts only per strategy, account-wide limits only
 * exist in `global` (`validateLimits` enforces where each may appear).
 */
export function limitsFor(symbol: string, book: LimitsBook, strategy?: string): RiskLimits {
  const bySymbol = own(book.perSymbol, symbol);
  const byStrategy = strategy === undefined ? undefined : own(book.perStrategy, strategy);
  if (bySymbol === undefined && byStrategy === undefined) return book.global;
  const out: Record<string, Decimal | number | undefined> = { ...book.global };
  const s = bySymbol as Record<string, Decimal | number | undefined> | undefined;
  const t = byStrategy as Record<string, Decimal | number | undefined> | undefined;
  if (s !== undefined) {
    for (const key in s) {
      const v = s[key];
      if (v !== undefined) out[key] = v;
    }
  }
  if (t !== undefined) {
    for (const key in t) {
      const v = t[key];
      if (v === undefined) continue;
      const fromSymbol = s?.[key];
      out[key] = fromSymbol === undefined ? v : stricter(v, fromSymbol);
    }
  }
  return out as unknown as RiskLimits;
}

/**
 * Checks a limits book once, when it is loaded or changed, and returns it unchanged. Unknown keys
 * and limits set at a level where they have no meaning (an account-wide limit per symbol) are
 * refused too, so a misspelt or misplaced override cannot silently leave the default in force.
 * Decimals must be `Decimal`s, counts safe integers; none may be negative, and the three original
 * limits and `orderRateWindowMs` must be positive. The book is treated as immutable afterwards.
 */
export function validateLimits(book: LimitsBook): LimitsBook {
  if (!isObject(book)) throw new InvalidLimitsError('limits', `must be an object, got ${describe(book)}`);
  if (!isObject(book.global)) throw new InvalidLimitsError('global', `must be an object, got ${describe(book.global)}`);
  for (const key of Object.keys(book)) {
    if (!(BOOK_KEYS as readonly string[]).includes(key)) {
      throw new InvalidLimitsError(key, `is not a known key (expected ${BOOK_KEYS.join(', ')})`);
    }
  }
  checkFields('global', book.global, FIELD_NAMES, true);
  for (const level of ['perStrategy', 'perSymbol'] as const) {
    const overrides: unknown = book[level];
    if (overrides === undefined) continue;
    if (!isObject(overrides)) throw new InvalidLimitsError(level, `must be an object, got ${describe(overrides)}`);
    for (const [name, entry] of Object.entries(overrides)) {
      const path = `${level}.${name}`;
      if (name === '') throw new InvalidLimitsError(path, `names no ${level === 'perSymbol' ? 'symbol' : 'strategy'}`);
      if (!isObject(entry)) throw new InvalidLimitsError(path, `must be an object, got ${describe(entry)}`);
      checkFields(path, entry, OVERRIDABLE[level], false);
    }
  }
  return book;
}

/** Refuses a key that is no limit, or a limit that has no meaning at this level. */
function checkKey(path: string, key: string, allowed: readonly LimitField[]): asserts key is LimitField {
  const where = `${path}.${key}`;
  if (!isLimitField(key)) throw new InvalidLimitsError(where, `is not a known limit (expected ${allowed.join(', ')})`);
  if (!allowed.includes(key)) {
    const scope = LIMIT_FIELDS[key].scope;
    const only = scope === 'account' ? 'global' : scope === 'symbol' ? 'global and perSymbol' : 'global and perStrategy';
    throw new InvalidLimitsError(where, `is ${scope === 'account' ? 'an account-wide' : `a ${scope}-scoped`} limit: allowed in ${only} only`);
  }
}

function checkFields(path: string, limits: Record<string, unknown>, allowed: readonly LimitField[], required: boolean): void {
  for (const key of Object.keys(limits)) checkKey(path, key, allowed);
  for (const field of allowed) {
    const spec: FieldSpec = LIMIT_FIELDS[field];
    const value: unknown = limits[field];
    const where = `${path}.${field}`;
    if (value === undefined) {
      if (required && spec.required) throw new InvalidLimitsError(where, 'is required');
      continue;
    }
    if (spec.kind === 'decimal') {
      if (!(value instanceof Decimal)) throw new InvalidLimitsError(where, `must be a Decimal, got ${describe(value)}`);
      if (spec.positive ? !value.isPositive() : value.isNegative()) {
        throw new InvalidLimitsError(where, `must be ${spec.positive ? 'positive' : 'zero or positive'}, got ${value}`);
      }
    } else {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        throw new InvalidLimitsError(where, `must be a whole number, got ${describe(value)}`);
      }
      if (spec.positive ? value <= 0 : value < 0) {
        throw new InvalidLimitsError(where, `must be ${spec.positive ? 'positive' : 'zero or positive'}, got ${value}`);
      }
    }
  }
}

/** A limits document as JSON carries it (decimals as strings, counts as numbers or strings), not yet typed. */
export interface LimitsDocument {
  global?: Partial<RiskLimits>;
  perStrategy?: Record<string, StrategyLimits>;
  perSymbol?: Record<string, SymbolLimits>;
}

/**
 * Reads a limits document parsed from JSON (e.g. a config value): decimals from strings (or JSON
 * numbers, read through their shortest text), counts from whole numbers or digit strings. Every
 * level is optional, `global` included, so the document can be merged over other sources before
 * `validateLimits` checks the whole book. Throws `InvalidLimitsError` naming the key path.
 */
export function parseLimitsDocument(doc: unknown): LimitsDocument {
  if (!isObject(doc)) throw new InvalidLimitsError('limits', `must be an object, got ${describe(doc)}`);
  const out: LimitsDocument = {};
  for (const key of Object.keys(doc)) {
    if (!(BOOK_KEYS as readonly string[]).includes(key)) {
      throw new InvalidLimitsError(key, `is not a known key (expected ${BOOK_KEYS.join(', ')})`);
    }
  }
  if (doc['global'] !== undefined) out.global = parseEntry('global', doc['global'], FIELD_NAMES);
  for (const level of ['perStrategy', 'perSymbol'] as const) {
    const raw = doc[level];
    if (raw === undefined) continue;
    if (!isObject(raw)) throw new InvalidLimitsError(level, `must be an object, got ${describe(raw)}`);
    const entries: Record<string, Partial<RiskLimits>> = {};
    for (const [name, entry] of Object.entries(raw)) {
      // An own property even for a key like "__proto__", which plain assignment would turn into a prototype.
      Object.defineProperty(entries, name, { value: parseEntry(`${level}.${name}`, entry, OVERRIDABLE[level]), enumerable: true, writable: true, configurable: true });
    }
    out[level] = entries;
  }
  return out;
}

function parseEntry(path: string, raw: unknown, allowed: readonly LimitField[]): Partial<RiskLimits> {
  if (!isObject(raw)) throw new InvalidLimitsError(path, `must be an object, got ${describe(raw)}`);
  const out: Record<string, Decimal | number> = {};
  for (const [key, value] of Object.entries(raw)) {
    const where = `${path}.${key}`;
    checkKey(path, key, allowed);
    if (LIMIT_FIELDS[key].kind === 'decimal') {
      if (typeof value !== 'string' && typeof value !== 'number') throw new InvalidLimitsError(where, `is not a decimal: ${describe(value)}`);
      try {
        out[key] = Decimal.parse(String(value));
      } catch {
        throw new InvalidLimitsError(where, `is not a decimal: ${JSON.stringify(value)}`);
      }
    } else {
      const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new InvalidLimitsError(where, `is not a whole number: ${JSON.stringify(value)}`);
      out[key] = n;
    }
  }
  return out as Partial<RiskLimits>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  // String() of an object runs its toString: a document's `{"toString": 1}` would throw a TypeError.
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
