import { Decimal } from '@meridian/domain';
import { limitsFromConfig } from '../src/limits';

const global = { maxOrderQuantity: Decimal.parse('10'), maxOrderNotional: Decimal.parse('5000'), maxPosition: Decimal.parse('1') };

test('per-symbol JSON overrides the global limits field by field', () => {
  const book = limitsFromConfig(global, '{"ETH-USDT":{"maxPosition":"5"}}');
  expect(book.perSymbol?.['ETH-USDT']?.maxPosition?.toString()).toBe('5');
  expect(book.global.maxPosition.toString()).toBe('1');
});

test('no overrides is just the global limits', () => {
  expect(limitsFromConfig(global, '').perSymbol).toBeUndefined();
});

test('bad overrides are refused naming the key and value', () => {
  expect(() => limitsFromConfig(global, '{oops')).toThrow(/RISK_LIMITS_PER_SYMBOL: not JSON/);
  expect(() => limitsFromConfig(global, '[]')).toThrow(/RISK_LIMITS_PER_SYMBOL: expected an object/);
  expect(() => limitsFromConfig(global, '{"ETH-USDT":{"maxPosition":"lots"}}')).toThrow(/ETH-USDT.maxPosition is not a decimal: "lots"/);
  expect(() => limitsFromConfig(global, '{"ETH-USDT":{"maxPosition":"-1"}}')).toThrow(/maxPosition/);
});
