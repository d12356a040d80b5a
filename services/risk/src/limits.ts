import { Decimal } from '@meridian/domain';
import { InvalidLimitsError, parseLimitsDocument, validateLimits } from '@meridian/risk-rules';
import type { LimitsBook, LimitsDocument, RiskLimits, SymbolLimits } from '@meridian/risk-rules';
import { ConfigError } from '@meridian/runtime';
import type { Field } from '@meridian/runtime';

/** The limits that have their own keys (RISK_MAX_ORDER_QUANTITY, RISK_MAX_ORDER_NOTIONAL, RISK_MAX_POSITION). */
export type KeyedLimits = Pick<RiskLimits, 'maxOrderQuantity' | 'maxOrderNotional' | 'maxPosition'>;

const KEYED: Record<keyof KeyedLimits, string> = {
  maxOrderQuantity: 'RISK_MAX_ORDER_QUANTITY',
  maxOrderNotional: 'RISK_MAX_ORDER_NOTIONAL',
  maxPosition: 'RISK_MAX_POSITION',
};
/** Stand-ins for the keyed limits, to validate a document on its own. */
const PLACEHOLDER: KeyedLimits = { maxOrderQuantity: Decimal.ONE, maxOrderNotional: Decimal.ONE, maxPosition: Decimal.ONE };

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
}

/** RISK_LIMITS_PER_SYMBOL's value: symbol -> any per-symbol limit. Throws a sentence without the key. */
function readPerSymbol(json: string): Record<string, SymbolLimits> | undefined {
  if (json.trim() === '') return undefined;
  const raw = parseJson(json);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`expected an object of symbol -> { maxOrderQuantity?, maxOrderNotional?, maxPosition?, … }, got ${Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}`);
  }
  try {
    const perSymbol = parseLimitsDocument({ perSymbol: raw }).perSymbol!;
    validateLimits({ global: PLACEHOLDER, perSymbol });
    return perSymbol;
  } catch (err) {
    if (err instanceof InvalidLimitsError) throw new Error(err.message.replace(/^perSymbol\./, ''));
    throw err;
  }
}

/** RISK_LIMITS's value: a limits document, checked on its own. Throws a sentence without the key. */
function readDocument(json: string): LimitsDocument {
  if (json.trim() === '') return {};
  const doc = parseLimitsDocument(parseJson(json));
  for (const [field, key] of Object.entries(KEYED)) {
    if (doc.global !== undefined && Object.hasOwn(doc.global, field)) throw new Error(`global.${field} has its own key: set ${key} instead`);
  }
  validateLimits({ global: { ...PLACEHOLDER, ...doc.global }, ...(doc.perStrategy ? { perStrategy: doc.perStrategy } : {}), ...(doc.perSymbol ? { perSymbol: doc.perSymbol } : {}) });
  return doc;
}

/** RISK_LIMITS_PER_SYMBOL: checked when the configuration is loaded, kept as its JSON text. */
export function perSymbolField(doc: string): Field<string> {
  return {
    doc,
    default: '',
    parse: (raw) => {
      readPerSymbol(raw);
      return raw;
    },
  };
}

/** RISK_LIMITS: one JSON document (global, perStrategy, perSymbol), checked when the configuration is loaded. */
export function limitsDocumentField(doc: string): Field<LimitsDocument> {
  return { doc, default: {}, parse: readDocument };
}

/** RISK_DAY_START_UTC: `HH:MM` as milliseconds after 00:00 UTC. */
export function dayStartField(doc: string): Field<number> {
  return {
    doc,
    default: 0,
    parse: (raw) => {
      const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(raw.trim());
      if (!m) throw new Error(`expected a UTC time of day HH:MM, got ${JSON.stringify(raw)}`);
      return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
    },
  };
}

/**
 * The limits book from the keyed limits, the per-symbol JSON overrides and the RISK_LIMITS
 * document (whose per-symbol part may not be used together with RISK_LIMITS_PER_SYMBOL). Throws
 * `ConfigError` naming the key.
 */
export function limitsFromConfig(keyed: KeyedLimits, perSymbolJson: string, doc: LimitsDocument = {}): LimitsBook {
  let perSymbol: Record<string, SymbolLimits> | undefined;
  try {
    perSymbol = readPerSymbol(perSymbolJson);
  } catch (err) {
    throw new ConfigError([`RISK_LIMITS_PER_SYMBOL: ${(err as Error).message}`]);
  }
  if (perSymbol !== undefined && doc.perSymbol !== undefined) {
    throw new ConfigError(['RISK_LIMITS_PER_SYMBOL and RISK_LIMITS.perSymbol both set per-symbol limits: use one of them']);
  }
  perSymbol ??= doc.perSymbol;
  const book: LimitsBook = {
    global: { ...doc.global, ...keyed },
    ...(doc.perStrategy ? { perStrategy: doc.perStrategy } : {}),
    ...(perSymbol ? { perSymbol } : {}),
  };
  try {
    return validateLimits(book);
  } catch (err) {
    if (!(err instanceof InvalidLimitsError)) throw err;
    const field = err.path.split('.').pop() as keyof KeyedLimits;
    const key = err.path.startsWith('global.') && KEYED[field] ? KEYED[field] : err.path.startsWith('perSymbol.') && doc.perSymbol === undefined ? 'RISK_LIMITS_PER_SYMBOL' : 'RISK_LIMITS';
    throw new ConfigError([`${key}: ${err.message}`]);
  }
}
