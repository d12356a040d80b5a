import { isDeepStrictEqual } from 'node:util';
import { Decimal } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { MatchingEngine, STP_MODES, TickMatchingEngine, TickScale } from '../src';
import type { AmendRequest, MatchEvent, OrderRequest, StpMode, TickMatchEvent, TickOrderRequest, TimeInForce } from '../src';
import { ReferenceMatcher } from './matching-reference';
import type { PlantedBugs, RefEvent } from './matching-reference';
import { prng } from './helpers';

type Op = { kind: 'submit'; req: TickOrderRequest } | { kind: 'cancel'; id: number } | { kind: 'amend'; id: number; change: AmendRequest<number> };

interface Config {
  minQuantity: number;
  minNotional: number;
  stpMode: StpMode;
}

const OWNERS = ['alice', 'bob', 7];

/**
 * Random mixed order flow, drawn against the reference's state (which orders are live, what they
 * have filled) so that cancels and amends mostly hit live orders: limit GTC/IOC/FOK (some post-only),
 * market IOC/FOK, stop and stop-limit, cancels and amends of every kind, a few invalid values,
 * duplicate client order ids, three owners with random self-trade prevention modes, prices around
 * a drifting mid with a good share of crossing orders.
 */
function nextOp(rand: () => number, ref: ReferenceMatcher, state: { mid: number }): Op {
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  if (rand() < 0.1) state.mid = Math.min(1100, Math.max(900, state.mid + (rand() < 0.5 ? -1 : 1)));
  const side: Side = rand() < 0.5 ? 'BUY' : 'SELL';
  const dir = side === 'BUY' ? 1 : -1;
  const price = (): number => state.mid + dir * (int(12) - 8); // mostly passive, a third crosses
  const quantity = (): number => (rand() < 0.02 ? pick([0, -3, 2.5, 1e16]) : 1 + int(12));
  const common = {
    side,
    owner: rand() < 0.3 ? undefined : pick(OWNERS),
    stp: rand() < 0.3 ? undefined : pick(STP_MODES),
    clientOrderId: rand() < 0.2 ? `c${int(25)}` : undefined,
  };
  const busy = ref.orders.length > 120;
  const r = rand();
  if (r < 0.38) {
    const postOnly = rand() < 0.1;
    const p = rand() < 0.01 ? pick([0, 1000.5]) : price();
    return { kind: 'submit', req: { type: 'limit', price: p, quantity: quantity(), postOnly, ...common } };
  }
  if (r < 0.46) return { kind: 'submit', req: { type: 'limit', price: price(), quantity: quantity(), timeInForce: 'IOC', ...common } };
  if (r < 0.52) return { kind: 'submit', req: { type: 'limit', price: price(), quantity: quantity(), timeInForce: 'FOK', ...common } };
  if (r < 0.58) {
    const timeInForce = rand() < 0.25 ? ('FOK' as const) : undefined;
    return { kind: 'submit', req: { type: 'market', quantity: quantity(), timeInForce, ...common } };
  }
  if (r < 0.64) {
    const last = ref.last ?? state.mid;
    const stopPrice = last + dir * (int(6) - 1); // a few at or through the last price: STOP_WOULD_TRIGGER
    if (rand() < 0.5) return { kind: 'submit', req: { type: 'stop', stopPrice, quantity: quantity(), timeInForce: rand() < 0.2 ? 'FOK' : 'IOC', ...common } };
    const timeInForce = pick<TimeInForce>(['GTC', 'GTC', 'IOC', 'FOK']);
    return { kind: 'submit', req: { type: 'stop_limit', stopPrice, price: stopPrice + dir * int(3), quantity: quantity(), timeInForce, ...common } };
  }
  const live = [...ref.orders.map((o) => o.id), ...ref.stops.map((s) => s.id)];
  const target = (): number => (live.length > 0 && rand() < 0.9 ? pick(live) : 1 + int(ref.nextOrderId + 3));
  if (r < (busy ? 0.9 : 0.75)) return { kind: 'cancel', id: target() };
  const resting = ref.orders;
  if (resting.length === 0 || rand() < 0.08) return { kind: 'amend', id: target(), change: { quantity: 1 + int(5) } };
  const o = pick(resting);
  const filled = o.quantity - o.remaining;
  const variant = int(6);
  if (variant === 0) return { kind: 'amend', id: o.id, change: { quantity: filled + 1 + int(Math.max(1, o.remaining - 1)) } }; // reduce (or same)
  if (variant === 1) return { kind: 'amend', id: o.id, change: { quantity: o.quantity + 1 + int(5) } }; // increase
  if (variant === 2) return { kind: 'amend', id: o.id, change: { price: o.price + (o.side === 'BUY' ? 1 : -1) * (int(10) - 6) } }; // re-price, may cross
  if (variant === 3) return { kind: 'amend', id: o.id, change: { price: o.price + int(3) - 1, quantity: filled + 1 + int(8) } };
  if (variant === 4) {
    // At or below what has filled (AMEND_QUANTITY_TOO_LOW), on a partly filled order when there is one.
    const partly = resting.filter((x) => x.remaining < x.quantity);
    const p = partly.length > 0 ? pick(partly) : o;
    return { kind: 'amend', id: p.id, change: { quantity: Math.max(1, 1 + int(p.quantity - p.remaining)) } };
  }
  return { kind: 'amend', id: o.id, change: rand() < 0.5 ? { price: 0 } : { quantity: 1.5 } };
}

function apply(engine: TickMatchingEngine, op: Op): TickMatchEvent[] {
  if (op.kind === 'submit') engine.submit(op.req);
  else if (op.kind === 'cancel') engine.cancel(op.id);
  else engine.amend(op.id, op.change);
  return engine.events.toArray();
}

function applyRef(ref: ReferenceMatcher, op: Op): RefEvent[] {
  if (op.kind === 'submit') return ref.submit(op.req);
  if (op.kind === 'cancel') return ref.cancel(op.id);
  return ref.amend(op.id, op.change);
}

/** Events without reject messages and without undefined fields, for a key-order-free comparison. */
function plain(events: readonly (TickMatchEvent | RefEvent)[]): unknown[] {
  return events.map((e) => {
    const copy: Record<string, unknown> = { ...e };
    delete copy.message;
    for (const k of Object.keys(copy)) if (copy[k] === undefined) delete copy[k];
    return copy;
  });
}

/** Each side's levels best first, each with its queue front first: [price, [[id, lots], ...]]. */
function engineBook(engine: TickMatchingEngine): unknown {
  const side = (s: 'bid' | 'ask'): unknown => [...engine.book.levels(s)].map((l) => [l.price, engine.book.ordersAt(s, l.price).map((o) => [o.id, o.lots])]);
  return { bids: side('bid'), asks: side('ask') };
}

function refBook(ref: ReferenceMatcher): unknown {
  const side = (s: Side): unknown => {
    const levels: [number, [number, number][]][] = [];
    for (const o of ref.queue(s)) {
      const last = levels[levels.length - 1];
      if (last !== undefined && last[0] === o.price) last[1].push([o.id, o.remaining]);
      else levels.push([o.price, [[o.id, o.remaining]]]);
    }
    return levels;
  };
  return { bids: side('BUY'), asks: side('SELL') };
}

interface Tracked {
  quantity: number;
  filled: number;
  cancelled: number;
}

/**
 * Conservation from the engine's own events: for every accepted order, its (latest) quantity equals
 * what filled + what rests (or is held) + what was cancelled; and the remaining/filled figures each
 * event reports agree with that bookkeeping.
 */
class Conservation {
  readonly orders = new Map<number, Tracked>();
  accepted = 0;
  filled = 0;

  observe(events: TickMatchEvent[]): number[] {
    const touched: number[] = [];
    const get = (id: number): Tracked => {
      const t = this.orders.get(id);
      if (t === undefined) throw new Error(`event for order ${id} that was never accepted`);
      touched.push(id);
      return t;
    };
    for (const e of events) {
      if (e.type === 'accepted') {
        this.orders.set(e.orderId, { quantity: e.quantity, filled: 0, cancelled: 0 });
        this.accepted += e.quantity;
        touched.push(e.orderId);
      } else if (e.type === 'fill') {
        const taker = get(e.takerOrderId);
        const maker = get(e.makerOrderId);
        taker.filled += e.quantity;
        maker.filled += e.quantity;
        this.filled += e.quantity;
        expect([e.takerFilled, e.takerRemaining, e.makerFilled, e.makerRemaining]).toEqual([
          taker.filled,
          taker.quantity - taker.filled,
          maker.filled,
          maker.quantity - maker.filled,
        ]);
      } else if (e.type === 'cancelled') {
        const t = get(e.orderId);
        expect([e.filled, e.quantity]).toEqual([t.filled, t.quantity - t.filled]);
        t.cancelled += e.quantity;
      } else if (e.type === 'amended') {
        const t = get(e.orderId);
        this.accepted += e.quantity - t.quantity;
        t.quantity = e.quantity;
        expect([e.filled, e.remaining]).toEqual([t.filled, t.quantity - t.filled]);
      } else if (e.type === 'rested') {
        const t = get(e.orderId);
        expect([e.filled, e.remaining]).toEqual([t.filled, t.quantity - t.filled]);
      }
    }
    return touched;
  }

  check(engine: TickMatchingEngine, ids: Iterable<number>): void {
    for (const id of ids) {
      const t = this.orders.get(id)!;
      const live = engine.order(id)?.remaining ?? 0;
      if (t.quantity !== t.filled + live + t.cancelled) {
        throw new Error(`order ${id}: quantity ${t.quantity} != filled ${t.filled} + live ${live} + cancelled ${t.cancelled}`);
      }
    }
  }
}

interface Divergence {
  step: number;
  op: Op;
  what: string;
  engine: unknown;
  reference: unknown;
}

interface RunStats {
  events: Record<string, number>;
  reasons: Record<string, number>;
  maxResting: number;
  accepted: number;
  filled: number;
}

function configFor(seed: number): Config {
  const rand = prng(seed * 7919 + 1);
  return { minQuantity: rand() < 0.5 ? 1 : 2, minNotional: rand() < 0.5 ? 0 : 2500, stpMode: STP_MODES[Math.floor(rand() * 4)]! };
}

/** Runs `steps` random operations through the engine and the reference; the first difference, if any. */
function compare(seed: number, steps: number, bugs: PlantedBugs = {}): { divergence?: Divergence; stats: RunStats } {
  const rand = prng(seed);
  const config = configFor(seed);
  const engine = new TickMatchingEngine('PROP', { ...config, initialOrderCapacity: 4, initialLevelCapacity: 4 });
  const ref = new ReferenceMatcher(config, bugs);
  const conservation = new Conservation();
  const state = { mid: 1000 };
  const stats: RunStats = { events: {}, reasons: {}, maxResting: 0, accepted: 0, filled: 0 };
  for (let step = 0; step < steps; step++) {
    const op = nextOp(rand, ref, state);
    const got = apply(engine, op);
    const want = applyRef(ref, op);
    const differ = (what: string, e: unknown, r: unknown): { divergence: Divergence; stats: RunStats } => ({
      divergence: { step, op, what, engine: e, reference: r },
      stats,
    });
    if (!isDeepStrictEqual(plain(got), plain(want))) return differ('events', plain(got), plain(want));
    const book = engineBook(engine);
    const wantBook = refBook(ref);
    if (!isDeepStrictEqual(book, wantBook)) return differ('resting book', book, wantBook);
    const stops = engine.heldStops().map((s) => [s.orderId, s.stopPrice, s.price ?? null, s.quantity]);
    const wantStops = ref.stopQueue().map((s) => [s.id, s.stopPrice, s.price ?? null, s.quantity]);
    if (!isDeepStrictEqual(stops, wantStops)) return differ('held stops', stops, wantStops);
    if (engine.lastTradePrice !== ref.last) return differ('last trade price', engine.lastTradePrice, ref.last);
    for (const o of ref.orders) {
      const e = engine.order(o.id);
      if (e === undefined || e.quantity !== o.quantity || e.filled !== o.quantity - o.remaining) return differ(`order ${o.id}`, e, o);
    }
    conservation.check(engine, conservation.observe(got));
    for (const e of got) {
      stats.events[e.type] = (stats.events[e.type] ?? 0) + 1;
      if (e.type === 'rejected' || e.type === 'cancelled') stats.reasons[e.reason] = (stats.reasons[e.reason] ?? 0) + 1;
      if (e.type === 'amended') stats.reasons[`amend_${e.priority}`] = (stats.reasons[`amend_${e.priority}`] ?? 0) + 1;
    }
    stats.maxResting = Math.max(stats.maxResting, engine.book.orderCount);
  }
  conservation.check(engine, conservation.orders.keys());
  stats.accepted = conservation.accepted;
  stats.filled = conservation.filled;
  return { stats };
}

const SEEDS = [20240611, 1, 2, 3, 4, 5];
const STEPS = 2500;
/** Reject and cancel reasons seen by the seed runs. */
const seen = new Set<string>();

describe('TickMatchingEngine against a naive reference matcher', () => {
  test.each(SEEDS)('seed %i: identical events, resting book, held stops and conservation over 2,500 random operations', (seed) => {
    const { divergence, stats } = compare(seed, STEPS);
    expect(divergence).toBeUndefined();
    for (const r of Object.keys(stats.reasons)) seen.add(r);
    // The stream really exercises the rules (so agreement means something).
    expect(stats.events.fill).toBeGreaterThan(300);
    expect(stats.events.triggered).toBeGreaterThan(5);
    for (const reason of ['USER_REQUEST', 'IOC_REMAINDER', 'UNKNOWN_ORDER', 'FOK_CANNOT_FILL', 'POST_ONLY_WOULD_TAKE', 'AMEND_QUANTITY_TOO_LOW', 'amend_kept', 'amend_lost']) {
      expect([reason, stats.reasons[reason] ?? 0]).toEqual([reason, expect.any(Number)]);
      expect(stats.reasons[reason]).toBeGreaterThan(0);
    }
  });

  test('across the seeds every reject and cancel reason of the rules shows up', () => {
    if (seen.size === 0) for (const seed of SEEDS) for (const r of Object.keys(compare(seed, STEPS).stats.reasons)) seen.add(r);
    for (const r of [
      'QUANTITY_NOT_POSITIVE',
      'QUANTITY_NOT_LOT_MULTIPLE',
      'QUANTITY_OUT_OF_RANGE',
      'QUANTITY_BELOW_MIN',
      'PRICE_NOT_POSITIVE',
      'PRICE_NOT_TICK_MULTIPLE',
      'NOTIONAL_BELOW_MIN',
      'DUPLICATE_CLIENT_ORDER_ID',
      'ORDER_NOT_AMENDABLE',
      'NO_LIQUIDITY',
      'STOP_WOULD_TRIGGER',
      'STP_CANCEL_NEWEST',
      'STP_CANCEL_OLDEST',
      'STP_CANCEL_BOTH',
    ]) {
      expect([r, seen.has(r)]).toEqual([r, true]);
    }
  });

  // The comparison is only worth something if it notices a wrong matcher: each planted bug (in the
  // reference, which is the same thing seen from the other side) must make it report a difference.
  test.each<[string, PlantedBugs]>([
    ['LIFO instead of FIFO within a level', { lifo: true }],
    ['a quantity reduction losing time priority', { reduceLosesPriority: true }],
    ['a quantity increase keeping time priority', { increaseKeepsPriority: true }],
    ['FOK filling partially', { fokActsAsIoc: true }],
    ['self-trade prevention ignored', { noStp: true }],
    ['cancel_oldest cancelling the taker', { stpOldestCancelsTaker: true }],
    ['fills at the taker price', { takerPrice: true }],
  ])('a planted bug is caught: %s', (_name, bugs) => {
    const { divergence } = compare(SEEDS[0]!, STEPS, bugs);
    expect(divergence).toBeDefined();
  });
});

describe('MatchingEngine (Decimal edge) against the tick core', () => {
  test('the same random flow in Decimals gives the same events as in ticks and lots', () => {
    const tickSize = Decimal.parse('0.05');
    const lotSize = Decimal.parse('0.001');
    const scale = new TickScale(tickSize, lotSize);
    const seed = 77;
    const config = configFor(seed);
    const core = new TickMatchingEngine('EDGE', config);
    const edge = new MatchingEngine('EDGE', {
      tickSize,
      lotSize,
      minQuantity: scale.fromLots(config.minQuantity),
      minNotional: Decimal.fromUnits(BigInt(config.minNotional) * 5n, 5), // units × 0.05 × 0.001
      stpMode: config.stpMode,
    });
    const ref = new ReferenceMatcher(config);
    const rand = prng(seed);
    const state = { mid: 1000 };
    // Decimal versions of tick values; invalid ones (0, -3, 2.5, 1e16) stay invalid on the Decimal side.
    const price = (t: number): Decimal => Decimal.parse(String(t)).mul(tickSize);
    const qty = (l: number): Decimal => Decimal.parse(l === 1e16 ? '10000000000000000' : String(l)).mul(lotSize);
    const toTicks = (e: MatchEvent): unknown => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(e)) {
        if (v instanceof Decimal) out[k] = v.isZero() ? 0 : ['price', 'stopPrice', 'lastTradePrice'].includes(k) ? scale.toTicks(v) : scale.toLots(v);
        else if (v !== undefined && k !== 'message') out[k] = v;
      }
      return out;
    };
    let fills = 0;
    for (let step = 0; step < 1500; step++) {
      const op = nextOp(rand, ref, state);
      applyRef(ref, op);
      const want = plain(apply(core, op));
      let got: MatchEvent[];
      if (op.kind === 'submit') {
        const r = op.req;
        const d: Record<string, unknown> = { ...r, quantity: qty(r.quantity) };
        if ('price' in r) d.price = price(r.price);
        if ('stopPrice' in r) d.stopPrice = price(r.stopPrice);
        got = edge.submit(d as unknown as OrderRequest);
      } else if (op.kind === 'cancel') {
        got = edge.cancel(op.id);
      } else {
        const c = op.change;
        got = edge.amend(op.id, {
          price: c.price === undefined ? undefined : price(c.price),
          quantity: c.quantity === undefined ? undefined : qty(c.quantity),
        });
      }
      expect([step, got.map(toTicks)]).toEqual([step, want]);
      fills += got.filter((e) => e.type === 'fill').length;
    }
    expect(fills).toBeGreaterThan(300);
    expect(edge.book.depth(50)).toEqual({
      bids: core.book.depth(50).bids.map((l) => ({ price: scale.fromTicks(l.price), size: scale.fromLots(l.lots) })),
      asks: core.book.depth(50).asks.map((l) => ({ price: scale.fromTicks(l.price), size: scale.fromLots(l.lots) })),
    });
  });
});
