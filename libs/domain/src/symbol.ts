import { DomainError, InvalidSymbolError } from './errors';

declare const symbolBrand: unique symbol;
/** A normalised instrument symbol, safe to use as one NATS subject token (e.g. `BTC-USDT`, `BRK-B`). */
export type InstrumentSymbol = string & { readonly [symbolBrand]: true };

declare const venueBrand: unique symbol;
/** A venue id, lower case, safe as a subject token (e.g. `okx`, `alpaca`, `paper`, `sim`). */
export type VenueId = string & { readonly [venueBrand]: true };

const SYMBOL_TOKEN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;
const VENUE_TOKEN = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Normalises a venue's spelling of a symbol into a subject-safe token: upper case, and the
 * separators that would split or break a NATS subject (`/`, `.`, space) become `-`
 * (`btc/usdt` → `BTC-USDT`, `BRK.B` → `BRK-B`).
 */
export function parseSymbol(raw: string): InstrumentSymbol {
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidSymbolError(raw, 'empty');
  const normalised = raw.trim().toUpperCase().replace(/[/. ]/g, '-');
  if (!SYMBOL_TOKEN.test(normalised)) {
    throw new InvalidSymbolError(raw, 'only A-Z, 0-9, "-" and "_" are allowed, at most 64 characters');
  }
  return normalised as InstrumentSymbol;
}

export function isSymbol(raw: string): raw is InstrumentSymbol {
  return SYMBOL_TOKEN.test(raw);
}

export function parseVenue(raw: string): VenueId {
  const normalised = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (!VENUE_TOKEN.test(normalised)) {
    throw new DomainError('INVALID_VENUE', `invalid venue ${JSON.stringify(String(raw))}: a venue id is lower-case letters, digits, "-" and "_"`);
  }
  return normalised as VenueId;
}
