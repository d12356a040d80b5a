import { SimInvariantError, fixedSlippage, planReduction } from '../src';
import type { QueueEntry, QueueModel } from '../src';
import { bal, d, houseAt, line, lv, ok, queue, show, updates, venue } from './helpers';

const H = (id: number, lots: number): QueueEntry => ({ id, lots, house: true });
const O = (id: number, lots: number): QueueEntry => ({ id, lots, house: false });
const never = (): number => {
  throw new Error('the RNG was drawn for an exact split');
};
const always = (x: number) => (): number => x;

describe('planReduction (the queue model, by hand)', () => {
  // Level: 5 mirrored ahead of our order of 1, 7 behind it; the feed says the level shrank by 6.
  const level = [H(1, 5), O(2, 1), H(3, 7)];

  it('back: all from behind our order', () => {
    expect(planReduction(level, 6, 'back', never)).toEqual([{ id: 3, lots: 6 }]);
  });

  it('front: all that is ahead of us first, the rest from behind', () => {
    expect(planReduction(level, 6, 'front', never)).toEqual([
      { id: 1, lots: 5 },
      { id: 3, lots: 1 },
    ]);
  });

  it('pro_rata: 6 × 5/12 = 2.5 from ahead, the half rounded up with probability 0.5', () => {
    expect(planReduction(level, 6, 'pro_rata', always(0.4))).toEqual([
      { id: 1, lots: 3 },
      { id: 3, lots: 3 },
    ]);
    expect(planReduction(level, 6, 'pro_rata', always(0.6))).toEqual([
      { id: 1, lots: 2 },
      { id: 3, lots: 4 },
    ]);
  });

  it('pro_rata: an exact share draws nothing from the RNG (4 ahead, 8 behind, cut 6: 2 and 4)', () => {
    expect(planReduction([H(1, 4), O(2, 1), H(3, 8)], 6, 'pro_rata', never)).toEqual([
      { id: 1, lots: 2 },
      { id: 3, lots: 4 },
    ]);
  });

  it('several of our orders split the level into segments; each model cuts them in its order', () => {
    const q = [H(1, 4), O(2, 1), H(3, 4), O(4, 1), H(5, 4)];
    expect(planReduction(q, 6, 'pro_rata', never)).toEqual([
      { id: 1, lots: 2 },
      { id: 3, lots: 2 },
      { id: 5, lots: 2 },
    ]);
    expect(planReduction(q, 6, 'back', never)).toEqual([
      { id: 5, lots: 4 },
      { id: 3, lots: 2 },
    ]);
    expect(planReduction(q, 6, 'front', never)).toEqual([
      { id: 1, lots: 4 },
      { id: 3, lots: 2 },
    ]);
  });

  it("within a segment the cut comes off its back orders first; a level with none of ours is one segment", () => {
    expect(planReduction([H(1, 2), H(2, 3), O(3, 1)], 4, 'front', never)).toEqual([
      { id: 2, lots: 3 },
      { id: 1, lots: 1 },
    ]);
    expect(planReduction([H(1, 2), H(2, 3)], 4, 'pro_rata', never)).toEqual([
      { id: 2, lots: 3 },
      { id: 1, lots: 1 },
    ]);
    expect(planReduction([O(1, 3)], 0, 'back', never)).toEqual([]);
  });

  it('refuses to cut more than the mirrored liquidity', () => {
    expect(() => planReduction([H(1, 2), O(2, 5)], 3, 'back', never)).toThrow(SimInvariantError);
  });

  it('pro_rata rounds up with a probability equal to the fraction (seeded, so exact)', () => {
    let state = 0;
    const cycle = (): number => (state = (state + 0.37) % 1);
    let ahead = 0;
    const n = 1000;
    for (let i = 0; i < n; i++) ahead += planReduction(level, 6, 'pro_rata', cycle)[0]!.lots;
    // 2.5 on average: half the draws round up.
    expect(Math.abs(ahead / n - 2.5)).toBeLessThan(0.02);
  });
});

describe('the market mirror', () => {
  it('mirrors snapshots and deltas as venue liquidity; our orders stay through a snapshot', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5'], ['99', '5']), asks: lv(['101', '2']) });
    expect(show(v.depth('BTC-USDT', 'bid', 10))).toEqual([
      ['100', '5'],
      ['99', '5'],
    ]);
    ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99'), quantity: d('1') }));
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['100', '3']), asks: lv(['101', '0'], ['101.5', '4']) });
    expect(show(v.depth('BTC-USDT', 'bid', 10))).toEqual([
      ['100', '3'],
      ['99', '6'],
    ]);
    expect(show(v.depth('BTC-USDT', 'ask', 10))).toEqual([['101.5', '4']]);
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['98', '1']), asks: lv(['102', '1']) });
    expect(queue(v, 'BTC-USDT', 'bid', '99')).toEqual(['O1:1']);
    expect(show(v.depth('BTC-USDT', 'bid', 10))).toEqual([
      ['99', '1'],
      ['98', '1'],
    ]);
    expect(v.bbo('BTC-USDT')).toEqual({ bid: { price: d('99'), size: d('1') }, ask: { price: d('102'), size: d('1') } });
  });

  it('refuses market data off the grid, naming the field, and applies none of it', () => {
    const v = venue();
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: [] });
    expect(() => v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['99', '1'], ['98.95', '1']), asks: [] })).toThrow(
      'market data for BTC-USDT: bids[1].price 98.95 is not a whole number of ticks of 0.1 within 2^53 - 1',
    );
    expect(() => v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['99', '1'], ['99', '2']), asks: [] })).toThrow(/bids\[1\]\.price 99 is listed twice/);
    expect(() => v.applyMarketTrade('BTC-USDT', { price: d('100'), quantity: d('0'), aggressor: 'SELL' })).toThrow(/trade\.quantity 0 must be a positive Decimal/);
    expect(() => v.applyMarketBook('BTC-USDT', { snapshot: true, bids: [], asks: lv(['101', '1'], ['102', '-1']) })).toThrow(/asks\[1\]\.size -1 must be a non-negative Decimal/);
    expect(() => v.applyMarketBook('BTC-USDT', { snapshot: true, bids: [], asks: lv(['101', '0.0001']) })).toThrow(/asks\[0\]\.size 0\.0001 is not a whole number of lots/);
    expect(() => v.applyMarketTrade('BTC-USDT', { price: d('100.05'), quantity: d('1'), aggressor: 'SELL' })).toThrow(/trade\.price 100\.05 is not a whole number of ticks/);
    expect(() => v.applyMarketBook('XRP', { snapshot: true, bids: [], asks: [] })).toThrow(expect.objectContaining({ code: 'SIM_UNKNOWN_SYMBOL' }));
    expect(show(v.depth('BTC-USDT', 'bid', 10))).toEqual([['100', '5']]);
  });

  it('house liquidity never trades with itself: a level the feed moves through cancels the stale one', () => {
    const v = venue();
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '5']) });
    // The feed reports a bid at 101.5 before it reports the ask at 101 gone.
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['101.5', '3']), asks: [] });
    expect(v.bbo('BTC-USDT')).toEqual({ bid: { price: d('101.5'), size: d('3') }, ask: undefined });
    expect(bal(v, '@house')).toEqual({});
  });

  it('a market that moves through our resting limit fills it at its own price, as maker, against the house', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000'), BTC: d('1') } });
    const seen = updates(v, 'a');
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '2']) });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100.5'), quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 's', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('100.8'), quantity: d('1') }));
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: [], asks: lv(['101', '0'], ['100.2', '4']) });
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['100', '0'], ['101.2', '2']), asks: lv(['100.2', '0']) });
    expect(seen.map(line)).toEqual([
      'order 1 new',
      'order 2 new',
      'fill 1 1@100.5 maker fee 0.1005 -> filled',
      'fill 2 1@100.8 maker fee 0.1008 -> filled',
    ]);
    // The house took the other side of both (what the external market did).
    expect(bal(v, '@house')).toEqual({ BTC: ['0', '0', '0'], USDT: ['-0.3', '-0.3', '0'] });
    expect(v.bbo('BTC-USDT')).toEqual({ bid: { price: d('101.2'), size: d('1') }, ask: undefined });
  });

  it('liquidity our taker orders took is gone until the feed reports that level again', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    v.openAccount({ id: 'b', mode: 'cash', balances: { USDT: d('1000') } });
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: [], asks: lv(['101', '2'], ['102', '3']) });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1.5') }));
    ok(v.placeOrder({ account: 'b', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }));
    expect(v.fills('b').map((f) => `${f.quantity}@${f.price}`)).toEqual(['0.5@101', '0.5@102']);
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: [], asks: lv(['103', '1']) });
    expect(show(v.depth('BTC-USDT', 'ask', 5))).toEqual([
      ['102', '2.5'],
      ['103', '1'],
    ]);
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: [], asks: lv(['101', '2']) });
    expect(houseAt(v, 'BTC-USDT', 'ask', '101')).toBe('2');
  });

  describe.each<[QueueModel, string[]]>([
    ['back', ['H5', 'O1:1', 'H1']],
    ['front', ['O1:1', 'H6']],
  ])('queue model %s', (model, after) => {
    it('joins behind the mirrored size, new size queues behind us, a shrink comes off where the model says', () => {
      const v = venue({ queueModel: model });
      v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
      v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '5']) });
      ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
      v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['100', '12']), asks: [] });
      expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['H5', 'O1:1', 'H7']);
      v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['100', '6']), asks: [] });
      expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(after);
    });
  });

  it('queue model pro_rata: the shrink is shared between ahead and behind, the half lot by the seeded RNG', () => {
    // AAPL trades whole shares, so 2.5 shares ahead cannot stay: it becomes 2 or 3 by the RNG.
    const outcomes = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const v = venue({ queueModel: 'pro_rata', seed });
      v.openAccount({ id: 'a', mode: 'cash', balances: { USD: d('1000') } });
      v.applyMarketBook('AAPL', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '5']) });
      ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
      v.applyMarketBook('AAPL', { snapshot: false, bids: lv(['100', '12']), asks: [] });
      v.applyMarketBook('AAPL', { snapshot: false, bids: lv(['100', '6']), asks: [] });
      outcomes.add(queue(v, 'AAPL', 'bid', '100').join(' '));
    }
    expect([...outcomes].sort()).toEqual(['H2 O1:1 H4', 'H3 O1:1 H3']);
  });

  it('an external trade consumes the queue from the front: ahead of us, then us (maker), then behind', () => {
    const v = venue({ queueModel: 'back' });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    const seen = updates(v, 'a');
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5'], ['99.5', '2'], ['99', '5']), asks: lv(['101', '5']) });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: lv(['100', '12']), asks: [] });
    v.applyMarketTrade('BTC-USDT', { price: d('100'), quantity: d('5'), aggressor: 'SELL' });
    expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['O1:1', 'H7']);
    v.applyMarketTrade('BTC-USDT', { price: d('100'), quantity: d('3'), aggressor: 'SELL' });
    expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['H5']);
    // A print below our bid trades through it: filled in full at its price; the mirror above the print is gone.
    ok(v.placeOrder({ account: 'a', clientOrderId: 'c', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1') }));
    v.applyMarketTrade('BTC-USDT', { price: d('99'), quantity: d('1'), aggressor: 'SELL' });
    expect(seen.map(line)).toEqual(['order 1 new', 'fill 1 1@100 maker fee 0.1 -> filled', 'order 2 new', 'fill 2 1@99.5 maker fee 0.0995 -> filled']);
    expect(show(v.depth('BTC-USDT', 'bid', 5))).toEqual([['99', '4']]);
    expect(v.lastPrice('BTC-USDT')).toEqual(d('99'));
  });

  it('slippage: extra adverse ticks on taker fills against mirrored liquidity only, never past the limit', () => {
    const v = venue({ slippage: fixedSlippage(2) });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000'), BTC: d('5') } });
    v.openAccount({ id: 'b', mode: 'cash', balances: { USDT: d('1000'), BTC: d('5') } });
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '5']) });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 'l', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('101.1'), quantity: d('1'), timeInForce: 'IOC' }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 's', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('1') }));
    // Against another account's order there is nothing to slip on.
    ok(v.placeOrder({ account: 'b', clientOrderId: 'ask', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('100.9'), quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm2', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }));
    expect(v.fills('a').map((f) => `${f.side} ${f.quantity}@${f.price} ${f.liquidity}`)).toEqual([
      'BUY 1@101.2 taker',
      'BUY 1@101.1 taker',
      'SELL 1@99.8 taker',
      'BUY 1@100.9 taker',
    ]);
    expect(v.fills('b').map((f) => `${f.side} ${f.quantity}@${f.price} ${f.liquidity}`)).toEqual(['SELL 1@100.9 maker']);
    // The house was paid the slipped prices: +101.2 + 101.1 − 99.8 USDT.
    expect(bal(v, '@house').USDT?.[0]).toBe('102.5');
  });
});

describe('the mirror without any order of ours in the symbol (driven on ticks, no Decimal events)', () => {
  // The same feed into two venues: one where our order rests far below the market (so every change
  // takes the general path, events converted and processed), one with no order of ours in the
  // symbol. House liquidity, the last price and our balances must come out the same, level by level.
  const depthOf = (v: ReturnType<typeof venue>): string[] => {
    const out: string[] = [];
    for (const side of ['bid', 'ask'] as const) {
      for (const level of v.depth('BTC-USDT', side, 100)) {
        if (side === 'bid' && level.price.lte(d('1'))) continue; // our resting order's level
        out.push(`${side} ${level.price} ${queue(v, 'BTC-USDT', side, level.price.toString()).join(' ')}`);
      }
    }
    return out;
  };

  it.each(['pro_rata', 'back', 'front'] as const)('snapshots, deltas and prints build the same book (%s)', (queueModel) => {
    const general = venue({ queueModel, seed: 7 });
    const houseOnly = venue({ queueModel, seed: 7 });
    for (const v of [general, houseOnly]) v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000'), BTC: d('1') } });
    ok(general.placeOrder({ account: 'a', clientOrderId: 'far', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', quantity: d('5'), price: d('1') }));
    let x = 99;
    const next = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return x % n;
    };
    let mid = 1000;
    for (let step = 0; step < 400; step++) {
      mid += next(7) - 3;
      const levels = (sign: 1 | -1): [string, string][] =>
        Array.from({ length: 1 + next(5) }, (_, k) => [((mid + sign * (1 + k + next(2) * k)) / 10).toFixed(1), (next(4) / 1000 + (next(3) === 0 ? 0 : 0.001)).toFixed(3)]);
      const dedupe = (pairs: [string, string][]): [string, string][] => [...new Map(pairs).entries()];
      const change = { snapshot: next(4) === 0, bids: lv(...dedupe(levels(-1))), asks: lv(...dedupe(levels(1))) };
      const kind = next(3);
      for (const v of [general, houseOnly]) {
        if (kind === 0) v.applyMarketTrade('BTC-USDT', { price: d((mid / 10).toFixed(1)), quantity: d('0.002'), aggressor: step % 2 === 0 ? 'BUY' : 'SELL' });
        else v.applyMarketBook('BTC-USDT', change);
      }
      expect([step, depthOf(houseOnly), houseOnly.lastPrice('BTC-USDT')?.toString()]).toEqual([step, depthOf(general), general.lastPrice('BTC-USDT')?.toString()]);
    }
    // Then the same order meets the same book in both: the same fills.
    const fills = (v: ReturnType<typeof venue>): string[] => {
      const seen = updates(v, 'a');
      ok(v.placeOrder({ account: 'a', clientOrderId: 'sweep', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('0.01') }));
      return seen.filter((u) => u.kind === 'fill').map((u) => (u.kind === 'fill' ? `${u.fill.quantity}@${u.fill.price} ${u.fill.liquidity}` : ''));
    };
    expect(fills(houseOnly)).toEqual(fills(general));
    general.audit();
    houseOnly.audit();
  });
});
