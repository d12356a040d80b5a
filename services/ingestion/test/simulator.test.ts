import { Decimal } from '@meridian/domain';
import { MarketSimulator } from '../src/simulator/market-simulator';
import type { SimEvent, SimulatedInstrument } from '../src/simulator/market-simulator';
import { Rng } from '../src/simulator/rng';

const START_MS = 1_700_000_000_000;
const MINUTE = 60_000;
const SECONDS_PER_YEAR = 365 * 24 * 3600;

function instrument(overrides: Partial<SimulatedInstrument> = {}): SimulatedInstrument {
  return {
    symbol: 'SIM-USD',
    initialPrice: Decimal.parse('100'),
    tickSize: Decimal.parse('0.01'),
    lotSize: Decimal.parse('0.001'),
    volatility: 0.6,
    eventRate: 20,
    depth: 20,
    ...overrides,
  };
}

/** Stable text form of events: Decimals serialise as strings, bigints as text. */
function serialise(events: SimEvent[]): string {
  return JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

interface RefLevel {
  price: Decimal;
  size: Decimal;
}

/** A plain Map-based book that applies snapshots and deltas, to check the simulator against. */
class ReferenceBook {
  readonly bids = new Map<string, RefLevel>();
  readonly asks = new Map<string, RefLevel>();
  seq = -1n;

  apply(e: Extract<SimEvent, { kind: 'book' }>): void {
    if (e.snapshot) {
      this.bids.clear();
      this.asks.clear();
    }
    for (const [levels, book] of [[e.bids, this.bids], [e.asks, this.asks]] as const) {
      for (const l of levels) {
        if (l.size.isZero()) book.delete(l.price.toString());
        else book.set(l.price.toString(), { price: l.price, size: l.size });
      }
    }
    this.seq = e.seq;
  }

  sorted(side: 'bids' | 'asks'): RefLevel[] {
    const levels = [...this[side].values()];
    return levels.sort((a, b) => (side === 'bids' ? b.price.cmp(a.price) : a.price.cmp(b.price)));
  }

  /** [lowest, highest] price of a side; undefined for an empty side. */
  range(side: Map<string, RefLevel>): [Decimal | undefined, Decimal | undefined] {
    let lo: Decimal | undefined;
    let hi: Decimal | undefined;
    for (const { price } of side.values()) {
      if (lo === undefined || price.lt(lo)) lo = price;
      if (hi === undefined || price.gt(hi)) hi = price;
    }
    return [lo, hi];
  }

  /** Text of both sides, best first, for comparing with a snapshot. */
  text(): string {
    const side = (levels: RefLevel[]) => levels.map((l) => `${l.price}x${l.size}`).join(',');
    return `${side(this.sorted('bids'))} | ${side(this.sorted('asks'))}`;
  }
}

function snapshotText(e: SimEvent): string {
  if (e.kind !== 'book') throw new Error('not a book event');
  const side = (levels: RefLevel[]) => levels.map((l) => `${l.price}x${l.size}`).join(',');
  return `${side(e.bids)} | ${side(e.asks)}`;
}

function stdev(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
}

function midOf(e: SimEvent): number {
  if (e.kind !== 'book') throw new Error('not a book event');
  return (e.bids[0]!.price.toNumber() + e.asks[0]!.price.toNumber()) / 2;
}

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return [r.next(), r.normal(), r.exponential(2), r.int(1, 6), r.next()];
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws with the right ranges and moments', () => {
    const r = new Rng(123);
    const n = 50_000;
    const u: number[] = [];
    const z: number[] = [];
    const x: number[] = [];
    const ints = new Set<number>();
    for (let i = 0; i < n; i++) {
      u.push(r.next());
      z.push(r.normal());
      x.push(r.exponential(4));
      ints.add(r.int(-2, 3));
    }
    expect([...ints].sort()).toEqual([-1, -2, 0, 1, 2, 3]);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0.5, 2);
    expect(z.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0, 1);
    expect(stdev(z)).toBeCloseTo(1, 1);
    expect(x.reduce((a, b) => a + b, 0) / n).toBeCloseTo(0.25, 2);
  });
});

describe('MarketSimulator', () => {
  it('produces identical events for the same seed and different ones for another seed', () => {
    const run = (seed: number) => {
      const sim = new MarketSimulator(instrument(), seed, START_MS);
      return serialise([sim.snapshot(START_MS), ...sim.advance(START_MS + 2 * MINUTE)]);
    };
    const a = run(42);
    expect(run(42)).toBe(a);
    expect(run(43)).not.toBe(a);
  });

  it('does not depend on how advance() calls are chunked', () => {
    const whole = new MarketSimulator(instrument(), 5, START_MS).advance(START_MS + MINUTE);
    const chunked = new MarketSimulator(instrument(), 5, START_MS);
    const pieces: SimEvent[] = [];
    for (let t = START_MS; t <= START_MS + MINUTE; t += 137) pieces.push(...chunked.advance(t));
    pieces.push(...chunked.advance(START_MS + MINUTE));
    expect(serialise(pieces)).toBe(serialise(whole));
    expect(chunked.advance(START_MS)).toEqual([]); // time never goes back
  });

  it('starts with a full, uncrossed book on the grid', () => {
    const inst = instrument();
    const sim = new MarketSimulator(inst, 1, START_MS);
    const s = sim.snapshot(START_MS);
    if (s.kind !== 'book') throw new Error('expected a book');
    expect(s.snapshot).toBe(true);
    expect(s.seq).toBe(sim.seq);
    expect(s.tsMs).toBe(START_MS);
    expect(s.bids).toHaveLength(inst.depth);
    expect(s.asks).toHaveLength(inst.depth);
    expect(s.bids[0]!.price.lt(s.asks[0]!.price)).toBe(true);
    expect(Math.abs(midOf(s) - 100)).toBeLessThanOrEqual(0.01);
    expect(sim.fairPrice).toBe(100);
    // snapshot() does not advance the sequence
    expect(sim.snapshot(START_MS + 1)).toMatchObject({ seq: s.seq });
  });

  it.each([
    ['a generic instrument', instrument(), 11],
    ['a fine-tick, volatile instrument', instrument({ symbol: 'BTC-USDT', initialPrice: Decimal.parse('60000'), tickSize: Decimal.parse('0.1'), lotSize: Decimal.parse('0.0001'), volatility: 0.8 }), 12],
    ['a coarse-lot, shallow book', instrument({ initialPrice: Decimal.parse('10'), lotSize: Decimal.parse('1'), depth: 5 }), 13],
    ['a one-level book', instrument({ depth: 1, eventRate: 50 }), 14],
  ])('keeps a consistent book: deltas replay to the snapshot, never crossed (%s)', (_name, inst, seed) => {
    const sim = new MarketSimulator(inst, seed, START_MS);
    const ref = new ReferenceBook();
    const first = sim.snapshot(START_MS);
    if (first.kind !== 'book') throw new Error('expected a book');
    ref.apply(first);

    const minLevels = Math.min(5, inst.depth);
    const tradeIds = new Set<string>();
    let lastTs = START_MS;
    let deltas = 0;
    let trades = 0;

    // Checked without expect() in the hot loop (it is slow); the first problems are reported at the end.
    const problems: string[] = [];
    const check = (ok: boolean, what: () => string) => {
      if (!ok && problems.length < 10) problems.push(what());
    };

    for (let minute = 1; minute <= 5; minute++) {
      for (const e of sim.advance(START_MS + minute * MINUTE)) {
        const at = () => `${e.kind} ${e.kind === 'book' ? e.seq : e.tradeId} @${e.tsMs}`;
        check(e.symbol === inst.symbol, () => `${at()}: symbol ${e.symbol}`);
        check(Number.isInteger(e.tsMs) && e.tsMs >= lastTs && e.tsMs <= START_MS + minute * MINUTE, () => `${at()}: time after ${lastTs}`);
        lastTs = e.tsMs;

        if (e.kind === 'trade') {
          trades += 1;
          check(!tradeIds.has(e.tradeId), () => `${at()}: duplicate trade id`);
          tradeIds.add(e.tradeId);
          check(e.price.isMultipleOf(inst.tickSize), () => `${at()}: price ${e.price} off tick`);
          check(e.size.isPositive() && e.size.isMultipleOf(inst.lotSize), () => `${at()}: size ${e.size} not a positive lot multiple`);
          // A trade fills a resting level of the opposite side as it was before this arrival.
          const opposite = e.aggressor === 'BUY' ? ref.asks : ref.bids;
          const [lo, hi] = ref.range(opposite);
          check(lo !== undefined && hi !== undefined && e.price.gte(lo) && e.price.lte(hi), () => `${at()}: price ${e.price} outside [${lo}, ${hi}]`);
          const resting = opposite.get(e.price.toString());
          check(resting !== undefined && e.size.lte(resting.size), () => `${at()}: ${e.size} at ${e.price} exceeds the resting ${resting?.size}`);
          continue;
        }

        deltas += 1;
        check(!e.snapshot, () => `${at()}: delta flagged as snapshot`);
        check(e.seq === ref.seq + 1n, () => `${at()}: seq after ${ref.seq}`);
        check(e.bids.length + e.asks.length > 0, () => `${at()}: empty delta`);
        for (const l of e.bids.concat(e.asks)) {
          check(l.price.isPositive() && l.price.isMultipleOf(inst.tickSize), () => `${at()}: price ${l.price} off tick`);
          check(!l.size.isNegative() && l.size.isMultipleOf(inst.lotSize), () => `${at()}: size ${l.size} not a lot multiple`);
        }
        ref.apply(e);

        const [, bestBid] = ref.range(ref.bids);
        const [bestAsk] = ref.range(ref.asks);
        check(bestBid !== undefined && bestAsk !== undefined && bestBid.lt(bestAsk), () => `${at()}: crossed or empty book ${bestBid} / ${bestAsk}`);
        for (const side of [ref.bids, ref.asks]) {
          check(side.size >= minLevels && side.size <= inst.depth, () => `${at()}: ${side.size} levels on a side`);
        }
      }
      // The replayed book matches the simulator's own snapshot at every minute.
      const snap = sim.snapshot(START_MS + minute * MINUTE);
      expect(snap).toMatchObject({ seq: ref.seq, snapshot: true });
      expect(ref.text()).toBe(snapshotText(snap));
    }

    expect(problems).toEqual([]);
    expect(sim.seq).toBe(ref.seq);
    expect(deltas).toBeGreaterThan(0);
    expect(trades).toBeGreaterThan(0);
  });

  it.each([1, 2, 3])('realises roughly the configured volatility in 1-minute mids over an hour (seed %i)', (seed) => {
    const inst = instrument({ volatility: 0.6, eventRate: 20 });
    const sim = new MarketSimulator(inst, seed, START_MS);
    const mids = [midOf(sim.snapshot(START_MS))];
    for (let minute = 1; minute <= 60; minute++) {
      sim.advance(START_MS + minute * MINUTE);
      mids.push(midOf(sim.snapshot(START_MS + minute * MINUTE)));
    }
    const returns = mids.slice(1).map((m, i) => Math.log(m / mids[i]!));
    const realised = stdev(returns);
    const expected = inst.volatility * Math.sqrt(60 / SECONDS_PER_YEAR);
    expect(realised / expected).toBeGreaterThan(0.5);
    expect(realised / expected).toBeLessThan(2);
  });

  it('arrives at roughly eventRate (one book delta per arrival) over 10 minutes, and runs 10 minutes at 50/s', () => {
    const inst = instrument({ eventRate: 50 });
    const sim = new MarketSimulator(inst, 99, START_MS);
    let deltas = 0;
    let trades = 0;
    for (let second = 1; second <= 600; second++) {
      for (const e of sim.advance(START_MS + second * 1000)) {
        if (e.kind === 'book') deltas += 1;
        else trades += 1;
      }
    }
    const expected = inst.eventRate * 600;
    expect(deltas).toBeGreaterThan(expected * 0.8);
    expect(deltas).toBeLessThan(expected * 1.2);
    expect(sim.seq).toBe(BigInt(deltas));
    expect(trades).toBeGreaterThan(0);
  });

  it('refuses an unusable instrument', () => {
    expect(() => new MarketSimulator(instrument({ tickSize: Decimal.ZERO }), 1, START_MS)).toThrow(/tickSize/);
    expect(() => new MarketSimulator(instrument({ eventRate: 0 }), 1, START_MS)).toThrow(/eventRate/);
    expect(() => new MarketSimulator(instrument({ depth: 0 }), 1, START_MS)).toThrow(/depth/);
    expect(() => new MarketSimulator(instrument({ volatility: -1 }), 1, START_MS)).toThrow(/volatility/);
    expect(() => new MarketSimulator(instrument({ initialPrice: Decimal.parse('0.05') }), 1, START_MS)).toThrow(/initialPrice/);
  });
});
