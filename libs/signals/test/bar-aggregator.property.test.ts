// Seeded property tests: the streaming aggregators against naive references that see every trade
// at once. A failure names its seed; rerun one with SEED=<n>.
import { Decimal } from '@meridian/domain';
import { seededRandom } from '@meridian/testkit';
import { TimeBarAggregator, VolumeBarAggregator, timeBarInterval, volumeBarInterval } from '../src';
import type { BarTrade, ExactBar } from '../src';

const MS = 1_000_000n;
const SEC = 1_000n * MS;
const SEEDS = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 60 }, (_, i) => 1_000 + i);

type Event = { kind: 'trade'; trade: BarTrade } | { kind: 'tick'; tsNs: bigint };

interface Scenario {
  intervalNs: bigint;
  graceNs: bigint;
  retentionNs: bigint;
  events: Event[];
}

function pick<T>(next: () => number, xs: readonly T[]): T {
  return xs[Math.floor(next() * xs.length)]!;
}

function randomDecimal(next: () => number, maxUnits: number, scale: number): Decimal {
  return Decimal.fromUnits(BigInt(1 + Math.floor(next() * maxUnits)), scale);
}

/** Trades on a clock that mostly moves forward, with gaps, ticks, and trades late by various amounts. */
function scenario(seed: number): Scenario {
  const next = seededRandom(seed);
  const intervalNs = pick(next, [SEC, 5n * SEC, 60n * SEC]);
  const graceNs = pick(next, [0n, 200n * MS, 1_500n * MS, intervalNs]);
  const retentionNs = pick(next, [0n, 2n * SEC, 30n * SEC, 5n * intervalNs]);
  const events: Event[] = [];
  const resolution = pick(next, [1n, MS, 100n * MS]);
  let clock = BigInt(Math.floor(next() * 1e6)) * SEC; // anywhere in the first ~11 days
  let price = 10_000; // in cents
  const n = 100 + Math.floor(next() * 300);
  for (let i = 0; i < n; i++) {
    const r = next();
    // Time moves on: usually a little, sometimes across several empty intervals.
    if (r < 0.05) clock += intervalNs * BigInt(2 + Math.floor(next() * 8));
    else clock += BigInt(Math.floor(next() * Number(intervalNs / 4n)));
    if (next() < 0.1) {
      const tick = clock + BigInt(Math.floor(next() * 1e9));
      events.push({ kind: 'tick', tsNs: tick - (tick % resolution) });
      continue;
    }
    const lateBy = next() < 0.25 ? BigInt(Math.floor(next() * Number(graceNs + retentionNs + 2n * intervalNs))) : 0n;
    // Coarse timestamps, as venues send them: ties and exact boundaries happen.
    const raw = clock - lateBy < 0n ? 0n : clock - lateBy;
    const ts = raw - (raw % resolution);
    price = Math.max(1, price + Math.round((next() - 0.5) * 20));
    events.push({ kind: 'trade', trade: { price: Decimal.fromUnits(BigInt(price), 2), size: randomDecimal(next, 5_000, 3), tsNs: ts } });
  }
  return { intervalNs, graceNs, retentionNs, events };
}

const floorDiv = (a: bigint, b: bigint) => (a % b !== 0n && a < 0n ? a / b - 1n : a / b);

interface Expected {
  bars: Map<bigint, { open: Decimal; high: Decimal; low: Decimal; close: Decimal; volume: Decimal; notional: Decimal; count: number }>;
  firstK: bigint | undefined;
  lastK: bigint;
  accepted: number;
  late: number;
  tooLate: number;
}

/**
 * The reference: decide which trades are accepted by the documented rule (a trade is accepted
 * when its bar is at or after the series start and its end + grace + retention is after the
 * clock), then aggregate every accepted trade at once, sorted by (timestamp, arrival).
 */
function reference(s: Scenario): Expected {
  let clock: bigint | undefined;
  let firstK: bigint | undefined;
  let late = 0;
  let tooLate = 0;
  const accepted: { trade: BarTrade; arrival: number }[] = [];
  s.events.forEach((e, arrival) => {
    if (e.kind === 'tick') {
      if (clock === undefined || e.tsNs > clock) clock = e.tsNs;
      return;
    }
    const k = floorDiv(e.trade.tsNs, s.intervalNs);
    const end = (k + 1n) * s.intervalNs;
    if ((clock !== undefined && end + s.graceNs + s.retentionNs <= clock) || (firstK !== undefined && k < firstK)) {
      tooLate++;
      return;
    }
    // Late: its bar had already been emitted (the clock had passed its end + grace).
    if (firstK !== undefined && clock !== undefined && end + s.graceNs <= clock) late++;
    firstK ??= k;
    accepted.push({ trade: e.trade, arrival });
    if (clock === undefined || e.trade.tsNs > clock) clock = e.trade.tsNs;
  });
  accepted.sort((a, b) => (a.trade.tsNs < b.trade.tsNs ? -1 : a.trade.tsNs > b.trade.tsNs ? 1 : a.arrival - b.arrival));
  const bars: Expected['bars'] = new Map();
  let lastK = firstK === undefined ? -1n : firstK;
  for (const { trade } of accepted) {
    const k = floorDiv(trade.tsNs, s.intervalNs);
    if (k > lastK) lastK = k;
    const b = bars.get(k);
    const notional = trade.price.mul(trade.size);
    if (!b) {
      bars.set(k, { open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: trade.size, notional, count: 1 });
      continue;
    }
    b.close = trade.price;
    if (trade.price.gt(b.high)) b.high = trade.price;
    if (trade.price.lt(b.low)) b.low = trade.price;
    b.volume = b.volume.add(trade.size);
    b.notional = b.notional.add(notional);
    b.count++;
  }
  if (firstK !== undefined && clock !== undefined) {
    const closedByClock = floorDiv(clock - s.graceNs, s.intervalNs) - 1n;
    if (closedByClock > lastK) lastK = closedByClock;
  }
  return { bars, firstK, lastK, accepted: accepted.length, late, tooLate };
}

// What the scenarios exercised, checked after all seeds so a generator that stopped producing late
// or too-late trades fails instead of passing vacuously.
const coverage: { lateTrades: number; tooLateTrades: number; revisions: number; empty: number }[] = [];
afterAll(() => {
  if (SEEDS.length < 10) return;
  const withSome = (f: (c: (typeof coverage)[number]) => number) => coverage.filter((c) => f(c) > 0).length;
  expect(withSome((c) => c.lateTrades)).toBeGreaterThan(SEEDS.length / 3);
  expect(withSome((c) => c.tooLateTrades)).toBeGreaterThan(SEEDS.length / 3);
  expect(withSome((c) => c.revisions - c.lateTrades)).toBeGreaterThan(0); // revisions cascading to empty bars
  expect(withSome((c) => c.empty)).toBeGreaterThan(SEEDS.length / 2);
});

describe.each(SEEDS)('seed %i', (seed) => {
  test('time bars equal the reference aggregation of the accepted trades, emitted on time with consecutive revisions', () => {
    const s = scenario(seed);
    const agg = new TimeBarAggregator(timeBarInterval(s.intervalNs), {
      graceNs: s.graceNs,
      lateRetentionNs: s.retentionNs,
      maxEmptyBarsPerJump: 1_000_000,
    });
    const emitted: ExactBar[] = [];
    let firstRevisions = 0;
    let clock: bigint | undefined;
    let firstK: bigint | undefined;
    for (const e of s.events) {
      const ts = e.kind === 'tick' ? e.tsNs : e.trade.tsNs;
      const tooLateBefore = agg.stats.tooLateTrades;
      const out = e.kind === 'tick' ? agg.advanceTo(e.tsNs) : agg.addTrade(e.trade);
      emitted.push(...out);
      firstRevisions += out.filter((b) => b.revision === 0).length;
      const accepted = e.kind === 'trade' && agg.stats.tooLateTrades === tooLateBefore;
      if (e.kind === 'tick' || accepted) clock = clock === undefined || ts > clock ? ts : clock;
      if (accepted && firstK === undefined) firstK = floorDiv(ts, s.intervalNs);
      // On time: after every call, exactly the bars whose end + grace the clock reached are out.
      if (firstK !== undefined && clock !== undefined) {
        const closed = floorDiv(clock - s.graceNs, s.intervalNs) - 1n;
        expect(firstRevisions).toBe(closed >= firstK ? Number(closed - firstK + 1n) : 0);
      }
    }
    emitted.push(...agg.flush());
    coverage.push({ ...agg.stats, empty: emitted.filter((b) => b.tradeCount === 0).length });

    const ref = reference(s);
    expect(agg.stats).toEqual({ trades: ref.accepted, lateTrades: ref.late, tooLateTrades: ref.tooLate, revisions: agg.stats.revisions, skippedEmptyBars: 0 });
    expect(agg.stats.revisions).toBeGreaterThanOrEqual(ref.late);
    if (ref.firstK === undefined) {
      expect(emitted).toEqual([]);
      return;
    }
    // Revision 0 of every bar from the series start to the end, once each, in order.
    const firsts = emitted.filter((b) => b.revision === 0).map((b) => b.startTsNs);
    const expectedStarts: bigint[] = [];
    for (let k = ref.firstK; k <= ref.lastK; k++) expectedStarts.push(k * s.intervalNs);
    expect(firsts).toEqual(expectedStarts);
    // Revisions of one bar come out as 0, 1, 2, … and the last one equals the reference.
    const latest = new Map<bigint, ExactBar>();
    for (const b of emitted) {
      const prev = latest.get(b.startTsNs);
      expect(b.revision).toBe(prev === undefined ? 0 : prev.revision + 1);
      latest.set(b.startTsNs, b);
    }
    let prevClose: Decimal | undefined;
    for (let k = ref.firstK; k <= ref.lastK; k++) {
      const got = latest.get(k * s.intervalNs)!;
      const want = ref.bars.get(k);
      expect(got.endTsNs).toBe((k + 1n) * s.intervalNs);
      expect(got.interval).toBe(timeBarInterval(s.intervalNs).token);
      const flat = prevClose!;
      const w = want ?? { open: flat, high: flat, low: flat, close: flat, volume: Decimal.ZERO, notional: Decimal.ZERO, count: 0 };
      const describe = (b: typeof w) => [b.open, b.high, b.low, b.close, b.volume, b.notional].map(String).concat(String(b.count)).join(' ');
      expect(describe({ ...got, count: got.tradeCount })).toBe(describe(w));
      prevClose = got.close;
    }
  });

  test('volume bars equal the reference that cuts the cumulative volume at multiples of the size', () => {
    const next = seededRandom(seed * 7 + 3);
    const size = pick(next, ['1', '2.5', '0.7', '10', '0.001']);
    const interval = volumeBarInterval(size);
    const agg = new VolumeBarAggregator(interval);
    const trades: BarTrade[] = [];
    let ts = 1_000n * SEC;
    for (let i = 0; i < 300; i++) {
      ts += BigInt(Math.floor(next() * 3)) * MS; // often the same millisecond
      const tsNs = next() < 0.05 ? ts - 500n * MS : ts; // a few out of order
      // Up to four bars' worth: some trades fit, some overshoot into the next bar or fill several.
      trades.push({ price: randomDecimal(next, 1_000, 1), size: interval.size.mul(randomDecimal(next, 4_000, 3)), tsNs });
    }
    const emitted = trades.flatMap((t) => agg.addTrade(t));

    // Reference: trade j covers cumulative volume [a, b); bar i covers [i·V, (i+1)·V).
    const V = interval.size;
    const pieces = new Map<number, { price: Decimal; size: Decimal; tsNs: bigint }[]>();
    let cum = Decimal.ZERO;
    for (const t of trades) {
      const a = cum;
      const b = cum.add(t.size);
      cum = b;
      const first = Number(a.div(V, 0, 'floor').toString());
      const last = Number(b.div(V, 0, 'ceil').toString()) - 1;
      for (let i = first; i <= last; i++) {
        const lo = Decimal.max(a, V.mul(BigInt(i)));
        const hi = Decimal.min(b, V.mul(BigInt(i + 1)));
        const overlap = hi.sub(lo);
        if (!overlap.isPositive()) continue;
        if (!pieces.has(i)) pieces.set(i, []);
        pieces.get(i)!.push({ price: t.price, size: overlap, tsNs: t.tsNs });
      }
    }
    const complete = Number(cum.div(V, 0, 'floor').toString());
    expect(emitted).toHaveLength(complete);
    // One comparison for the whole series (an expect per field and bar would dominate the run time).
    const describeBar = (b: ExactBar) =>
      [b.volume, b.open, b.close, b.high, b.low, b.notional].map(String).concat(String(b.tradeCount), String(b.revision), b.interval).join(' ');
    const got: string[] = [];
    const want: string[] = [];
    const timing: string[] = [];
    let prevEnd: bigint | undefined;
    emitted.forEach((bar, i) => {
      const ps = pieces.get(i)!;
      const prices = ps.map((p) => p.price);
      got.push(describeBar(bar));
      want.push(
        [V, ps[0]!.price, ps[ps.length - 1]!.price, prices.reduce((x, y) => Decimal.max(x, y)), prices.reduce((x, y) => Decimal.min(x, y)), Decimal.sum(ps.map((p) => p.price.mul(p.size)))]
          .map(String)
          .concat(String(ps.length), '0', interval.token)
          .join(' '),
      );
      // Strictly increasing, non-overlapping, at least 1 ns long, covering the bar's trades.
      const maxTs = ps.map((p) => p.tsNs).reduce((x, y) => (y > x ? y : x));
      if (!(bar.endTsNs > bar.startTsNs)) timing.push(`bar ${i} is empty in time`);
      if (prevEnd !== undefined && bar.startTsNs < prevEnd) timing.push(`bar ${i} starts before the previous end`);
      if (bar.endTsNs < maxTs + 1n) timing.push(`bar ${i} ends before its last trade`);
      prevEnd = bar.endTsNs;
    });
    expect(got).toEqual(want);
    expect(timing).toEqual([]);
    const rest = cum.sub(V.mul(BigInt(complete)));
    const partial = agg.partial();
    if (rest.isZero()) expect(partial).toBeUndefined();
    else expect(partial!.volume.eq(rest)).toBe(true);
    expect(agg.stats.trades).toBe(trades.length);
  });
});
