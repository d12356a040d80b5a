// Property: RiskState's O(1) running totals equal a brute-force recomputation over every order
// and symbol, after every event of random order/fill/cancel/BBO sequences (events of one order
// arriving out of order, as when state is rebuilt from separate streams, included); and a check
// on the state decides exactly as checkOrder fed the brute-force inputs.
import { Decimal, dec } from '@meridian/domain';
import type { Side } from '@meridian/domain';
import { seededRandom } from '@meridian/testkit';
import { OrderRateWindow, RiskState, checkOrder } from '../src';
import type { AccountState, ExposureState, KillSwitchState, LimitsBook, RiskDecision } from '../src';

interface ModelOrder {
  symbol: string;
  strategy: string;
  side: Side;
  quantity: Decimal;
  price: Decimal;
  filled: Decimal;
  closed: boolean;
  opened: boolean;
}

/** The same state kept the slow way: a list of orders, fills summed per symbol, everything recomputed on demand. */
class BruteForce {
  readonly orders = new Map<string, ModelOrder>();
  readonly positions = new Map<string, Decimal>();
  readonly marks = new Map<string, { mark: Decimal; fromMarket: boolean }>();
  readonly bbo = new Map<string, { bid?: Decimal; ask?: Decimal }>();
  readonly approvals: { symbol: string; strategy: string; atMs: number }[] = [];

  remaining(o: ModelOrder): Decimal {
    if (!o.opened || o.closed) return Decimal.ZERO;
    const r = o.quantity.sub(o.filled);
    return r.isPositive() ? r : Decimal.ZERO;
  }

  exposure(symbol: string): ExposureState {
    let workingBuy = Decimal.ZERO;
    let workingSell = Decimal.ZERO;
    let openOrders = 0;
    for (const o of this.orders.values()) {
      if (o.symbol !== symbol) continue;
      const r = this.remaining(o);
      if (!r.isPositive()) continue;
      openOrders += 1;
      if (o.side === 'BUY') workingBuy = workingBuy.add(r);
      else workingSell = workingSell.add(r);
    }
    const mark = this.marks.get(symbol)?.mark;
    return { position: this.positions.get(symbol) ?? Decimal.ZERO, workingBuy, workingSell, openOrders, ...(mark ? { mark } : {}) };
  }

  account(symbols: readonly string[]): AccountState {
    let gross = Decimal.ZERO;
    let netLong = Decimal.ZERO;
    let netShort = Decimal.ZERO;
    let openPositions = 0;
    let openOrders = 0;
    for (const s of symbols) {
      const e = this.exposure(s);
      openOrders += e.openOrders!;
      if (!e.position.isZero() || e.workingBuy.isPositive() || e.workingSell.isPositive()) openPositions += 1;
      if (e.mark === undefined) continue;
      const long = e.position.add(e.workingBuy);
      const short = e.position.sub(e.workingSell);
      gross = gross.add(Decimal.max(long, short.neg()).mul(e.mark));
      netLong = netLong.add(long.mul(e.mark));
      netShort = netShort.add(short.mul(e.mark));
    }
    return { grossExposure: gross, netExposureLong: netLong, netExposureShort: netShort, openOrders, openPositions };
  }

  strategyOpenOrders(strategy: string): number {
    let n = 0;
    for (const o of this.orders.values()) if (o.strategy === strategy && this.remaining(o).isPositive()) n += 1;
    return n;
  }

  rateWindow(pick: (a: { symbol: string; strategy: string }) => boolean): OrderRateWindow {
    const w = new OrderRateWindow(1_000_000_000);
    for (const a of [...this.approvals].sort((x, y) => x.atMs - y.atMs)) if (pick(a)) w.record(a.atMs);
    return w;
  }
}

const SYMBOLS = ['A', 'B', 'C', 'D', 'E', 'F'];
const STRATEGIES = ['s1', 's2', 's3'];
const limits: LimitsBook = {
  global: {
    maxOrderQuantity: dec('8'),
    maxOrderNotional: dec('5000'),
    maxPosition: dec('12'),
    maxShortPosition: dec('9'),
    priceBandBps: dec('300'),
    maxSymbolOpenOrders: 6,
    maxStrategyOpenOrders: 12,
    maxOpenOrders: 25,
    maxSymbolOrdersPerWindow: 4,
    maxStrategyOrdersPerWindow: 8,
    maxOrdersPerWindow: 15,
    orderRateWindowMs: 500,
    maxOpenPositions: 5,
    maxGrossExposure: dec('6000'),
    maxNetExposure: dec('2500'),
  },
  perSymbol: { C: { maxPosition: dec('4'), priceBandBps: dec('100') } },
  perStrategy: { s3: { maxOrderQuantity: dec('2'), maxStrategyOpenOrders: 4 } },
};
const noKill: KillSwitchState = { global: false, symbols: new Set(['F']), strategies: new Set(['s2-halted']) };

/**
 * `sweepEvery`: call `forgetSettled` every that many steps, as the service does on its retention
 * timer. The model retires an order at a sweep when it was settled at the previous sweep, still is,
 * and no event reached it in between (what the state forgets); no later event touches a retired
 * order (the retention outlasts every event on its way).
 */
function run(seed: number, steps: number, sweepEvery = 0): { checks: number; approvals: number; reasons: Set<string>; forgotten: number } {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const qty = () => Decimal.fromUnits(BigInt(1 + Math.floor(rnd() * 3000)), 3); // 0.001 .. 3
  const price = (symbol: string) => {
    const base = 50 + SYMBOLS.indexOf(symbol) * 40;
    return Decimal.fromUnits(BigInt(Math.round((base + (rnd() - 0.5) * 4) * 100)), 2);
  };

  const state = new RiskState(limits);
  const model = new BruteForce();
  let nextId = 0;
  let now = 0;
  const stats = { checks: 0, approvals: 0, reasons: new Set<string>(), forgotten: 0 };
  const retired = new Set<string>();
  let settledAtLastSweep = new Set<string>();
  // Orders an event reached since the last sweep: an event on a settled order restarts its interval.
  const touched = new Set<string>();

  const specOf = (): ModelOrder => {
    const symbol = pick(SYMBOLS);
    return { symbol, strategy: pick(STRATEGIES), side: rnd() < 0.5 ? 'BUY' : 'SELL', quantity: qty(), price: price(symbol), filled: Decimal.ZERO, closed: false, opened: false };
  };
  const open = (id: string, o: ModelOrder, atMs?: number) => {
    const fresh = state.open(id, { symbol: o.symbol, strategy: o.strategy, side: o.side, quantity: o.quantity, price: o.price }, atMs);
    expect(fresh).toBe(!o.opened);
    if (!o.opened) {
      touched.add(id);
      o.opened = true;
      if (!model.marks.has(o.symbol)) model.marks.set(o.symbol, { mark: o.price, fromMarket: false });
      if (atMs !== undefined) model.approvals.push({ symbol: o.symbol, strategy: o.strategy, atMs });
    }
  };
  const fill = (id: string, o: ModelOrder, q: Decimal, p: Decimal) => {
    state.fill(id, o.symbol, o.side, q, p);
    touched.add(id);
    o.filled = o.filled.add(q);
    const pos = model.positions.get(o.symbol) ?? Decimal.ZERO;
    model.positions.set(o.symbol, o.side === 'BUY' ? pos.add(q) : pos.sub(q));
    if (!model.marks.get(o.symbol)?.fromMarket) model.marks.set(o.symbol, { mark: p, fromMarket: false });
  };

  const compare = () => {
    const a = state.account();
    const b = model.account(SYMBOLS);
    expect({ gross: a.grossExposure.toString(), long: a.netExposureLong.toString(), short: a.netExposureShort.toString(), orders: a.openOrders, positions: a.openPositions }).toEqual({
      gross: b.grossExposure.toString(),
      long: b.netExposureLong.toString(),
      short: b.netExposureShort.toString(),
      orders: b.openOrders,
      positions: b.openPositions,
    });
    for (const s of SYMBOLS) {
      const x = state.exposure(s);
      const y = model.exposure(s);
      expect([s, x.position.toString(), x.workingBuy.toString(), x.workingSell.toString(), x.openOrders, x.mark?.toString()]).toEqual([
        s,
        y.position.toString(),
        y.workingBuy.toString(),
        y.workingSell.toString(),
        y.openOrders,
        y.mark?.toString(),
      ]);
    }
    for (const t of STRATEGIES) expect([t, state.strategyState(t).openOrders]).toEqual([t, model.strategyOpenOrders(t)]);
  };

  for (let step = 0; step < steps; step++) {
    now += Math.floor(rnd() * 12);
    if (sweepEvery > 0 && step % sweepEvery === 0) {
      const settledNow = new Set([...model.orders].filter(([id, o]) => !retired.has(id) && !model.remaining(o).isPositive()).map(([id]) => id));
      const forgotten = state.forgetSettled();
      let retiring = 0;
      for (const id of settledAtLastSweep) {
        if (settledNow.has(id) && !touched.has(id)) {
          retired.add(id);
          settledNow.delete(id);
          retiring++;
        }
      }
      expect(forgotten).toBe(retiring);
      stats.forgotten += forgotten;
      settledAtLastSweep = settledNow;
      touched.clear();
      expect(state.trackedOrders).toBe(model.orders.size - retired.size);
    }
    const ids = [...model.orders.keys()].filter((id) => !retired.has(id));
    const r = rnd();
    if (r < 0.3) {
      // A decision: the same answer from the O(1) state and from the brute force; an approval opens the order.
      const o = specOf();
      const toCheck = { symbol: o.symbol, side: o.side, quantity: o.quantity, strategy: o.strategy, ...(rnd() < 0.6 ? { limitPrice: o.price } : { referencePrice: o.price }) };
      const fast = state.check(toCheck, noKill, now);
      const bbo = model.bbo.get(o.symbol);
      const slow: RiskDecision = checkOrder(toCheck, model.exposure(o.symbol), limits, noKill, {
        nowMs: now,
        market: bbo ?? {},
        account: model.account(SYMBOLS),
        strategy: { openOrders: model.strategyOpenOrders(o.strategy) },
        rates: {
          symbol: model.rateWindow((a) => a.symbol === o.symbol),
          strategy: model.rateWindow((a) => a.strategy === o.strategy),
          account: model.rateWindow(() => true),
        },
      });
      expect(fast).toEqual(slow);
      stats.checks += 1;
      if (fast.approved) {
        stats.approvals += 1;
        const id = `o${nextId++}`;
        model.orders.set(id, o);
        open(id, o, now);
        if (rnd() < 0.05) {
          // The approval's publish failed: taken back entirely, as if never decided.
          state.release(id, now);
          model.orders.delete(id);
          model.approvals.pop();
        }
      } else stats.reasons.add(fast.reason);
    } else if (r < 0.36) {
      // An order known by its fill first, opened later (replay of separate streams).
      const id = `o${nextId++}`;
      const o = specOf();
      model.orders.set(id, o);
      fill(id, o, Decimal.min(qty(), o.quantity), o.price);
      if (rnd() < 0.3) {
        state.close(id, o.symbol);
        touched.add(id);
        o.closed = true;
      }
      open(id, o);
    } else if (r < 0.62 && ids.length > 0) {
      const id = pick(ids);
      const o = model.orders.get(id)!;
      // Mostly within what is left, sometimes beyond it (the remaining quantity floors at 0).
      const q = rnd() < 0.9 ? Decimal.max(Decimal.min(qty(), o.quantity.sub(o.filled)), dec('0.001')) : qty();
      fill(id, o, q, price(o.symbol));
    } else if (r < 0.72 && ids.length > 0) {
      const id = pick(ids);
      state.close(id);
      if (!model.orders.get(id)!.closed) touched.add(id);
      model.orders.get(id)!.closed = true;
    } else if (r < 0.75 && ids.length > 0) {
      const id = pick(ids);
      open(id, model.orders.get(id)!, now); // a repeat: changes nothing
    } else {
      const symbol = pick(SYMBOLS);
      const mid = price(symbol);
      const half = Decimal.fromUnits(BigInt(1 + Math.floor(rnd() * 50)), 2);
      const oneSided = rnd() < 0.1;
      const bid = mid.sub(half);
      const ask = oneSided ? undefined : mid.add(half);
      state.setMarket(symbol, bid, ask);
      model.bbo.set(symbol, { bid, ask });
      if (ask !== undefined) model.marks.set(symbol, { mark: bid.add(ask).div(2n, 12), fromMarket: true });
    }
    compare();
  }
  return stats;
}

test.each([1, 2, 3, 42, 20240611])('seed %i: running totals equal the brute force after every event, and decisions agree', (seed) => {
  const stats = run(seed, 1500);
  expect(stats.checks).toBeGreaterThan(300);
  expect(stats.approvals).toBeGreaterThan(50);
  // The sequences reach the limits, not only approvals.
  for (const reason of ['ORDER_RATE', 'MAX_OPEN_ORDERS', 'MAX_POSITION', 'MAX_GROSS_EXPOSURE', 'MAX_NET_EXPOSURE', 'PRICE_BAND']) expect(stats.reasons).toContain(reason);
});

test.each([7, 99])('seed %i: forgetting settled orders every 40 events changes no total and no decision, and keeps only what may still change', (seed) => {
  const stats = run(seed, 1500, 40);
  expect(stats.approvals).toBeGreaterThan(50);
  expect(stats.forgotten).toBeGreaterThan(100);
});
