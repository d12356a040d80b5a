import { AlpacaSymbols, alpacaErrorCode, formatRfc3339Nanos, parseRfc3339Nanos } from '../src';

describe('parseRfc3339Nanos', () => {
  const ms = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

  test('keeps every nanosecond digit', () => {
    expect(parseRfc3339Nanos('2024-03-05T14:30:00.123456789Z')).toBe(ms('2024-03-05T14:30:00Z') + 123_456_789n);
    expect(parseRfc3339Nanos('2024-03-05T14:30:00.000000001Z')).toBe(ms('2024-03-05T14:30:00Z') + 1n);
    expect(parseRfc3339Nanos('2024-03-05T14:30:00.5Z')).toBe(ms('2024-03-05T14:30:00Z') + 500_000_000n);
    expect(parseRfc3339Nanos('2021-02-22T15:51:44.208Z')).toBe(ms('2021-02-22T15:51:44.208Z'));
    expect(parseRfc3339Nanos('2024-03-05T14:30:00Z')).toBe(ms('2024-03-05T14:30:00Z'));
    expect(parseRfc3339Nanos('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseRfc3339Nanos('1969-12-31T23:59:59.999999999Z')).toBe(-1n);
  });

  test('applies offsets, and agrees with Date to the millisecond across many dates', () => {
    expect(parseRfc3339Nanos('2024-03-05T09:30:00.000000123-05:00')).toBe(ms('2024-03-05T14:30:00Z') + 123n);
    expect(parseRfc3339Nanos('2024-03-06T00:15:00+05:45')).toBe(ms('2024-03-05T18:30:00Z'));
    expect(parseRfc3339Nanos('2024-03-05t14:30:00z')).toBe(ms('2024-03-05T14:30:00Z'));
    // Every 97th day from 1900 to 2100 (leap years, century rules) against the platform's own calendar.
    for (let t = Date.UTC(1900, 0, 1); t < Date.UTC(2100, 0, 1); t += 97 * 86_400_000 + 3_723_456) {
      const iso = new Date(t).toISOString();
      expect(parseRfc3339Nanos(iso)).toBe(BigInt(t) * 1_000_000n);
    }
  });

  test('refuses what is not a valid timestamp', () => {
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T23:59:60Z',
      '2024-01-01T00:00:00',
      '2024-01-01T00:00:00.1234567891Z',
      '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00+25:00',
      '',
      'yesterday',
    ]) {
      expect([bad, parseRfc3339Nanos(bad)]).toEqual([bad, undefined]);
    }
    expect(parseRfc3339Nanos('2000-02-29T00:00:00Z')).toBe(ms('2000-02-29T00:00:00Z'));
  });
});

describe('AlpacaSymbols', () => {
  test('stocks: share classes use a dot at Alpaca and a dash on the platform', () => {
    const s = new AlpacaSymbols('stocks', ['AAPL', 'BRK-B']);
    expect(s.venueSymbols).toEqual(['AAPL', 'BRK.B']);
    // Alpaca's own spelling (as MARKET_SOURCE=alpaca:AAPL,BRK.B passes it) gives the same mapping.
    const spelled = new AlpacaSymbols('stocks', ['aapl', 'BRK.B']);
    expect([spelled.platformSymbols, spelled.venueSymbols]).toEqual([['AAPL', 'BRK-B'], ['AAPL', 'BRK.B']]);
    expect(new AlpacaSymbols('crypto', ['BTC/USD']).platformOf('BTC/USD')).toBe('BTC-USD');
    expect(s.platformOf('BRK.B')).toBe('BRK-B');
    expect(s.platformOf('MSFT')).toBeUndefined();
  });

  test('crypto: BASE/QUOTE at Alpaca, BASE-QUOTE on the platform; overrides and bad input are checked', () => {
    const s = new AlpacaSymbols('crypto', ['BTC-USD', 'ETH-USD']);
    expect(s.venueSymbols).toEqual(['BTC/USD', 'ETH/USD']);
    expect(s.platformOf('BTC/USD')).toBe('BTC-USD');
    expect(() => new AlpacaSymbols('crypto', ['BTCUSD'])).toThrow(/BASE-QUOTE/);
    expect(() => new AlpacaSymbols('stocks', ['BRK B!'])).toThrow(/is not a symbol/);
    expect(() => new AlpacaSymbols('stocks', ['BRK-B', 'BRK.B'])).toThrow(/configured twice/);
    expect(() => new AlpacaSymbols('stocks', ['AAPL'], { MSFT: 'MSFT' })).toThrow(/venueSymbols.MSFT/);
    expect(() => new AlpacaSymbols('stocks', ['BRK-B', 'BRK-A'], { 'BRK-A': 'BRK.B' })).toThrow(/also the Alpaca symbol/);
  });
});

test('every documented error code is handled as documented, unknown ones reconnect', () => {
  const handling = Object.fromEntries([400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 500, 599].map((c) => [c, alpacaErrorCode(c).handling]));
  expect(handling).toEqual({
    400: 'config',
    401: 'reconnect',
    402: 'config',
    403: 'ignore',
    404: 'reconnect',
    405: 'config',
    406: 'config',
    407: 'reconnect',
    408: 'config',
    409: 'config',
    410: 'config',
    500: 'reconnect',
    599: 'reconnect',
  });
});

describe('formatRfc3339Nanos', () => {
  test('writes every significant nanosecond digit in UTC', () => {
    const ms = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;
    expect(formatRfc3339Nanos(ms('2024-03-05T14:30:00Z') + 123_456_789n)).toBe('2024-03-05T14:30:00.123456789Z');
    expect(formatRfc3339Nanos(ms('2021-03-16T18:38:01Z') + 942_282_000n)).toBe('2021-03-16T18:38:01.942282Z');
    expect(formatRfc3339Nanos(ms('2024-03-05T14:30:00Z') + 1n)).toBe('2024-03-05T14:30:00.000000001Z');
    expect(formatRfc3339Nanos(ms('2024-02-29T23:59:59Z'))).toBe('2024-02-29T23:59:59Z');
    expect(formatRfc3339Nanos(0n)).toBe('1970-01-01T00:00:00Z');
    expect(formatRfc3339Nanos(-1n)).toBe('1969-12-31T23:59:59.999999999Z');
  });

  test('round-trips through parseRfc3339Nanos and agrees with Date across two centuries', () => {
    for (let t = Date.UTC(1900, 0, 1); t < Date.UTC(2100, 0, 1); t += 89 * 86_400_000 + 5_432_109) {
      const ns = BigInt(t) * 1_000_000n + BigInt(Math.abs(t) % 999_999);
      const text = formatRfc3339Nanos(ns);
      expect(parseRfc3339Nanos(text)).toBe(ns);
      expect(text.slice(0, 19)).toBe(new Date(t).toISOString().slice(0, 19));
    }
  });
});
