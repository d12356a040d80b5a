import { DomainError, dec } from '@meridian/domain';
import { InvalidLimitsError, limitsFor, validateLimits } from '../src';
import type { LimitsBook } from '../src';

const global = { maxOrderQuantity: dec('2'), maxOrderNotional: dec('50000'), maxPosition: dec('1') };

describe('limitsFor', () => {
  const book: LimitsBook = { global, perSymbol: { 'ETH-USDT': { maxPosition: dec('10') } } };

  test('merges overrides field by field over the global limits', () => {
    const eth = limitsFor('ETH-USDT', book);
    expect(eth.maxPosition.toString()).toBe('10');
    expect(eth.maxOrderQuantity.toString()).toBe('2');
    expect(eth.maxOrderNotional.toString()).toBe('50000');
  });

  test('symbols without overrides get the global limits', () => {
    expect(limitsFor('BTC-USDT', book)).toBe(global);
    expect(limitsFor('BTC-USDT', { global })).toBe(global);
  });

  test('symbols named like Object.prototype members get the global limits', () => {
    expect(limitsFor('constructor', book)).toBe(global);
    expect(limitsFor('__proto__', book)).toBe(global);
  });
});

describe('validateLimits', () => {
  test('returns a valid book unchanged', () => {
    const book: LimitsBook = { global, perSymbol: { 'BTC-USDT': { maxOrderQuantity: dec('0.5') } } };
    expect(validateLimits(book)).toBe(book);
    expect(validateLimits({ global })).toEqual({ global });
  });

  const cases: [string, unknown][] = [
    ['perSymbol.BTC-USDT.maxPosition must be positive, got -1', { global, perSymbol: { 'BTC-USDT': { maxPosition: dec('-1') } } }],
    ['perSymbol.BTC-USDT.maxOrderNotional must be positive, got 0', { global, perSymbol: { 'BTC-USDT': { maxOrderNotional: dec(0) } } }],
    ['global.maxOrderQuantity must be positive, got 0', { global: { ...global, maxOrderQuantity: dec(0) } }],
    ['global.maxPosition is required', { global: { maxOrderQuantity: dec(1), maxOrderNotional: dec(1) } }],
    ['global.maxOrderNotional must be a Decimal, got "100"', { global: { ...global, maxOrderNotional: '100' } }],
    ['global must be an object, got undefined', {}],
    ['perSymbol.ETH-USDT.maxPositon is not a known limit (expected maxOrderQuantity, maxOrderNotional, maxPosition)', { global, perSymbol: { 'ETH-USDT': { maxPositon: dec(5) } } }],
    ['perSymbol.ETH-USDT must be an object, got 5', { global, perSymbol: { 'ETH-USDT': 5 } }],
    ['perSymbol must be an object, got an array', { global, perSymbol: [] }],
    ['perSymbols is not a known key (expected global, perSymbol)', { global, perSymbols: {} }],
  ];

  test.each(cases)('refuses with "%s"', (message, book) => {
    expect(() => validateLimits(book as LimitsBook)).toThrow(InvalidLimitsError);
    expect(() => validateLimits(book as LimitsBook)).toThrow(message);
    try {
      validateLimits(book as LimitsBook);
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('INVALID_RISK_LIMITS');
      expect((e as Error).message).toBe(message);
      expect(message.startsWith((e as InvalidLimitsError).path)).toBe(true);
    }
  });
});
