import { Decimal } from './decimal';
import { InstrumentRuleError } from './errors';
import type { InstrumentSymbol, VenueId } from './symbol';

/** Trading rules of one symbol on one venue. */
export interface Instrument {
  readonly venue: VenueId;
  readonly symbol: InstrumentSymbol;
  readonly baseCurrency: string;
  readonly quoteCurrency: string;
  /** Smallest price increment. */
  readonly tickSize: Decimal;
  /** Smallest quantity increment. */
  readonly lotSize: Decimal;
  readonly minQuantity: Decimal;
  /** Smallest price × quantity the venue accepts. */
  readonly minNotional: Decimal;
}

/** Refuses a price or quantity the venue would reject, naming the rule and the values. */
export function validateOrderTerms(instrument: Instrument, quantity: Decimal, price: Decimal | undefined): void {
  const where = `${instrument.venue}:${instrument.symbol}`;
  if (!quantity.isPositive()) {
    throw new InstrumentRuleError('QUANTITY_NOT_POSITIVE', `${where}: quantity ${quantity} must be positive`);
  }
  if (!quantity.isMultipleOf(instrument.lotSize)) {
    throw new InstrumentRuleError('QUANTITY_NOT_LOT_MULTIPLE', `${where}: quantity ${quantity} is not a multiple of lot size ${instrument.lotSize}`);
  }
  if (quantity.lt(instrument.minQuantity)) {
    throw new InstrumentRuleError('QUANTITY_BELOW_MIN', `${where}: quantity ${quantity} is below the minimum ${instrument.minQuantity}`);
  }
  if (price !== undefined) {
    if (!price.isPositive()) {
      throw new InstrumentRuleError('PRICE_NOT_POSITIVE', `${where}: price ${price} must be positive`);
    }
    if (!price.isMultipleOf(instrument.tickSize)) {
      throw new InstrumentRuleError('PRICE_NOT_TICK_MULTIPLE', `${where}: price ${price} is not a multiple of tick size ${instrument.tickSize}`);
    }
    const notional = price.mul(quantity);
    if (notional.lt(instrument.minNotional)) {
      throw new InstrumentRuleError('NOTIONAL_BELOW_MIN', `${where}: notional ${notional} is below the minimum ${instrument.minNotional}`);
    }
  }
}
