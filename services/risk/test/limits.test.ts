import { Decimal } from '@meridian/domain';
import { ConfigError } from '@meridian/runtime';
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

test('RISK_LIMITS adds every other limit: global, per strategy and per symbol', () => {
  const book = limitsFromConfig(global, '', {
    global: { maxGrossExposure: Decimal.parse('250000'), maxOpenOrders: 40 },
    perStrategy: { mm: { priceBandBps: Decimal.parse('15') } },
    perSymbol: { 'ETH-USDT': { maxSymbolOpenOrders: 3 } },
  });
  expect(book.global.maxGrossExposure?.toString()).toBe('250000');
  expect(book.global.maxOpenOrders).toBe(40);
  expect(book.global.maxPosition.toString()).toBe('1');
  expect(book.perStrategy?.['mm']?.priceBandBps?.toString()).toBe('15');
  expect(book.perSymbol?.['ETH-USDT']?.maxSymbolOpenOrders).toBe(3);
});

test('RISK_LIMITS_PER_SYMBOL takes every per-symbol limit, not only the original three', () => {
  const book = limitsFromConfig(global, '{"ETH-USDT":{"priceBandBps":"25","maxSymbolOrdersPerWindow":4}}');
  expect(book.perSymbol?.['ETH-USDT']?.priceBandBps?.toString()).toBe('25');
  expect(book.perSymbol?.['ETH-USDT']?.maxSymbolOrdersPerWindow).toBe(4);
  expect(() => limitsFromConfig(global, '{"ETH-USDT":{"maxOpenOrders":4}}')).toThrow(
    'RISK_LIMITS_PER_SYMBOL: ETH-USDT.maxOpenOrders is an account-wide limit: allowed in global only',
  );
});

test('per-symbol limits in both keys are refused with a ConfigError naming both', () => {
  const both = () => limitsFromConfig(global, '{"ETH-USDT":{"maxPosition":"5"}}', { perSymbol: { 'BTC-USDT': { maxPosition: Decimal.parse('2') } } });
  expect(both).toThrow(ConfigError);
  expect(both).toThrow('RISK_LIMITS_PER_SYMBOL and RISK_LIMITS.perSymbol both set per-symbol limits: use one of them');
});
