import { parseSourceSpec as parseSource } from '../src';

test('parses every source form', () => {
  expect(parseSource('simulator')).toEqual({ kind: 'simulator' });
  expect(parseSource('okx:BTC-USDT, ETH-USDT')).toEqual({ kind: 'okx', symbols: ['BTC-USDT', 'ETH-USDT'] });
  expect(parseSource('alpaca:AAPL,BRK.B')).toEqual({ kind: 'alpaca', symbols: ['AAPL', 'BRK.B'] });
  expect(parseSource('alpaca-crypto:BTC/USD')).toEqual({ kind: 'alpaca-crypto', symbols: ['BTC/USD'] });
  expect(parseSource('replay:/data/okx.jsonl')).toEqual({ kind: 'replay', path: '/data/okx.jsonl' });
});

test.each([
  ['kraken:BTC-USD', /unknown source "kraken"/],
  ['okx:', /okx needs symbols/],
  ['replay:', /replay needs a file/],
  ['okx', /expected "simulator"/],
  ['okx:BTC USDT$', /invalid symbol/],
  // Found by fuzzing: names every object inherits were taken for sources.
  ['valueOf:BTC-USDT', /unknown source "valueOf"/],
  ['toString:BTC-USDT', /unknown source "toString"/],
  ['__proto__:BTC-USDT', /unknown source "__proto__"/],
])('refuses %s with a message that says what is expected', (raw, message) => {
  expect(() => parseSource(raw)).toThrow(message);
});
