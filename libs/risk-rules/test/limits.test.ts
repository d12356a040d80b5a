import { DomainError, dec } from '@meridian/domain';
import { InvalidLimitsError, limitsFor, parseLimitsDocument, validateLimits } from '../src';
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
    [
      'perSymbol.ETH-USDT.maxPositon is not a known limit (expected maxOrderQuantity, maxOrderNotional, maxPosition, maxLongPosition, maxShortPosition, priceBandBps, maxSymbolOpenOrders, maxSymbolOrdersPerWindow)',
      { global, perSymbol: { 'ETH-USDT': { maxPositon: dec(5) } } },
    ],
    ['perSymbol.ETH-USDT must be an object, got 5', { global, perSymbol: { 'ETH-USDT': 5 } }],
    ['perSymbol must be an object, got an array', { global, perSymbol: [] }],
    ['perSymbols is not a known key (expected global, perStrategy, perSymbol)', { global, perSymbols: {} }],
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

describe('limitsFor: global, strategy and symbol precedence', () => {
  const book: LimitsBook = {
    global: { ...global, priceBandBps: dec(100), maxSymbolOpenOrders: 5, maxStrategyOpenOrders: 20, maxOpenOrders: 100 },
    perStrategy: {
      careful: { maxOrderQuantity: dec('0.5'), maxPosition: dec('3'), maxStrategyOpenOrders: 2 },
      loose: { maxOrderQuantity: dec('50'), priceBandBps: dec(300) },
    },
    perSymbol: {
      'ETH-USDT': { maxOrderQuantity: dec('20'), maxPosition: dec('10'), maxSymbolOpenOrders: 8 },
      'DOGE-USDT': { priceBandBps: dec(500) },
    },
  };

  test('global is the default of every field', () => {
    expect(limitsFor('BTC-USDT', book, 'other')).toBe(book.global);
    expect(limitsFor('BTC-USDT', book)).toBe(book.global);
  });

  test('a strategy override replaces the default, and may loosen it', () => {
    expect(limitsFor('BTC-USDT', book, 'careful').maxOrderQuantity.toString()).toBe('0.5');
    expect(limitsFor('BTC-USDT', book, 'loose').maxOrderQuantity.toString()).toBe('50');
    expect(limitsFor('BTC-USDT', book, 'careful').maxStrategyOpenOrders).toBe(2);
    expect(limitsFor('BTC-USDT', book, 'careful').maxOrderNotional.toString()).toBe('50000');
  });

  test('a symbol override replaces the default, and may loosen it', () => {
    const eth = limitsFor('ETH-USDT', book, 'other');
    expect([eth.maxOrderQuantity.toString(), eth.maxPosition.toString(), eth.maxSymbolOpenOrders]).toEqual(['20', '10', 8]);
  });

  test('when both override a field, the stricter one applies, whichever it is', () => {
    // careful says 0.5, ETH says 20: careful's stays; loose says 50, ETH says 20: ETH's stays.
    expect(limitsFor('ETH-USDT', book, 'careful').maxOrderQuantity.toString()).toBe('0.5');
    expect(limitsFor('ETH-USDT', book, 'loose').maxOrderQuantity.toString()).toBe('20');
    expect(limitsFor('ETH-USDT', book, 'careful').maxPosition.toString()).toBe('3');
    expect(limitsFor('DOGE-USDT', book, 'loose').priceBandBps?.toString()).toBe('300');
    expect(limitsFor('BTC-USDT', book, 'loose').priceBandBps?.toString()).toBe('300');
  });

  test('names of Object.prototype members are not overrides', () => {
    expect(limitsFor('constructor', book, '__proto__')).toBe(book.global);
    expect(limitsFor('toString', book, 'hasOwnProperty')).toBe(book.global);
  });
});

describe('validateLimits: the newer limits', () => {
  const ok: LimitsBook = {
    global: {
      ...global,
      maxLongPosition: dec(0),
      maxShortPosition: dec('0.5'),
      priceBandBps: dec(0),
      maxSymbolOpenOrders: 0,
      maxSymbolOrdersPerWindow: 10,
      maxStrategyOpenOrders: 50,
      maxStrategyOrdersPerWindow: 20,
      maxOpenOrders: 100,
      maxOrdersPerWindow: 40,
      orderRateWindowMs: 1000,
      maxOpenPositions: 10,
      maxGrossExposure: dec('1000000'),
      maxNetExposure: dec('500000'),
      maxDailyLoss: dec('2500'),
      maxDrawdown: dec('10000'),
    },
    perStrategy: { s1: { maxStrategyOpenOrders: 3, maxStrategyOrdersPerWindow: 1, priceBandBps: dec(25), maxShortPosition: dec(0) } },
    perSymbol: { 'BTC-USDT': { maxSymbolOpenOrders: 2, maxSymbolOrdersPerWindow: 4, maxLongPosition: dec(2) } },
  };

  test('accepts zero (no longs, no shorts, no orders) and positive values at every level they belong to', () => {
    expect(validateLimits(ok)).toBe(ok);
  });

  const cases: [string, unknown][] = [
    ['global.maxShortPosition must be zero or positive, got -1', { global: { ...global, maxShortPosition: dec(-1) } }],
    ['global.maxGrossExposure must be a Decimal, got 5', { global: { ...global, maxGrossExposure: 5 } }],
    ['global.maxOpenOrders must be a whole number, got 1.5', { global: { ...global, maxOpenOrders: 1.5 } }],
    ['global.maxOpenOrders must be a whole number, got "3"', { global: { ...global, maxOpenOrders: '3' } }],
    ['global.maxOpenPositions must be zero or positive, got -2', { global: { ...global, maxOpenPositions: -2 } }],
    ['global.orderRateWindowMs must be positive, got 0', { global: { ...global, orderRateWindowMs: 0 } }],
    ['perSymbol.BTC-USDT.maxGrossExposure is an account-wide limit: allowed in global only', { global, perSymbol: { 'BTC-USDT': { maxGrossExposure: dec(1) } } }],
    ['perStrategy.s1.maxDailyLoss is an account-wide limit: allowed in global only', { global, perStrategy: { s1: { maxDailyLoss: dec(1) } } }],
    ['perStrategy.s1.maxSymbolOpenOrders is a symbol-scoped limit: allowed in global and perSymbol only', { global, perStrategy: { s1: { maxSymbolOpenOrders: 1 } } }],
    ['perSymbol.ETH-USDT.maxStrategyOrdersPerWindow is a strategy-scoped limit: allowed in global and perStrategy only', { global, perSymbol: { 'ETH-USDT': { maxStrategyOrdersPerWindow: 1 } } }],
    ['perStrategy.s1.priceBandBps must be zero or positive, got -0.5', { global, perStrategy: { s1: { priceBandBps: dec('-0.5') } } }],
    ['perStrategy.s1 must be an object, got null', { global, perStrategy: { s1: null } }],
    ['perStrategy. names no strategy', { global, perStrategy: { '': {} } }],
  ];

  test.each(cases)('refuses with "%s"', (message, book) => {
    expect(() => validateLimits(book as LimitsBook)).toThrow(InvalidLimitsError);
    try {
      validateLimits(book as LimitsBook);
    } catch (e) {
      expect((e as DomainError).code).toBe('INVALID_RISK_LIMITS');
      expect((e as Error).message).toBe(message);
      expect(message.startsWith((e as InvalidLimitsError).path)).toBe(true);
    }
  });
});

describe('parseLimitsDocument', () => {
  test('reads decimals from strings and counts from numbers or digit strings, every level optional', () => {
    const doc = parseLimitsDocument({
      global: { maxGrossExposure: '250000.5', maxOpenOrders: 40, maxOrdersPerWindow: '12' },
      perStrategy: { mm: { priceBandBps: '15', maxStrategyOpenOrders: 4 } },
      perSymbol: { 'ETH-USDT': { maxPosition: '5', maxSymbolOrdersPerWindow: 3 } },
    });
    expect(doc.global?.maxGrossExposure?.toString()).toBe('250000.5');
    expect(doc.global?.maxOpenOrders).toBe(40);
    expect(doc.global?.maxOrdersPerWindow).toBe(12);
    expect(doc.perStrategy?.['mm']?.priceBandBps?.toString()).toBe('15');
    expect(doc.perSymbol?.['ETH-USDT']?.maxPosition?.toString()).toBe('5');
    expect(parseLimitsDocument({})).toEqual({});
  });

  test.each<[string, unknown]>([
    ['limits must be an object, got an array', []],
    ['global.maxDailyLoss is not a decimal: "lots"', { global: { maxDailyLoss: 'lots' } }],
    ['global.maxDailyLoss is not a decimal: true', { global: { maxDailyLoss: true } }],
    ['global.maxOpenOrders is not a whole number: "3.5"', { global: { maxOpenOrders: '3.5' } }],
    ['perSymbol.BTC-USDT.maxPositon is not a known limit', { perSymbol: { 'BTC-USDT': { maxPositon: '1' } } }],
    ['perSymbol.BTC-USDT.maxNetExposure is an account-wide limit: allowed in global only', { perSymbol: { 'BTC-USDT': { maxNetExposure: '1' } } }],
    ['perStrategies is not a known key (expected global, perStrategy, perSymbol)', { perStrategies: {} }],
    // Found by fuzzing: describing these values ran their own toString and threw a TypeError.
    ['global.maxGrossExposure is not a decimal: an object', JSON.parse('{"global":{"maxGrossExposure":{"toString":1}}}')],
    ['global must be an object, got an array', { global: [] }],
    ['perSymbol must be an object, got an array', { perSymbol: [] }],
  ])('refuses with "%s"', (message, doc) => {
    expect(() => parseLimitsDocument(doc)).toThrow(InvalidLimitsError);
    expect(() => parseLimitsDocument(doc)).toThrow(message);
  });

  test('negative values pass parsing and are refused by validateLimits, naming the path', () => {
    const doc = parseLimitsDocument({ global: { maxDrawdown: '-5' } });
    expect(() => validateLimits({ global: { ...global, ...doc.global } })).toThrow('global.maxDrawdown must be zero or positive, got -5');
  });
});

test('validateLimits names an object that is not a Decimal without calling its toString (found by fuzzing)', () => {
  const book = { global: { ...global, maxDrawdown: JSON.parse('{"toString":1,"valueOf":1}') } } as LimitsBook;
  expect(() => validateLimits(book)).toThrow('global.maxDrawdown must be a Decimal, got an object');
});

test('parseLimitsDocument keeps a "__proto__" key as a name, not as a prototype', () => {
  const doc = parseLimitsDocument(JSON.parse('{"perSymbol":{"__proto__":{"maxPosition":"-1"}}}'));
  expect(Object.keys(doc.perSymbol!)).toEqual(['__proto__']);
  expect(() => validateLimits({ global, ...doc } as LimitsBook)).toThrow('perSymbol.__proto__.maxPosition must be positive, got -1');
});
