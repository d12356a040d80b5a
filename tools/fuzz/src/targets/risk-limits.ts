import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { LIMIT_FIELDS, parseLimitsDocument, validateLimits } from '@meridian/risk-rules';
import type { LimitField, LimitFieldSpec, LimitsBook } from '@meridian/risk-rules';
import { limitsToJson, parseLimitsJson } from '@meridian/risk/dist/limits-revision';
import { anyText, asParsed, decimalText, mangledText, shaped, toJsonText } from '../arbitraries';
import { target } from '../target';

const FIELDS = Object.keys(LIMIT_FIELDS) as LimitField[];
const SYMBOL_FIELDS = FIELDS.filter((f) => LIMIT_FIELDS[f].scope === 'order' || LIMIT_FIELDS[f].scope === 'symbol');
const STRATEGY_FIELDS = FIELDS.filter((f) => LIMIT_FIELDS[f].scope === 'order' || LIMIT_FIELDS[f].scope === 'strategy');

function limitValue(f: LimitField): fc.Arbitrary<unknown> {
  return LIMIT_FIELDS[f].kind === 'decimal'
    ? fc.oneof(decimalText, decimalText.map(Number))
    : fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }).map(String));
}

function entry(fields: readonly LimitField[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((f) => [f, limitValue(f)])), { requiredKeys: [] });
}

const names = fc.oneof(fc.constantFrom('BTC-USDT', 'ETH-USDT', 'momentum', 'burst', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 8 }));

/** A limits document as an operator writes it: `{global, perStrategy, perSymbol}`. */
const limitsDocument = fc.record(
  {
    global: fc.tuple(entry(FIELDS), fc.constantFrom('1', '0.5', '100')).map(([g, q]) => ({ maxOrderQuantity: q, maxOrderNotional: '5000', maxPosition: '10', ...g })),
    perStrategy: fc.dictionary(names, entry(STRATEGY_FIELDS), { maxKeys: 3 }),
    perSymbol: fc.dictionary(names, entry(SYMBOL_FIELDS), { maxKeys: 3 }),
  },
  { requiredKeys: ['global'] },
);

/** What `validateLimits` promises of a book it returns, checked independently. */
function bookProblem(book: LimitsBook): string | undefined {
  const levels: [string, Record<string, unknown> | undefined, readonly LimitField[], boolean][] = [['global', book.global as unknown as Record<string, unknown>, FIELDS, true]];
  for (const [name, e] of Object.entries(book.perStrategy ?? {})) levels.push([`perStrategy.${name}`, e as Record<string, unknown>, STRATEGY_FIELDS, false]);
  for (const [name, e] of Object.entries(book.perSymbol ?? {})) levels.push([`perSymbol.${name}`, e as Record<string, unknown>, SYMBOL_FIELDS, false]);
  for (const [path, e, allowed, isGlobal] of levels) {
    if (e === undefined) return `${path} missing`;
    for (const [key, value] of Object.entries(e)) {
      if (!allowed.includes(key as LimitField)) return `${path}.${key} accepted where it is not allowed`;
      const spec: LimitFieldSpec = LIMIT_FIELDS[key as LimitField];
      if (value === undefined) continue;
      if (spec.kind === 'decimal') {
        if (!(value instanceof Decimal)) return `${path}.${key} is not a Decimal`;
        if (spec.positive ? !value.isPositive() : value.isNegative()) return `${path}.${key} = ${value} accepted`;
      } else if (typeof value !== 'number' || !Number.isSafeInteger(value) || (spec.positive ? value <= 0 : value < 0)) {
        return `${path}.${key} = ${String(value)} accepted`;
      }
    }
    if (isGlobal) for (const f of FIELDS) if ((LIMIT_FIELDS[f] as LimitFieldSpec).required && e[f] === undefined) return `global.${f} missing but accepted`;
  }
  return undefined;
}

/** `parseLimitsDocument` then `validateLimits` (libs/risk-rules): RISK_LIMITS and every limits change. */
export const limitsDocumentTarget = target<unknown>({
  name: 'risk-rules.limits-document',
  calls: 'libs/risk-rules parseLimitsDocument + validateLimits',
  weight: 40,
  ciRuns: 300,
  codes: ['INVALID_RISK_LIMITS'],
  arbitrary: shaped(limitsDocument).map(asParsed),
  run(doc) {
    const parsed = parseLimitsDocument(doc);
    const book = validateLimits({
      global: (parsed.global ?? {}) as LimitsBook['global'],
      ...(parsed.perStrategy ? { perStrategy: parsed.perStrategy } : {}),
      ...(parsed.perSymbol ? { perSymbol: parsed.perSymbol } : {}),
    });
    return bookProblem(book);
  },
});

/** `parseLimitsJson` (services/risk, the UpdateLimits and ctl.config.risk validator): JSON text → a validated book. */
export const updateLimitsJson = target<string>({
  name: 'risk.update-limits-json',
  calls: 'services/risk limits-revision parseLimitsJson',
  weight: 30,
  ciRuns: 200,
  codes: ['INVALID_RISK_LIMITS'],
  arbitrary: fc.oneof(
    { weight: 6, arbitrary: shaped(limitsDocument).map(toJsonText) },
    { weight: 2, arbitrary: mangledText(limitsDocument.map(toJsonText)) },
    { weight: 1, arbitrary: anyText },
  ),
  run(json) {
    const book = parseLimitsJson(json);
    const problem = bookProblem(book);
    if (problem !== undefined) return problem;
    // What GetLimits answers must read back to the same limits (a replica restarts from it).
    const text = limitsToJson(book);
    const again = limitsToJson(parseLimitsJson(text));
    return again === text ? undefined : `limits do not read back: ${text} then ${again}`;
  },
});
