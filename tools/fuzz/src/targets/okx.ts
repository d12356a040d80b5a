import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { FrameRejectedError, OkxBookSync, SymbolBook, crc32, decodeOkxBookData, decodeOkxFrame, okxChecksum, okxChecksumString } from '@meridian/venues';
import type { NormalizedBookUpdate, OkxBookData, OkxLevel } from '@meridian/venues';
import { scanOkxPush } from '@meridian/venues/dist/okx/fast-push';
import type { FastRoute } from '@meridian/venues/dist/okx/fast-push';
import { decodeCandle, decodeRestBook, decodeTrade } from '@meridian/venues/dist/okx/protocol';
import { anyText, asParsed, jsonFrame, shaped } from '../arbitraries';
import { Refused, target } from '../target';
import { bookProblem, decodedKey, levelsProblem } from './invariants';
import { okxBookData, okxCandle, okxFrame, okxRestBody, okxTrade } from './venue-shapes';

const FRAME_CODES = ['FRAME_REJECTED'];
const REJECT_REASONS = new Set(['schema', 'non_finite', 'non_positive', 'crossed', 'stale', 'out_of_order', 'checksum', 'unknown_symbol', 'venue_error']);

/** `decodeFrame` (libs/venues okx/protocol): the envelope of every OKX WebSocket text frame. */
export const okxFrameTarget = target<string>({
  name: 'okx.frame',
  calls: 'libs/venues okx/protocol decodeFrame',
  weight: 60,
  ciRuns: 300,
  codes: FRAME_CODES,
  arbitrary: jsonFrame(okxFrame),
  run(text) {
    const f = decodeOkxFrame(text);
    if (f.kind === 'push') {
      if (typeof f.arg.channel !== 'string' || typeof f.arg.instId !== 'string') return 'push with a non-string arg';
      if (!Array.isArray(f.data)) return 'push data is not an array';
      if (f.action !== undefined && typeof f.action !== 'string') return 'push action is not a string';
    } else if ((f.kind === 'error' || f.kind === 'notice') && (typeof f.code !== 'string' || typeof f.msg !== 'string')) {
      return `${f.kind} with a non-string code or msg`;
    }
    return undefined;
  },
});

/** `decodeBookData` (libs/venues okx/protocol): one `data` element of a book push, as snapshot or delta. */
export const okxBookDataTarget = target<{ value: unknown; kind: 'snapshot' | 'delta' }>({
  name: 'okx.book-data',
  calls: 'libs/venues okx/protocol decodeBookData',
  weight: 60,
  ciRuns: 300,
  codes: FRAME_CODES,
  arbitrary: fc.record({ value: shaped(okxBookData).map(asParsed), kind: fc.constantFrom<'snapshot' | 'delta'>('snapshot', 'delta') }),
  run({ value, kind }) {
    return bookProblem(decodeOkxBookData(value, 'data[0]', kind), kind);
  },
});

/** `decodeTrade` (libs/venues okx/protocol): one element of a `trades` push. */
export const okxTradeTarget = target<unknown>({
  name: 'okx.trade',
  calls: 'libs/venues okx/protocol decodeTrade',
  weight: 40,
  ciRuns: 200,
  codes: FRAME_CODES,
  arbitrary: shaped(okxTrade).map(asParsed),
  run(value) {
    const t = decodeTrade(value, 0);
    if (t.tradeId === '') return 'empty trade id accepted';
    if (!t.price.isPositive() || !t.size.isPositive()) return `trade ${t.price} x ${t.size} accepted`;
    if (t.side !== 'BUY' && t.side !== 'SELL') return `side ${String(t.side)}`;
    if (t.tsNs < 0n) return `negative time ${t.tsNs}`;
    return undefined;
  },
});

/** `decodeCandle` (libs/venues okx/protocol): one bar of a `candle<bar>` push. */
export const okxCandleTarget = target<unknown>({
  name: 'okx.candle',
  calls: 'libs/venues okx/protocol decodeCandle',
  weight: 40,
  ciRuns: 200,
  codes: FRAME_CODES,
  arbitrary: shaped(okxCandle).map(asParsed),
  run(value) {
    const c = decodeCandle(value, 'data[0]');
    if (![c.open, c.high, c.low, c.close].every((d) => d.isPositive())) return `non-positive price in ${c.open} ${c.high} ${c.low} ${c.close}`;
    if (c.high.lt(Decimal.max(c.open, c.close)) || c.low.gt(Decimal.min(c.open, c.close)) || c.low.gt(c.high)) return `h/l do not bound o/c: ${c.open} ${c.high} ${c.low} ${c.close}`;
    if (c.volume.isNegative()) return `negative volume ${c.volume}`;
    if (c.startTsNs < 0n) return `negative start ${c.startTsNs}`;
    return undefined;
  },
});

/** `decodeRestBook` (libs/venues okx/protocol): the body of `GET /api/v5/market/books`. */
export const okxRestBookTarget = target<unknown>({
  name: 'okx.rest-book',
  calls: 'libs/venues okx/protocol decodeRestBook',
  weight: 40,
  ciRuns: 200,
  codes: FRAME_CODES,
  arbitrary: shaped(okxRestBody).map(asParsed),
  run(body) {
    const book = decodeRestBook(body);
    if (book.seqId === undefined) return 'REST snapshot without seqId accepted';
    return bookProblem(book, 'snapshot');
  },
});

/** How the feed routes pushes (BTC-USDT on `books`, ETH-USDT on `books5`, trades for both). */
function route(channel: string, instId: string, action: string | undefined): FastRoute | undefined {
  if (instId === 'BTC-USDT') {
    if (channel === 'books') return action === 'snapshot' ? 'snapshot' : action === 'update' ? 'delta' : undefined;
    return channel === 'trades' ? 'trades' : undefined;
  }
  if (instId === 'ETH-USDT') return channel === 'books5' ? 'snapshot' : channel === 'trades' ? 'trades' : undefined;
  return undefined;
}

/** The general path, as the feed takes it: JSON.parse and the decoders. */
function general(text: string): { trades: unknown[] } | { books: OkxBookData[] } | string {
  try {
    const frame = decodeOkxFrame(text);
    if (frame.kind !== 'push') return `a ${frame.kind} event`;
    const how = route(frame.arg.channel, frame.arg.instId, frame.action);
    if (how === undefined) return 'not a push the shortcut takes';
    if (frame.data.length === 0) return 'refused: empty data';
    if (how === 'trades') return { trades: frame.data.map((d, i) => decodeTrade(d, i)) };
    return { books: frame.data.map((d, i) => decodeOkxBookData(d, `data[${i}]`, how)) };
  } catch (err) {
    if (err instanceof FrameRejectedError) return `refused: ${err.detail}`;
    throw err;
  }
}

/**
 * `scanOkxPush` (libs/venues okx/fast-push), the shortcut reader of trades and book pushes. Its
 * contract: it never throws and never accepts what the general path refuses; when it takes a
 * frame it gives exactly the general path's values. Giving up is its documented refusal.
 */
export const okxFastPush = target<string>({
  name: 'okx.fast-push',
  calls: 'libs/venues okx/fast-push scanOkxPush (against decodeFrame + decoders)',
  weight: 60,
  ciRuns: 300,
  codes: [],
  arbitrary: jsonFrame(okxFrame),
  run(text) {
    const fast = scanOkxPush(text, route);
    if (fast === undefined) throw new Refused('left to the general path');
    const slow = general(text);
    if (typeof slow === 'string') return `the shortcut took a frame the general path calls ${slow}`;
    const fastValue = fast.route === 'trades' ? { trades: fast.trades } : { books: fast.books };
    const a = decodedKey(fastValue);
    const b = decodedKey(slow);
    return a === b ? undefined : `the shortcut read ${a}, the general path ${b}`;
  },
});

const levelText = fc.record({ px: fc.oneof(anyText, fc.constantFrom('42219.9', '0.10', '1e-7')), sz: fc.oneof(anyText, fc.constantFrom('0', '2', '1.000')) });

/** `okxChecksum`, `checksumString`, `crc32` (libs/venues okx/checksum), against zlib's CRC-32. */
export const okxChecksumTarget = target<{ bids: { px: string; sz: string }[]; asks: { px: string; sz: string }[] }>({
  name: 'okx.checksum',
  calls: 'libs/venues okx/checksum okxChecksum, checksumString, crc32 (against node:zlib crc32)',
  weight: 30,
  ciRuns: 200,
  codes: [],
  arbitrary: fc.record({ bids: fc.array(levelText, { maxLength: 40 }), asks: fc.array(levelText, { maxLength: 40 }) }),
  run({ bids, asks }) {
    const text = okxChecksumString(bids, asks);
    const ours = crc32(text);
    const zlib = zlibCrc32(text);
    if (ours !== zlib) return `crc32 ${ours} != zlib ${zlib} for ${JSON.stringify(text.slice(0, 60))}`;
    if (okxChecksum(bids, asks) !== (zlib | 0)) return 'okxChecksum is not the signed CRC of checksumString';
    const used = Math.min(bids.length, 25) + Math.min(asks.length, 25);
    const parts = [...bids.slice(0, 25), ...asks.slice(0, 25)].reduce((n, l) => n + l.px.split(':').length + l.sz.split(':').length, 0);
    if (used > 0 && text.split(':').length !== parts) return `checksum string has ${text.split(':').length} parts, expected ${parts}`;
    return undefined;
  },
});

type SyncOp =
  | { op: 'snapshot' | 'delta'; data: OkxBookData }
  | { op: 'rest'; data: OkxBookData; staleEpoch: boolean }
  | { op: 'lost' }
  | { op: 'restart' };

const price = fc.integer({ min: 9_990, max: 10_010 }).map((n) => Decimal.fromUnits(BigInt(n), 1));
const size = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }).map((n) => Decimal.fromUnits(BigInt(n), 1)) }, { weight: 1, arbitrary: fc.constant(Decimal.ZERO) });
const level: fc.Arbitrary<OkxLevel> = fc.tuple(price, size).map(([p, s]) => ({ price: p, size: s, px: p.toString(), sz: s.toString() }));

/** Decoded book data: levels around 1000.0, seqIds that mostly chain (each op's `gap` sometimes breaks it). */
const syncOps: fc.Arbitrary<SyncOp[]> = fc
  .array(
    fc.record({
      op: fc.constantFrom('snapshot', 'delta', 'delta', 'delta', 'delta', 'rest', 'lost', 'restart'),
      bids: fc.array(level, { maxLength: 5 }),
      asks: fc.array(level, { maxLength: 5 }),
      gap: fc.integer({ min: -2, max: 3 }),
      breakChain: fc.nat({ max: 9 }),
      withSeq: fc.nat({ max: 19 }),
      checksum: fc.constantFrom<number | undefined>(undefined, 0, 0, 0, 123_456),
      staleEpoch: fc.nat({ max: 9 }),
    }),
    { maxLength: 30 },
  )
  .map((raw) => {
    let seq = 1_000n;
    return raw.map((r): SyncOp => {
      if (r.op === 'lost' || r.op === 'restart') return { op: r.op };
      const prev = r.op === 'snapshot' ? -1n : seq;
      seq = r.breakChain === 0 ? seq + BigInt(r.gap) : seq + 1n;
      const sides = r.op === 'delta' ? { bids: r.bids, asks: r.asks } : { bids: r.bids.filter((l) => !l.size.isZero()), asks: r.asks.filter((l) => !l.size.isZero()) };
      // Keep most snapshots uncrossed so the sync gets to its live phase.
      const bids = r.op === 'delta' ? sides.bids : sides.bids.filter((l) => l.price.lt(Decimal.parse('1000')));
      const asks = r.op === 'delta' ? sides.asks : sides.asks.filter((l) => l.price.gte(Decimal.parse('1000')));
      const data: OkxBookData = {
        bids,
        asks,
        tsNs: 1_700_000_000_000_000_000n,
        checksum: r.checksum,
        seqId: r.withSeq === 0 ? undefined : seq,
        prevSeqId: r.withSeq === 0 ? undefined : r.op === 'rest' ? undefined : prev,
      };
      return r.op === 'rest' ? { op: 'rest', data, staleEpoch: r.staleEpoch === 0 } : { op: r.op as 'snapshot' | 'delta', data };
    });
  });

/**
 * `OkxBookSync` (libs/venues okx/book-sync) over `SymbolBook`: sequences of snapshots, deltas,
 * REST answers and lost frames. After every step: the phase is `live` exactly when the book is
 * synced, a synced book is not crossed, rejections carry a known reason, and what the book emits
 * is numbered 1, 2, 3… whatever happened.
 */
export const okxBookSyncTarget = target<{ rest: boolean; ops: SyncOp[] }>({
  name: 'okx.book-sync',
  calls: 'libs/venues okx/book-sync OkxBookSync + SymbolBook',
  weight: 20,
  ciRuns: 200,
  codes: [],
  arbitrary: fc.record({ rest: fc.boolean(), ops: syncOps }),
  run({ rest, ops }) {
    const emitted: NormalizedBookUpdate[] = [];
    const book = new SymbolBook('okx', 'BTC-USDT', (u) => emitted.push(u));
    const sync = new OkxBookSync(book, { restSnapshots: rest, maxBufferedDeltas: 8 });
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      const step =
        o.op === 'snapshot'
          ? sync.onSnapshot(o.data, 1n)
          : o.op === 'delta'
            ? sync.onDelta(o.data, 1n)
            : o.op === 'rest'
              ? sync.onRestSnapshot(o.staleEpoch ? sync.epoch - 1 : sync.epoch, o.data, 1n)
              : o.op === 'lost'
                ? sync.lost('schema rejection')
                : (sync.restart(), { rejections: [] });
      for (const r of step.rejections) if (!REJECT_REASONS.has(r.reason)) return `op ${i}: rejection reason ${r.reason}`;
      if ((sync.phase === 'live') !== book.synced) return `op ${i} (${o.op}): phase ${sync.phase} but the book is ${book.synced ? '' : 'not '}synced`;
      if (sync.bufferedDeltas > 8) return `op ${i}: ${sync.bufferedDeltas} deltas buffered, the limit is 8`;
      if (book.synced) {
        const bid = book.book.bestBid();
        const ask = book.book.bestAsk();
        if (bid && ask && bid.price.gte(ask.price)) return `op ${i} (${o.op}): synced book crossed at ${bid.price} / ${ask.price}`;
        const depth = book.book.depth(1_000);
        const problem = levelsProblem(depth.bids, 'bids', 'positive') ?? levelsProblem(depth.asks, 'asks', 'positive');
        if (problem !== undefined) return `op ${i}: ${problem}`;
      }
    }
    for (let i = 0; i < emitted.length; i++) if (emitted[i]!.seq !== BigInt(i + 1)) return `emitted update ${i} has seq ${emitted[i]!.seq}`;
    return undefined;
  },
});
