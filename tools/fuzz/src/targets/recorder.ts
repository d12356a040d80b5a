import fc from 'fast-check';
import { Subjects } from '@meridian/bus';
import { Bar, GetBarsRequest } from '@meridian/proto';
import { barFromWire } from '@meridian/recorder/dist/bar-records';
import { MAX_GET_BARS_LIMIT, barQueryOf } from '@meridian/recorder/dist/get-bars';
import { anyText, numberText } from '../arbitraries';
import { target } from '../target';
import { priceText } from './venue-shapes';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const int64 = fc.oneof({ weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 2n * 10n ** 18n }) }, { weight: 1, arbitrary: fc.bigInt({ min: INT64_MIN, max: INT64_MAX }) }, { weight: 1, arbitrary: fc.constantFrom(0n, -1n, INT64_MIN, INT64_MAX) });
const uint32 = fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.constantFrom(0, 1, 2 ** 32 - 1));
const venue = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('okx', 'binance', 'sim') }, { weight: 1, arbitrary: fc.constantFrom('', 'OKX', 'ok x', 'a.b', '*', '>', 'x'.repeat(40)) }, { weight: 1, arbitrary: anyText });
const symbol = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('BTC-USDT', 'ETH-USDT') }, { weight: 1, arbitrary: fc.constantFrom('', 'btc-usdt', 'BTC.USDT', 'BTC USDT', '*', 'A'.repeat(70)) }, { weight: 1, arbitrary: anyText });
const interval = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('1s', '1m', '5m', '1h', 'v10', 'v0p5') }, { weight: 1, arbitrary: fc.constantFrom('', '60s', 'v0p50', '0m', '1M', 'v', '1 m', '1.m') }, { weight: 1, arbitrary: anyText });

/** `barQueryOf` (services/recorder get-bars): the validation of a GetBars request. */
export const getBarsRequest = target<GetBarsRequest>({
  name: 'recorder.get-bars-request',
  calls: 'services/recorder get-bars barQueryOf',
  weight: 30,
  ciRuns: 200,
  codes: ['RECORDER_INVALID_REQUEST'],
  arbitrary: fc.record({ venue, symbol, interval, fromTsNs: int64, toTsNs: int64, limit: uint32 }).map((r) => GetBarsRequest.fromPartial(r)),
  run(req) {
    const q = barQueryOf(req);
    if (!(q.limit !== undefined && q.limit >= 1 && q.limit <= MAX_GET_BARS_LIMIT && Number.isInteger(q.limit))) return `limit ${q.limit} for a requested ${req.limit}`;
    if ((q.fromTsNs ?? 0n) < 0n || (q.toTsNs ?? 0n) < 0n) return `negative bound ${q.fromTsNs} .. ${q.toTsNs}`;
    if (q.fromTsNs !== undefined && q.toTsNs !== undefined && q.toTsNs < q.fromTsNs) return `to ${q.toTsNs} before from ${q.fromTsNs}`;
    if (q.venue === '' || q.symbol === '' || q.interval === '') return 'empty series field accepted';
    return undefined;
  },
});

const subjects = new Subjects('');

export const wireBar = fc
  .record({
    venue,
    symbol,
    interval,
    startTsNs: int64,
    span: fc.oneof(fc.bigInt({ min: 1n, max: 3_600_000_000_000n }), fc.bigInt({ min: -10n, max: 0n })),
    prices: fc.array(fc.oneof({ weight: 6, arbitrary: priceText }, { weight: 1, arbitrary: numberText }), { minLength: 4, maxLength: 4 }),
    volume: fc.oneof(priceText, numberText),
    notional: fc.oneof(priceText, numberText),
    tradeCount: fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    revision: uint32,
    subject: fc.constantFrom<'own' | 'other'>('own', 'own', 'own', 'other'),
  })
  .map((r) => {
    const [a, b, c, d] = r.prices as [string, string, string, string];
    const sorted = [a, b, c, d].every((p) => /^\d+(\.\d+)?$/.test(p)) ? [a, b, c, d].sort((x, y) => Number(x) - Number(y)) : [a, b, c, d];
    const message = Bar.fromPartial({
      venue: r.venue,
      symbol: r.symbol,
      interval: r.interval,
      startTsNs: r.startTsNs,
      endTsNs: BigInt.asIntN(64, r.startTsNs + r.span),
      low: sorted[0],
      open: sorted[1],
      close: sorted[2],
      high: sorted[3],
      volume: r.volume,
      notional: r.notional,
      tradeCount: r.tradeCount,
      revision: r.revision,
    });
    let subject = 'md.okx.BTC-USDT.bars.1m';
    if (r.subject === 'own') {
      try {
        subject = subjects.bars(r.venue, r.symbol, r.interval);
      } catch {
        // Not a subject token: the message could not have arrived on its own subject; another will do.
      }
    }
    return { bar: message, subject };
  });

/** `barFromWire` (services/recorder bar-records): the recorder's check of every bar message before it is stored. */
export const barRecord = target<{ bar: Bar; subject: string }>({
  name: 'recorder.bar-record',
  calls: 'services/recorder bar-records barFromWire',
  weight: 40,
  ciRuns: 300,
  codes: ['BUS_POISON_MESSAGE'],
  arbitrary: wireBar,
  run({ bar: b, subject }) {
    const s = barFromWire(b, subject, (v, sym, i) => subjects.bars(v, sym, i));
    if (s.low.gt(s.high) || s.open.lt(s.low) || s.open.gt(s.high) || s.close.lt(s.low) || s.close.gt(s.high)) return `OHLC ${s.open} ${s.high} ${s.low} ${s.close} stored`;
    if (s.volume.isNegative()) return `volume ${s.volume} stored`;
    if (s.startTsNs < 0n || s.endTsNs <= s.startTsNs) return `span ${s.startTsNs} .. ${s.endTsNs} stored`;
    if (!Number.isSafeInteger(s.tradeCount) || s.tradeCount < 0) return `trade count ${s.tradeCount} stored`;
    if (subject !== subjects.bars(s.venue, s.symbol, s.interval)) return `bar of ${s.venue}/${s.symbol}/${s.interval} stored from ${subject}`;
    return undefined;
  },
});

export { INT64_MAX, INT64_MIN };
