export { Decimal, dec } from './decimal';
export type { RoundingMode } from './decimal';
export { parseSymbol, isSymbol, parseVenue } from './symbol';
export type { InstrumentSymbol, VenueId } from './symbol';
export { parseSide, sideSign, oppositeSide } from './side';
export type { Side } from './side';
export { validateOrderTerms } from './instrument';
export type { Instrument } from './instrument';
export { newId, nowNanos } from './ids';
export {
  PlatformError,
  DomainError,
  InvalidDecimalError,
  DivisionByZeroError,
  InvalidSymbolError,
  InvalidSideError,
  InstrumentRuleError,
} from './errors';
