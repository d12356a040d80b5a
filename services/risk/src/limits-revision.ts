import { Decimal } from '@meridian/domain';
import { InvalidLimitsError, parseLimitsDocument, validateLimits } from '@meridian/risk-rules';
import type { LimitsBook } from '@meridian/risk-rules';

/** The limits in force and where they came from: revision 0 is the environment's, then one per UpdateLimits. */
export interface LimitsRevision {
  readonly revision: bigint;
  readonly book: LimitsBook;
  /** `book` as a JSON document (decimals as strings), what GetLimits returns and a change carries. */
  readonly json: string;
  readonly actor: string;
  readonly reason: string;
  readonly changedTsNs: bigint;
}

/** Who the environment's limits are attributed to. */
export const CONFIG_ACTOR = 'config';

/** The whole limits book as a JSON document `{global, perStrategy?, perSymbol?}`, decimals as strings. */
export function limitsToJson(book: LimitsBook): string {
  return JSON.stringify(book, (_key, value: unknown) => (value instanceof Decimal ? value.toString() : value));
}

/**
 * A whole limits document from JSON text: parsed (`parseLimitsDocument`) and validated
 * (`validateLimits`) as one book, `global` with its three required limits. Throws
 * `InvalidLimitsError` (code INVALID_RISK_LIMITS) whose `path` is the offending key (`limits` when
 * the text is not a JSON object).
 */
export function parseLimitsJson(json: string): LimitsBook {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new InvalidLimitsError('limits', `is not JSON: ${(err as Error).message}`);
  }
  const doc = parseLimitsDocument(raw);
  return validateLimits({
    global: (doc.global ?? {}) as LimitsBook['global'],
    ...(doc.perStrategy ? { perStrategy: doc.perStrategy } : {}),
    ...(doc.perSymbol ? { perSymbol: doc.perSymbol } : {}),
  });
}
