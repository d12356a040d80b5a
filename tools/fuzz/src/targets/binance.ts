import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { DepthSynchroniser, decodeDepthEvent, decodeDepthSnapshot, parseRetryAfter } from '@meridian/venues';
import type { DepthEvent, DepthSyncAction } from '@meridian/venues';
import { decodeAggTrade, decodeKline, decodeTrade } from '@meridian/venues/dist/binance/decode';
import { parseJson, record } from '@meridian/venues/dist/decode';
import { anyText, asParsed, jsonFrame, numberText, shaped } from '../arbitraries';
import { target } from '../target';
import { levelsProblem } from './invariants';
import { binanceAggTrade, binanceDepthSnapshot, binanceDepthUpdate, binanceKline, binanceTrade } from './venue-shapes';

const FRAME_CODES = ['FRAME_REJECTED'];

/** `decodeDepthEvent` (libs/venues binance/decode): the `data` of a `depthUpdate` stream frame. */
export const binanceDepthEventTarget = target<unknown>({
  name: 'binance.depth-event',
  calls: 'libs/venues binance/decode decodeDepthEvent',
  weight: 50,
  ciRuns: 300,
  codes: FRAME_CODES,
  arbitrary: shaped(binanceDepthUpdate).map(asParsed),
  run(value) {
    // The feed reads the frame's `data` as an object first, as here.
    const e = decodeDepthEvent(record(value, 'data'), 1n);
    if (e.finalUpdateId < e.firstUpdateId) return `u ${e.finalUpdateId} before U ${e.firstUpdateId} accepted`;
    if (e.tsNs < 0n) return `negative E ${e.tsNs}`;
    return levelsProblem(e.bids, 'b', 'non_negative') ?? levelsProblem(e.asks, 'a', 'non_negative');
  },
});

/** `decodeDepthSnapshot` (libs/venues binance/decode) of the REST body text, as the feed reads it (`parseJson` first). */
export const binanceDepthSnapshotTarget = target<string>({
  name: 'binance.rest-depth',
  calls: 'libs/venues binance/decode parseJson + decodeDepthSnapshot (GET /api/v3/depth body)',
  weight: 50,
  ciRuns: 300,
  codes: FRAME_CODES,
  arbitrary: jsonFrame(binanceDepthSnapshot),
  run(text) {
    const s = decodeDepthSnapshot(parseJson(text), 7n);
    if (s.tsNs < 0n) return `negative E ${s.tsNs}`;
    return levelsProblem(s.bids, 'bids', 'non_negative') ?? levelsProblem(s.asks, 'asks', 'non_negative');
  },
});

/** `decodeTrade`, `decodeAggTrade`, `decodeKline` (libs/venues binance/decode): the other stream payloads. */
export const binanceStreamDataTarget = target<{ kind: 'trade' | 'aggTrade' | 'kline'; value: unknown }>({
  name: 'binance.stream-data',
  calls: 'libs/venues binance/decode decodeTrade, decodeAggTrade, decodeKline',
  weight: 50,
  ciRuns: 300,
  codes: FRAME_CODES,
  arbitrary: fc.oneof(
    shaped(binanceTrade).map((v) => ({ kind: 'trade' as const, value: asParsed(v) })),
    shaped(binanceAggTrade).map((v) => ({ kind: 'aggTrade' as const, value: asParsed(v) })),
    shaped(binanceKline).map((v) => ({ kind: 'kline' as const, value: asParsed(v) })),
  ),
  run({ kind, value }) {
    const data = record(value, 'data');
    if (kind === 'kline') {
      const k = decodeKline(data);
      if (![k.open, k.high, k.low, k.close].every((d) => d.isPositive())) return 'non-positive price in a kline';
      if (k.high.lt(Decimal.max(k.open, k.close)) || k.low.gt(Decimal.min(k.open, k.close))) return `h/l do not bound o/c: ${k.open} ${k.high} ${k.low} ${k.close}`;
      if (k.volume.isNegative()) return `negative volume ${k.volume}`;
      return undefined;
    }
    const t = kind === 'trade' ? decodeTrade(data) : decodeAggTrade(data);
    if (!t.price.isPositive() || !t.size.isPositive()) return `${kind} ${t.price} x ${t.size} accepted`;
    if (!/^-?\d+$/.test(t.tradeId)) return `trade id ${t.tradeId}`;
    if (t.tsNs < 0n) return `negative T ${t.tsNs}`;
    return undefined;
  },
});

type DepthOp = { op: 'event'; event: DepthEvent } | { op: 'snapshot'; lastUpdateId: bigint } | { op: 'restart' };

const depthOps: fc.Arbitrary<DepthOp[]> = fc
  .array(
    fc.record({
      op: fc.constantFrom('event', 'event', 'event', 'event', 'snapshot', 'restart'),
      jump: fc.integer({ min: -3, max: 3 }),
      breakChain: fc.nat({ max: 7 }),
      span: fc.integer({ min: 0, max: 4 }),
      lag: fc.integer({ min: -6, max: 6 }),
    }),
    { maxLength: 40 },
  )
  .map((raw) => {
    let u = 100n;
    return raw.map((r): DepthOp => {
      if (r.op === 'restart') return { op: 'restart' };
      if (r.op === 'snapshot') return { op: 'snapshot', lastUpdateId: u + BigInt(r.lag) };
      const previous = u;
      const first = r.breakChain === 0 ? u + 1n + BigInt(r.jump) : u + 1n;
      u = first + BigInt(r.span);
      return { op: 'event', event: { firstUpdateId: first, finalUpdateId: u, previousFinalUpdateId: previous, bids: [], asks: [], tsNs: 0n, receivedTsNs: 0n } };
    });
  });

/**
 * `DepthSynchroniser` (libs/venues binance/depth-sync): Binance's local-book procedure over
 * sequences of events, snapshots and restarts. The actions it emits are checked against the
 * documented rules independently: the first delta after a snapshot straddles it, every later one
 * continues the previous; the counters agree with the actions.
 */
export const binanceDepthSyncTarget = target<{ chaining: 'spot' | 'futures'; ops: DepthOp[] }>({
  name: 'binance.depth-sync',
  calls: 'libs/venues binance/depth-sync DepthSynchroniser',
  weight: 20,
  ciRuns: 200,
  codes: [],
  arbitrary: fc.record({ chaining: fc.constantFrom<'spot' | 'futures'>('spot', 'futures'), ops: depthOps }),
  run({ chaining, ops }) {
    const sync = new DepthSynchroniser({ chaining, maxBuffered: 16 });
    let last: bigint | undefined;
    let first = false;
    let deltas = 0;
    const check = (actions: readonly DepthSyncAction[], i: number): string | undefined => {
      for (const a of actions) {
        if (a.kind === 'snapshot') {
          last = a.snapshot.lastUpdateId;
          first = true;
        } else if (a.kind === 'drop_book') {
          last = undefined;
        } else if (a.kind === 'delta') {
          deltas++;
          const e = a.event;
          if (last === undefined) return `op ${i}: delta U=${e.firstUpdateId} applied without a book`;
          const ok = first
            ? chaining === 'spot'
              ? e.firstUpdateId <= last + 1n && last + 1n <= e.finalUpdateId
              : e.firstUpdateId <= last && last <= e.finalUpdateId
            : chaining === 'spot'
              ? e.firstUpdateId === last + 1n
              : e.previousFinalUpdateId === last;
          if (!ok) return `op ${i}: delta U=${e.firstUpdateId} u=${e.finalUpdateId} pu=${e.previousFinalUpdateId} applied after ${last}${first ? ' (first after the snapshot)' : ''}`;
          last = e.finalUpdateId;
          first = false;
        }
      }
      return undefined;
    };
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i]!;
      const actions =
        o.op === 'event'
          ? sync.onEvent(o.event)
          : o.op === 'snapshot'
            ? sync.onSnapshot({ lastUpdateId: o.lastUpdateId, bids: [], asks: [], tsNs: 0n, receivedTsNs: 0n })
            : sync.restart(false);
      if (o.op === 'restart') last = undefined;
      const problem = check(actions, i);
      if (problem !== undefined) return problem;
      if (sync.buffered > 16) return `op ${i}: ${sync.buffered} events buffered, the limit is 16`;
      if ((sync.state === 'live') !== (last !== undefined)) return `op ${i}: state ${sync.state} but the actions ${last === undefined ? 'dropped' : 'kept'} the book`;
    }
    if (sync.counters.applied !== deltas) return `counters.applied ${sync.counters.applied}, ${deltas} delta actions`;
    return undefined;
  },
});

/** Longest wait a timer can hold (2^31 - 1 ms); a longer `setTimeout` fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `parseRetryAfter` (libs/venues binance/rest): the `Retry-After` header of a 429/418 answer. */
export const binanceRetryAfterTarget = target<{ value: string | null; nowMs: number }>({
  name: 'binance.retry-after',
  calls: 'libs/venues binance/rest parseRetryAfter',
  weight: 30,
  ciRuns: 200,
  codes: [],
  arbitrary: fc.record({
    value: fc.oneof(
      fc.constant(null),
      fc.integer({ min: 0, max: 3_600 }).map(String),
      numberText,
      fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
      fc.constantFrom('Wed, 21 Oct 2015 07:28:00 GMT', 'Fri, 31 Dec 9999 23:59:59 GMT', '0', '120', ' 30 ', '99999999999', '1e3', '-1'),
      anyText,
    ),
    nowMs: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  }),
  run({ value, nowMs }) {
    const ms = parseRetryAfter(value, nowMs);
    if (ms === undefined) return undefined;
    if (!Number.isFinite(ms) || ms < 0) return `Retry-After ${JSON.stringify(value)} read as ${ms} ms`;
    // The client sleeps this long before every request: it must be a wait a timer can hold.
    if (ms > MAX_TIMER_MS) return `Retry-After ${JSON.stringify(value)} read as ${ms} ms, longer than a timer can wait (${MAX_TIMER_MS})`;
    return undefined;
  },
});
