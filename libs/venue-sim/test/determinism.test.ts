import { Decimal } from '@meridian/domain';
import { seededRandom as testRandom } from '@meridian/testkit';
import { SimulatedVenue, fixedLatency, lognormalLatency, noSlippage, seededRandom, uniformLatency } from '../src';
import type { SlippageModel } from '../src';
import { AAPL, BTC, FEES, d } from './helpers';

const randomSlippage: SlippageModel = { ticks: (random) => Math.floor(random() * 3) };

/**
 * One session: accounts, a mirrored book that moves, external trades, orders of every kind, and
 * latency draws. The inputs come from a fixed generator (seed 42) whatever the venue's seed; the
 * venue's own RNG decides pro-rata rounding, slippage and latency. Returns everything observable.
 */
function session(venueSeed: number): string {
  let t = 0n;
  const v = new SimulatedVenue({ instruments: [AAPL, BTC], fees: FEES, clock: () => (t += 1000n), seed: venueSeed, queueModel: 'pro_rata', slippage: randomSlippage });
  const log: unknown[] = [];
  for (const id of ['a', 'b']) {
    v.openAccount({ id, mode: id === 'a' ? 'cash' : 'margin', balances: { USD: d('100000'), AAPL: d('500') }, leverage: id === 'b' ? d('2') : undefined });
    v.subscribe(id, (u) => log.push(u));
  }
  const input = testRandom(42);
  const int = (n: number): number => Math.floor(input() * n);
  const latency = lognormalLatency(200_000, 0.5);
  let mid = 10_000; // cents
  const px = (cents: number): Decimal => Decimal.fromUnits(BigInt(cents), 2);
  for (let step = 0; step < 1500; step++) {
    const roll = input();
    if (roll < 0.3) {
      mid += int(3) - 1;
      const bids = Array.from({ length: 5 }, (_, k) => ({ price: px(mid - 1 - k), size: Decimal.from(1 + int(40)) }));
      const asks = Array.from({ length: 5 }, (_, k) => ({ price: px(mid + 1 + k), size: Decimal.from(1 + int(40)) }));
      v.applyMarketBook('AAPL', { snapshot: int(10) === 0, bids, asks });
    } else if (roll < 0.45) {
      const buy = input() < 0.5;
      v.applyMarketTrade('AAPL', { price: px(buy ? mid + 1 : mid - 1), quantity: Decimal.from(1 + int(20)), aggressor: buy ? 'BUY' : 'SELL' });
    } else if (roll < 0.9) {
      const account = input() < 0.5 ? 'a' : 'b';
      const side = input() < 0.5 ? 'BUY' : 'SELL';
      const dir = side === 'BUY' ? -1 : 1;
      const kind = int(4);
      const type = (['limit', 'market', 'stop', 'stop_limit'] as const)[kind]!;
      const price = type === 'limit' || type === 'stop_limit' ? px(mid + dir * (int(4) - 1)) : undefined;
      const stopPrice = type === 'stop' || type === 'stop_limit' ? px(mid - dir * (2 + int(3))) : undefined;
      const r = v.placeOrder({ account, clientOrderId: `c${step}`, symbol: 'AAPL', side, type, quantity: Decimal.from(1 + int(15)), price, stopPrice, timeInForce: type === 'market' ? 'IOC' : 'GTC' });
      log.push(r.ok ? `placed ${r.value.orderId}` : `refused ${r.rejection.code}`);
    } else if (roll < 0.97) {
      const account = input() < 0.5 ? 'a' : 'b';
      const open = v.openOrders(account);
      if (open.length > 0) log.push(v.cancelOrder({ account, orderId: open[int(open.length)]!.orderId }));
    } else {
      v.expireDayOrders();
    }
    log.push(v.sampleLatency(latency));
  }
  log.push(v.accountIds().map((id) => [id, v.balances(id)]), v.depth('AAPL', 'bid', 10), v.depth('AAPL', 'ask', 10));
  return JSON.stringify(log, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

describe('determinism', () => {
  it('the same seed and the same inputs give the same orders, fills, balances and latencies', () => {
    const first = session(7);
    expect(session(7)).toBe(first);
    expect(first).toContain('"kind":"fill"');
    expect(first).toContain('"liquidity":"maker"');
  });

  it("another seed changes the venue's random choices (queue shares, slippage, latency), not the inputs", () => {
    expect(session(8)).not.toBe(session(7));
  });
});

describe('latency and slippage models', () => {
  it('fixed and uniform latency', () => {
    const random = seededRandom(3);
    expect(fixedLatency(500).sample(random)).toBe(500n);
    expect(fixedLatency(7n).sample(random)).toBe(7n);
    const uniform = uniformLatency(100, 103);
    const seen = new Set<bigint>();
    for (let i = 0; i < 200; i++) seen.add(uniform.sample(random));
    expect([...seen].sort()).toEqual([100n, 101n, 102n, 103n]);
  });

  it('log-normal latency: median at the given value, a right tail, an optional cap; seeded, so repeatable', () => {
    const model = lognormalLatency(200_000, 0.5);
    const draw = (seed: number): bigint[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 20_001 }, () => model.sample(random));
    };
    const samples = draw(11);
    expect(draw(11)).toEqual(samples);
    const sorted = [...samples].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const median = Number(sorted[10_000]);
    expect(median).toBeGreaterThan(195_000);
    expect(median).toBeLessThan(205_000);
    // e^(0.5 × 2.326) ≈ 3.2: the 99th percentile is about 3.2 × the median.
    const p99 = Number(sorted[19_800]) / median;
    expect(p99).toBeGreaterThan(2.9);
    expect(p99).toBeLessThan(3.5);
    const capped = lognormalLatency(200_000, 0.5, 300_000);
    const random = seededRandom(1);
    for (let i = 0; i < 1000; i++) expect(capped.sample(random)).toBeLessThanOrEqual(300_000n);
  });

  it('refuses bad parameters by name', () => {
    expect(() => fixedLatency(-1)).toThrow('venue-sim fixedLatency(ns): -1 must be a non-negative whole number of nanoseconds');
    expect(() => uniformLatency(10, 5)).toThrow(/uniformLatency\(maxNs\): 5 must not be below minNs 10/);
    expect(() => lognormalLatency(100, -1)).toThrow(/lognormalLatency\(sigma\)/);
    expect(noSlippage().ticks(Math.random, 'BUY', d('1'))).toBe(0);
    const v = new SimulatedVenue({ instruments: [BTC], fees: FEES, slippage: { ticks: () => 0.5 } });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    expect(() => v.placeOrder({ account: 'a', clientOrderId: 'x', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') })).toThrow(
      /slippage\.ticks\(\): 0\.5 must return a non-negative whole number of ticks/,
    );
  });
});

describe('first id', () => {
  it('starts order and trade ids where a rebuilt venue must not repeat an earlier run', () => {
    const v = new SimulatedVenue({ instruments: [AAPL], fees: FEES, firstId: 1_700_000_000_000_000_000n });
    v.openAccount({ id: 'a', mode: 'margin', balances: { USD: d('100000') } });
    v.applyMarketBook('AAPL', { snapshot: true, bids: [{ price: d('99'), size: d('10') }], asks: [{ price: d('101'), size: d('10') }] });
    const placed = v.placeOrder({ account: 'a', clientOrderId: 'x', symbol: 'AAPL', side: 'BUY', type: 'market', quantity: d('1'), timeInForce: 'IOC' });
    expect(placed.ok && BigInt(placed.value.orderId) >= 1_700_000_000_000_000_000n).toBe(true);
    expect(BigInt(v.fills('a')[0]!.tradeId) >= 1_700_000_000_000_000_000n).toBe(true);
    expect(() => new SimulatedVenue({ instruments: [AAPL], fees: FEES, firstId: 0n })).toThrow(/firstId/);
  });
});
