// forgetDone: a long-running owner of the venue (the platform's paper venue) drops done orders and
// their fills; open orders, held stops, balances and the venue's own totals are untouched, the
// forgotten ones are gone from every read, and the account trades on.
import { Decimal } from '@meridian/domain';
import { FEE_ACCOUNT, HOUSE_ACCOUNT, SimArgumentError, UnknownAccountError, seededRandom } from '../src';
import type { SimulatedVenue } from '../src';
import { bal, d, lv, ok, rejection, venue } from './helpers';

function withBook(): SimulatedVenue {
  const v = venue();
  v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('10000'), BTC: d('10') } });
  v.openAccount({ id: 'b', mode: 'cash', balances: { USDT: d('10000'), BTC: d('10') } });
  v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5'], ['99', '5']), asks: lv(['101', '2'], ['102', '3']) });
  return v;
}

/** Each currency's total over every account, house and fee account included. */
function sums(v: SimulatedVenue): Record<string, string> {
  const out = new Map<string, Decimal>();
  for (const id of v.accountIds()) for (const b of v.balances(id)) out.set(b.currency, (out.get(b.currency) ?? Decimal.ZERO).add(b.total));
  return Object.fromEntries([...out].map(([c, x]) => [c, x.toString()]));
}

/** What the account's arrays hold, forgotten entries not yet compacted included (the memory the compaction bounds). */
function stored(v: SimulatedVenue, account: string): { orders: number; fills: number } {
  const a = (v as unknown as { accounts: Map<string, { orders: unknown[]; fills: unknown[] }> }).accounts.get(account)!;
  return { orders: a.orders.length, fills: a.fills.length };
}

describe('forgetting done orders', () => {
  it('drops done orders and their fills from every read, leaving open orders, held stops, balances and the totals as they were', () => {
    const v = withBook();
    const place = (clientOrderId: string, over: Record<string, unknown>) =>
      ok(v.placeOrder({ account: 'a', clientOrderId, symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1'), ...over }));
    const m1 = place('m1', {});
    const p1 = place('p1', { type: 'limit', price: d('101'), quantity: d('3') });
    expect(p1).toMatchObject({ status: 'partially_filled', filledQuantity: d('1') });
    ok(v.cancelOrder({ account: 'a', clientOrderId: 'p1' }));
    const keep = place('keep', {});
    place('day1', { type: 'limit', price: d('98'), timeInForce: 'DAY' });
    v.expireDayOrders();
    place('c1', { side: 'SELL', type: 'limit', price: d('110') });
    ok(v.cancelOrder({ account: 'a', clientOrderId: 'c1' }));
    const rest = place('rest', { type: 'limit', price: d('99.5') });
    const stop = place('stop', { type: 'stop', stopPrice: d('103') });
    // Another account's id space is its own: its m1 stays.
    ok(v.placeOrder({ account: 'b', clientOrderId: 'm1', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('1') }));
    expect(v.orders('a').map((o) => `${o.clientOrderId} ${o.status}`)).toEqual([
      'stop new',
      'rest new',
      'c1 cancelled',
      'day1 expired',
      'keep filled',
      'p1 cancelled',
      'm1 filled',
    ]);
    expect(v.fills('a').map((f) => f.clientOrderId)).toEqual(['m1', 'p1', 'keep']);
    v.audit();
    const before = { a: bal(v, 'a'), b: bal(v, 'b'), fees: bal(v, FEE_ACCOUNT), house: bal(v, HOUSE_ACCOUNT), open: v.openOrders('a'), sums: sums(v), positions: v.positions('a') };
    // Bought 1 at 101 (m1), 1 at 101 (p1's fill) and 1 at 102 (keep): 3 at 304 / 3.
    expect(before.positions).toEqual([{ symbol: 'BTC-USDT', quantity: d('3'), averagePrice: d('101.333333333333') }]);
    expect(before.a.USDT![2]).not.toBe('0'); // the resting buy and the stop hold funds

    // Open orders (resting, a held stop) and unknown ids are passed over.
    expect(v.forgetDone('a', ['m1', 'p1', 'day1', 'c1', 'rest', 'stop', 'nobody'])).toEqual({ orders: 4, fills: 2 });
    v.audit();
    expect({ a: bal(v, 'a'), b: bal(v, 'b'), fees: bal(v, FEE_ACCOUNT), house: bal(v, HOUSE_ACCOUNT), open: v.openOrders('a'), sums: sums(v), positions: v.positions('a') }).toEqual(before);
    expect(v.remembered('a')).toEqual({ orders: 3, fills: 1 });
    expect(v.orders('a').map((o) => o.clientOrderId)).toEqual(['stop', 'rest', 'keep']);
    expect(v.orders('a', { limit: 2 }).map((o) => o.clientOrderId)).toEqual(['stop', 'rest']);
    expect(v.fills('a').map((f) => f.clientOrderId)).toEqual(['keep']);
    expect(v.fills('a', { afterTradeId: '0', limit: 1 }).map((f) => f.orderId)).toEqual([keep.orderId]);
    for (const id of ['m1', 'p1', 'day1', 'c1']) expect(v.order('a', { clientOrderId: id })).toBeUndefined();
    expect(v.order('a', { orderId: m1.orderId })).toBeUndefined();
    expect(v.order('a', { orderId: keep.orderId })?.status).toBe('filled');
    expect(v.order('b', { clientOrderId: 'm1' })?.status).toBe('filled');
    expect(rejection(v.cancelOrder({ account: 'a', clientOrderId: 'c1' }))).toEqual({ code: 'UNKNOWN_ORDER', message: 'client order id "c1" is not known to account "a"' });
    // Forgetting again changes nothing.
    expect(v.forgetDone('a', ['m1', 'p1', 'day1', 'c1'])).toEqual({ orders: 0, fills: 0 });

    // The held stop is still held, and triggers: a print at 103 reaches it, and it buys at 104.
    v.applyMarketBook('BTC-USDT', { snapshot: false, bids: [], asks: lv(['104', '5']) });
    v.applyMarketTrade('BTC-USDT', { price: d('103'), quantity: d('1'), aggressor: 'BUY' });
    expect(v.order('a', { orderId: stop.orderId })).toMatchObject({ status: 'filled', filledQuantity: d('1'), averagePrice: d('104') });
    expect(v.fills('a').map((f) => f.clientOrderId)).toEqual(['keep', 'stop']);
    v.audit();
    // The resting order is still there to cancel; its hold comes back.
    expect(ok(v.cancelOrder({ account: 'a', orderId: rest.orderId })).status).toBe('cancelled');
    expect(bal(v, 'a').USDT![2]).toBe('0');

    // New orders go on with new ids; a forgotten client order id is free again: a new order.
    const next = place('next', { type: 'limit', price: d('99') });
    expect(BigInt(next.orderId)).toBeGreaterThan(BigInt(stop.orderId));
    const again = place('m1', { type: 'limit', price: d('98') });
    expect(again).toMatchObject({ status: 'new', price: d('98') });
    expect(again.orderId).not.toBe(m1.orderId);
    expect(v.order('a', { clientOrderId: 'm1' })?.orderId).toBe(again.orderId);
    v.audit();
    expect(sums(v)).toEqual(before.sums);
  });

  it('keeps reads exact and the arrays within twice what is remembered while ids are forgotten one at a time', () => {
    const v = venue();
    v.openAccount({ id: 'mg', mode: 'margin', balances: { USDT: d('1000000') } });
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '1000']), asks: lv(['101', '1000']) });
    const random = seededRandom(7);
    const placed: string[] = [];
    for (let i = 0; i < 300; i++) {
      const id = `o${i}`;
      const r = random();
      if (r < 0.5) ok(v.placeOrder({ account: 'mg', clientOrderId: id, symbol: 'BTC-USDT', side: r < 0.25 ? 'BUY' : 'SELL', type: 'market', quantity: d('0.1') }));
      else {
        ok(v.placeOrder({ account: 'mg', clientOrderId: id, symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('90'), quantity: d('0.1') }));
        if (r < 0.8) ok(v.cancelOrder({ account: 'mg', clientOrderId: id }));
      }
      placed.push(id);
    }
    const all = new Map(v.orders('mg').map((o) => [o.clientOrderId, o]));
    const allFills = v.fills('mg');
    // Positions come from every fill, forgotten ones too: they never move while only forgetting.
    const positions = v.positions('mg');
    expect(positions).toHaveLength(1);
    const forgotten = new Set<string>();
    const order = [...placed].sort(() => random() - 0.5);
    for (const id of order) {
      const done = all.get(id)!.status !== 'new';
      expect(v.forgetDone('mg', [id])).toEqual({ orders: done ? 1 : 0, fills: done ? allFills.filter((f) => f.clientOrderId === id).length : 0 });
      if (done) forgotten.add(id);
      const expectedOrders = [...placed].reverse().filter((x) => !forgotten.has(x));
      const expectedFills = allFills.filter((f) => !forgotten.has(f.clientOrderId));
      expect(v.orders('mg').map((o) => o.clientOrderId)).toEqual(expectedOrders);
      expect(v.fills('mg')).toEqual(expectedFills);
      expect(v.positions('mg')).toEqual(positions);
      expect(v.order('mg', { clientOrderId: id }) === undefined).toBe(done);
      expect(v.remembered('mg')).toEqual({ orders: expectedOrders.length, fills: expectedFills.length });
      const held = stored(v, 'mg');
      expect(held.orders).toBeLessThanOrEqual(2 * expectedOrders.length + 1);
      expect(held.fills).toBeLessThanOrEqual(2 * expectedFills.length + 1);
    }
    // Paging by trade id skips the forgotten fills the same way (none are left now: every fill's order was done).
    expect(v.fills('mg', { afterTradeId: '0', limit: 5 })).toEqual([]);
    expect(v.orders('mg').every((o) => o.status === 'new')).toBe(true);
    v.audit();
  });

  it('pages fills by trade id across forgotten ones', () => {
    const v = withBook();
    for (let i = 0; i < 6; i++) ok(v.placeOrder({ account: 'a', clientOrderId: `f${i}`, symbol: 'BTC-USDT', side: i % 2 === 0 ? 'BUY' : 'SELL', type: 'market', quantity: d('0.1') }));
    const fills = v.fills('a');
    expect(fills).toHaveLength(6);
    v.forgetDone('a', ['f1', 'f2']);
    const kept = fills.filter((f) => f.clientOrderId !== 'f1' && f.clientOrderId !== 'f2');
    expect(v.fills('a', { afterTradeId: fills[0]!.tradeId, limit: 2 })).toEqual(kept.slice(1, 3));
    expect(v.fills('a', { afterTradeId: fills[1]!.tradeId })).toEqual(kept.slice(1));
  });

  it('refuses an unknown account and ids that are not an iterable', () => {
    const v = withBook();
    expect(() => v.forgetDone('nobody', [])).toThrow(UnknownAccountError);
    expect(() => v.remembered('nobody')).toThrow(UnknownAccountError);
    expect(() => v.forgetDone('a', 'm1' as unknown as string[])).toThrow(SimArgumentError);
    expect(() => v.forgetDone('a', undefined as unknown as string[])).toThrow(SimArgumentError);
  });
});
