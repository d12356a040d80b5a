import { DomainError, InvalidSideError, InvalidSymbolError, isSymbol, oppositeSide, parseSide, parseSymbol, parseVenue, sideSign } from '../src';
import { thrown } from './helpers';


describe('parseSymbol', () => {
  test.each([
    ['btc/usdt', 'BTC-USDT'],
    ['BRK.B', 'BRK-B'],
    ['brk.b', 'BRK-B'],
    [' eth-usdt ', 'ETH-USDT'],
    ['btc usdt', 'BTC-USDT'],
    ['BTC-USDT', 'BTC-USDT'],
    ['BTC_USDT_SWAP', 'BTC_USDT_SWAP'],
    ['es.z24', 'ES-Z24'],
    ['1000PEPE/USDT', '1000PEPE-USDT'],
    ['a', 'A'],
    ['x'.repeat(64), 'X'.repeat(64)],
  ])('%j → %j', (raw, want) => {
    const s = parseSymbol(raw);
    expect(s).toBe(want);
    expect(isSymbol(s)).toBe(true);
    expect(parseSymbol(s)).toBe(s); // idempotent
  });

  test('the result is one NATS subject token', () => {
    for (const raw of ['btc/usdt', 'BRK.B', 'a b.c/d']) expect(parseSymbol(raw)).not.toMatch(/[.\s*>/]/);
  });

  test.each([
    ['', /empty/],
    ['   ', /empty/],
    ['BTC*', /only A-Z, 0-9/],
    ['BTC>', /only A-Z, 0-9/],
    ['BTC$USDT', /only A-Z, 0-9/],
    ['BTC\tUSDT', /only A-Z, 0-9/],
    ['ÉTH-USDT', /only A-Z, 0-9/],
    ['-BTC', /only A-Z, 0-9/],
    ['/BTC', /only A-Z, 0-9/],
    ['.BTC', /only A-Z, 0-9/],
    ['_BTC', /only A-Z, 0-9/],
    ['x'.repeat(65), /at most 64 characters/],
  ])('refuses %j', (raw, reason) => {
    const err = thrown(() => parseSymbol(raw));
    expect(err).toBeInstanceOf(InvalidSymbolError);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as InvalidSymbolError).code).toBe('INVALID_SYMBOL');
    expect((err as InvalidSymbolError).input).toBe(raw);
    expect(err.message).toContain(JSON.stringify(raw));
    expect(err.message).toMatch(reason);
  });

  test('refuses a non-string', () => {
    expect(thrown(() => parseSymbol(undefined as unknown as string))).toBeInstanceOf(InvalidSymbolError);
    expect(thrown(() => parseSymbol(42 as unknown as string))).toBeInstanceOf(InvalidSymbolError);
  });

  test('isSymbol only accepts the normalised form', () => {
    expect(isSymbol('BTC-USDT')).toBe(true);
    expect(isSymbol('btc-usdt')).toBe(false);
    expect(isSymbol('BTC/USDT')).toBe(false);
    expect(isSymbol('BRK.B')).toBe(false);
    expect(isSymbol('')).toBe(false);
  });
});

describe('parseVenue', () => {
  test.each([
    ['okx', 'okx'],
    [' OKX ', 'okx'],
    ['Paper', 'paper'],
    ['alpaca_paper-2', 'alpaca_paper-2'],
    ['v'.repeat(32), 'v'.repeat(32)],
  ])('%j → %j', (raw, want) => {
    expect(parseVenue(raw)).toBe(want);
  });

  test.each(['', '1okx', 'ok x', 'ok.x', '-okx', 'v'.repeat(33), 'bin*'])('refuses %j', (raw) => {
    const err = thrown(() => parseVenue(raw));
    expect(err).toBeInstanceOf(DomainError);
    expect(err.message).toContain(JSON.stringify(raw));
    expect(err.message).toMatch(/venue id/);
  });

  test('refuses a non-string', () => {
    expect(thrown(() => parseVenue(null as unknown as string))).toBeInstanceOf(DomainError);
  });
});

describe('sides', () => {
  test.each([
    ['BUY', 'BUY'],
    ['buy', 'BUY'],
    [' Sell ', 'SELL'],
  ])('parseSide(%j) is %s', (raw, want) => {
    expect(parseSide(raw)).toBe(want);
  });

  test.each(['', 'B', 'S', 'BUYS', 'LONG', 'SIDE_BUY'])('parseSide refuses %j', (raw) => {
    const err = thrown(() => parseSide(raw));
    expect(err).toBeInstanceOf(InvalidSideError);
    expect((err as InvalidSideError).code).toBe('INVALID_SIDE');
    expect(err.message).toBe(`invalid side ${JSON.stringify(raw)}: expected BUY or SELL`);
  });

  test('parseSide refuses a non-string', () => {
    expect(thrown(() => parseSide(1 as unknown as string))).toBeInstanceOf(InvalidSideError);
  });

  test('sideSign and oppositeSide', () => {
    expect(sideSign('BUY')).toBe(1);
    expect(sideSign('SELL')).toBe(-1);
    expect(oppositeSide('BUY')).toBe('SELL');
    expect(oppositeSide('SELL')).toBe('BUY');
  });
});
