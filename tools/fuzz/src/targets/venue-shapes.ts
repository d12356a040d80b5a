import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { decimalText } from '../arbitraries';

/**
 * The documented shapes of venue messages, with plausible values: what the venues send (their
 * documentation's examples, and the frames of the recorded sessions in /work/shared/data).
 */

const positiveDecimalText = fc.tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 8 })).map(([units, scale]) => {
  const digits = String(units).padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
});

export const sizeText = fc.oneof({ weight: 5, arbitrary: positiveDecimalText }, { weight: 1, arbitrary: fc.constantFrom('0', '0.000') });
export const priceText = positiveDecimalText;
export const epochMillis = fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 });
export const epochMillisText = epochMillis.map(String);

/** Levels best first on either side of a mid price, so a valid snapshot is not crossed. */
export function bookSides(count = 6): fc.Arbitrary<{ bids: [string, string][]; asks: [string, string][] }> {
  return fc
    .tuple(
      fc.integer({ min: 1_000, max: 10_000_000 }),
      fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: count }),
      fc.array(fc.integer({ min: 1, max: 500 }), { maxLength: count }),
      fc.array(sizeText, { minLength: 2 * count, maxLength: 2 * count }),
    )
    .map(([mid, bidSteps, askSteps, sizes]) => {
      let bid = mid;
      let ask = mid + 1;
      const bids: [string, string][] = [];
      const asks: [string, string][] = [];
      bidSteps.forEach((s, i) => {
        bid -= s;
        if (bid > 0) bids.push([Decimal.fromUnits(BigInt(bid), 2).toString(), sizes[i]!]);
      });
      askSteps.forEach((s, i) => {
        asks.push([Decimal.fromUnits(BigInt(ask), 2).toString(), sizes[count + i]!]);
        ask += s;
      });
      return { bids, asks };
    });
}

export const OKX_INSTRUMENTS = ['BTC-USDT', 'ETH-USDT'] as const;
const instId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom<string>(...OKX_INSTRUMENTS) }, { weight: 1, arbitrary: fc.constantFrom('SOL-USDT', 'btc-usdt', '') });

const okxLevels = (levels: [string, string][]) => levels.map(([px, sz]) => [px, sz, '0', '3']);

/** One `data` element of an OKX `books` push or of the REST snapshot. */
export const okxBookData = fc
  .tuple(bookSides(), epochMillisText, fc.bigInt({ min: 1n, max: 2n ** 40n }), fc.constantFrom<'seq' | 'first' | 'none'>('seq', 'seq', 'seq', 'first', 'none'), fc.constantFrom<number | undefined>(0, 0, undefined, -855196043, 2147483647))
  .map(([sides, ts, seq, seqKind, checksum]) => ({
    asks: okxLevels(sides.asks),
    bids: okxLevels(sides.bids),
    ts,
    ...(checksum === undefined ? {} : { checksum }),
    ...(seqKind === 'none' ? {} : { seqId: Number(seq), prevSeqId: seqKind === 'first' ? -1 : Number(seq) - 1 }),
  }));

export const okxTrade = fc.record({
  instId,
  tradeId: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 }).map(String), fc.constantFrom('', '1', 'x'.repeat(40))),
  px: priceText,
  sz: positiveDecimalText,
  side: fc.constantFrom('buy', 'sell'),
  ts: epochMillisText,
  count: fc.constantFrom('1', '3'),
});

/** `[ts, o, h, l, c, vol, volCcy, volCcyQuote, confirm]` with h and l bounding o and c. */
export const okxCandle = fc
  .tuple(epochMillisText, fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 4, maxLength: 4 }), sizeText, fc.constantFrom('0', '1'))
  .map(([ts, prices, vol, confirm]) => {
    const sorted = [...prices].sort((a, b) => a - b).map((p) => Decimal.fromUnits(BigInt(p), 2).toString());
    const [low, a, b, high] = sorted as [string, string, string, string];
    return [ts, a, high, low, b, vol, '1000', '1000', confirm];
  });

export const okxPush = fc.oneof(
  fc.record({
    arg: fc.record({ channel: fc.constantFrom('books', 'books5', 'bbo-tbt'), instId }),
    action: fc.constantFrom('snapshot', 'update'),
    data: fc.array(okxBookData, { minLength: 1, maxLength: 2 }),
  }),
  fc.record({ arg: fc.record({ channel: fc.constant('trades'), instId }), data: fc.array(okxTrade, { minLength: 1, maxLength: 3 }) }),
  fc.record({ arg: fc.record({ channel: fc.constantFrom('candle1m', 'candle1H', 'candle6H', 'candle1Dutc'), instId }), data: fc.array(okxCandle, { minLength: 1, maxLength: 2 }) }),
);

export const okxEvent = fc.oneof(
  fc.record({ event: fc.constantFrom('subscribe', 'unsubscribe'), arg: fc.record({ channel: fc.constantFrom('books', 'trades'), instId }), connId: fc.constant('a4d3ae55') }),
  fc.record({ event: fc.constantFrom('error', 'notice', 'channel-conn-count', 'channel-conn-count-error', 'login'), code: fc.constantFrom('60012', '64008', '0'), msg: fc.string({ maxLength: 20 }) }),
);

export const okxFrame = fc.oneof({ weight: 4, arbitrary: okxPush }, { weight: 1, arbitrary: okxEvent });

/** The body of `GET /api/v5/market/books`. */
export const okxRestBody = fc.record({ code: fc.constantFrom('0', '0', '0', '50011'), msg: fc.constant(''), data: fc.array(okxBookData, { minLength: 1, maxLength: 1 }) });

/** Binance `depthUpdate` (the `data` of a combined-stream frame); futures add `pu`. */
export const binanceDepthUpdate = fc
  .tuple(bookSides(), fc.bigInt({ min: 1n, max: 2n ** 40n }), fc.integer({ min: 0, max: 20 }), epochMillis, fc.boolean())
  .map(([sides, first, span, time, futures]) => ({
    e: 'depthUpdate',
    E: time,
    s: 'BTCUSDT',
    U: Number(first),
    u: Number(first) + span,
    ...(futures ? { pu: Number(first) - 1 } : {}),
    b: sides.bids,
    a: sides.asks,
  }));

/** The body of `GET /api/v3/depth`. */
export const binanceDepthSnapshot = fc.tuple(bookSides(), fc.bigInt({ min: 1n, max: 2n ** 40n }), fc.option(epochMillis)).map(([sides, id, e]) => ({
  lastUpdateId: Number(id),
  ...(e === null ? {} : { E: e }),
  bids: sides.bids,
  asks: sides.asks,
}));

export const binanceTrade = fc.record({
  e: fc.constant('trade'),
  E: epochMillis,
  s: fc.constant('BTCUSDT'),
  t: fc.integer({ min: 0, max: 2 ** 40 }),
  p: priceText,
  q: positiveDecimalText,
  T: epochMillis,
  m: fc.boolean(),
  M: fc.constant(true),
});

export const binanceAggTrade = fc.record({
  e: fc.constant('aggTrade'),
  E: epochMillis,
  s: fc.constant('BTCUSDT'),
  a: fc.integer({ min: 0, max: 2 ** 40 }),
  p: priceText,
  q: positiveDecimalText,
  f: fc.integer({ min: 0, max: 2 ** 40 }),
  l: fc.integer({ min: 0, max: 2 ** 40 }),
  T: epochMillis,
  m: fc.boolean(),
});

export const binanceKline = fc.tuple(okxCandle, fc.boolean(), fc.constantFrom('1s', '1m', '1h')).map(([c, closed, interval]) => ({
  e: 'kline',
  E: Number(c[0]),
  s: 'BTCUSDT',
  k: { t: Number(c[0]), T: Number(c[0]) + 59_999, s: 'BTCUSDT', i: interval, f: 100, L: 200, o: c[1], c: c[4], h: c[2], l: c[3], v: c[5], n: 100, x: closed, q: '1.0', V: '500', Q: '0.5', B: '0' },
}));

const rfc3339 = fc
  .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.stringMatching(/^\d{0,9}$/), fc.constantFrom('Z', 'z', '+00:00', '-05:00', '+09:30'))
  .map(([d, fraction, zone]) => `${d.toISOString().slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}${zone}`);

export const alpacaTimestamp = rfc3339;

const jsonPrice = fc.oneof(fc.integer({ min: 1, max: 1_000_000 }).map((n) => n / 100), fc.constantFrom(182.48, 1.2e-7, 0.0001, 65_000.5));

export const alpacaTrade = fc.record({
  T: fc.constant('t'),
  S: fc.constantFrom('AAPL', 'BTC/USD'),
  i: fc.integer({ min: 0, max: 2 ** 52 }),
  x: fc.constantFrom('V', 'CBSE'),
  p: jsonPrice,
  s: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant(0.0001)),
  c: fc.constant(['@']),
  z: fc.constant('C'),
  t: rfc3339,
  tks: fc.constantFrom('B', 'S'),
}, { requiredKeys: ['T', 'S', 'i', 'p', 's', 't'] });

export const alpacaQuote = fc.record({
  T: fc.constant('q'),
  S: fc.constant('AMD'),
  bx: fc.constant('U'),
  bp: fc.oneof(jsonPrice, fc.constant(0)),
  bs: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(0)),
  ax: fc.constant('Q'),
  ap: fc.oneof(jsonPrice, fc.constant(0)),
  as: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constant(0)),
  c: fc.constant(['R']),
  z: fc.constant('C'),
  t: rfc3339,
});

export const alpacaBar = fc.tuple(fc.array(jsonPrice, { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 1_000_000 }), rfc3339).map(([prices, v, t]) => {
  const [l, a, b, h] = [...prices].sort((x, y) => x - y) as [number, number, number, number];
  return { T: 'b', S: 'SPY', o: a, h, l, c: b, v, t };
});

export { decimalText };
