import { Decimal, InstrumentRuleError, parseSymbol, parseVenue, validateOrderTerms } from '../src';
import type { Instrument } from '../src';

const d = (s: string) => Decimal.parse(s);

const btc: Instrument = {
  venue: parseVenue('okx'),
  symbol: parseSymbol('BTC-USDT'),
  baseCurrency: 'BTC',
  quoteCurrency: 'USDT',
  tickSize: d('0.1'),
  lotSize: d('0.00001'),
  minQuantity: d('0.0001'),
  minNotional: d('5'),
};

function rule(quantity: string, price?: string): { code: string; message: string } | undefined {
  try {
    validateOrderTerms(btc, d(quantity), price === undefined ? undefined : d(price));
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(InstrumentRuleError);
    return { code: (err as InstrumentRuleError).code, message: (err as Error).message };
  }
}

test('valid terms pass, with or without a price', () => {
  expect(rule('0.001', '65000.1')).toBeUndefined();
  expect(rule('0.0001', '50000')).toBeUndefined(); // notional exactly 5
  expect(rule('0.00012')).toBeUndefined(); // market order: no price checks
});

test.each([
  ['0', '65000', 'QUANTITY_NOT_POSITIVE', 'okx:BTC-USDT: quantity 0 must be positive'],
  ['-0.001', '65000', 'QUANTITY_NOT_POSITIVE', 'okx:BTC-USDT: quantity -0.001 must be positive'],
  ['0.000015', '65000', 'QUANTITY_NOT_LOT_MULTIPLE', 'okx:BTC-USDT: quantity 0.000015 is not a multiple of lot size 0.00001'],
  ['0.00005', '65000', 'QUANTITY_BELOW_MIN', 'okx:BTC-USDT: quantity 0.00005 is below the minimum 0.0001'],
  ['0.001', '0', 'PRICE_NOT_POSITIVE', 'okx:BTC-USDT: price 0 must be positive'],
  ['0.001', '-1', 'PRICE_NOT_POSITIVE', 'okx:BTC-USDT: price -1 must be positive'],
  ['0.001', '65000.15', 'PRICE_NOT_TICK_MULTIPLE', 'okx:BTC-USDT: price 65000.15 is not a multiple of tick size 0.1'],
  ['0.0001', '49999.9', 'NOTIONAL_BELOW_MIN', 'okx:BTC-USDT: notional 4.99999 is below the minimum 5'],
])('quantity %s at price %s is refused with %s', (quantity, price, code, message) => {
  expect(rule(quantity, price)).toEqual({ code, message });
});

test('the quantity rules apply to market orders too', () => {
  expect(rule('0.000015')?.code).toBe('QUANTITY_NOT_LOT_MULTIPLE');
  expect(rule('0.00005')?.code).toBe('QUANTITY_BELOW_MIN');
});
