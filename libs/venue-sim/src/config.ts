import { Decimal } from '@meridian/domain';
import { SimConfigError } from './errors';
import { validateFeeSchedule } from './fees';
import type { AccountSpec, QueueModel, SimInstrument, SimVenueOptions } from './types';

export const QUEUE_MODELS: readonly QueueModel[] = ['pro_rata', 'back', 'front'];

/** Account ids starting with this are the venue's own (house, fees) and cannot be opened. */
export const VENUE_ACCOUNT_PREFIX = '@';

function nonEmptyString(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SimConfigError(key, value, 'must be a non-empty string');
  return value;
}

function positiveDecimal(value: unknown, key: string): Decimal {
  if (!(value instanceof Decimal) || !value.isPositive()) throw new SimConfigError(key, value, 'must be a positive Decimal');
  return value;
}

function validateInstrument(instrument: SimInstrument, key: string): SimInstrument {
  if (instrument === null || typeof instrument !== 'object') throw new SimConfigError(key, instrument, 'must be an instrument object');
  nonEmptyString(instrument.symbol, `${key}.symbol`);
  const base = nonEmptyString(instrument.baseCurrency, `${key}.baseCurrency`);
  const quote = nonEmptyString(instrument.quoteCurrency, `${key}.quoteCurrency`);
  if (base === quote) throw new SimConfigError(`${key}.quoteCurrency`, quote, 'must differ from the base currency');
  positiveDecimal(instrument.tickSize, `${key}.tickSize`);
  positiveDecimal(instrument.lotSize, `${key}.lotSize`);
  if (instrument.minQuantity !== undefined) positiveDecimal(instrument.minQuantity, `${key}.minQuantity`);
  if (instrument.minNotional !== undefined && (!(instrument.minNotional instanceof Decimal) || instrument.minNotional.isNegative())) {
    throw new SimConfigError(`${key}.minNotional`, instrument.minNotional, 'must be a non-negative Decimal');
  }
  return instrument;
}

/** Checks every venue option at construction; an error names the key. */
export function validateVenueOptions(options: SimVenueOptions): void {
  if (options === null || typeof options !== 'object') throw new SimConfigError('options', options, 'must be an object');
  if (!Array.isArray(options.instruments) || options.instruments.length === 0) {
    throw new SimConfigError('instruments', options.instruments, 'must be a non-empty array');
  }
  const symbols = new Set<string>();
  options.instruments.forEach((instrument, i) => {
    validateInstrument(instrument, `instruments[${i}]`);
    if (symbols.has(instrument.symbol)) throw new SimConfigError(`instruments[${i}].symbol`, instrument.symbol, 'is listed twice');
    symbols.add(instrument.symbol);
  });
  validateFeeSchedule(options.fees, 'fees');
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new SimConfigError('clock', options.clock, 'must be a function returning bigint ns');
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new SimConfigError('seed', options.seed, 'must be a safe integer');
  if (options.firstId !== undefined && (typeof options.firstId !== 'bigint' || options.firstId < 1n)) {
    throw new SimConfigError('firstId', options.firstId, 'must be a positive bigint');
  }
  if (options.queueModel !== undefined && !QUEUE_MODELS.includes(options.queueModel)) {
    throw new SimConfigError('queueModel', options.queueModel, `must be one of ${QUEUE_MODELS.join(', ')}`);
  }
  if (options.slippage !== undefined && (options.slippage === null || typeof options.slippage.ticks !== 'function')) {
    throw new SimConfigError('slippage', options.slippage, 'must be a SlippageModel ({ ticks(random, side, quantity) })');
  }
}

/** Checks an account spec; an error names the key, e.g. `account "a".balances.USD`. */
export function validateAccountSpec(spec: AccountSpec): void {
  if (spec === null || typeof spec !== 'object') throw new SimConfigError('account', spec, 'must be an AccountSpec object');
  const id = nonEmptyString(spec.id, 'account.id');
  if (id.startsWith(VENUE_ACCOUNT_PREFIX)) throw new SimConfigError('account.id', id, `must not start with "${VENUE_ACCOUNT_PREFIX}" (the venue's own accounts)`);
  const key = `account ${JSON.stringify(id)}`;
  if (spec.mode !== 'cash' && spec.mode !== 'margin') throw new SimConfigError(`${key}.mode`, spec.mode, "must be 'cash' or 'margin'");
  if (spec.balances === null || typeof spec.balances !== 'object') throw new SimConfigError(`${key}.balances`, spec.balances, 'must be an object of currency → Decimal');
  for (const [currency, amount] of Object.entries(spec.balances)) {
    nonEmptyString(currency, `${key}.balances key`);
    if (!(amount instanceof Decimal)) throw new SimConfigError(`${key}.balances.${currency}`, amount, 'must be a Decimal');
    // A margin account may open owing (a short carried over from an earlier run of the paper venue).
    if (spec.mode === 'cash' && amount.isNegative()) throw new SimConfigError(`${key}.balances.${currency}`, amount, 'must not be negative in a cash account');
  }
  if (spec.fees !== undefined) validateFeeSchedule(spec.fees, `${key}.fees`);
  if (spec.leverage !== undefined) {
    positiveDecimal(spec.leverage, `${key}.leverage`);
    if (spec.mode === 'cash' && !spec.leverage.eq(Decimal.ONE)) throw new SimConfigError(`${key}.leverage`, spec.leverage, 'applies to margin accounts only');
  }
}
