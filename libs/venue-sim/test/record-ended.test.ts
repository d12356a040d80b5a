// recordEnded: an owner that rebuilds the venue after a stop tells it of an order that ended with
// the earlier run, so a lookup finds the order ended, with the reason, rather than nothing; the
// order never trades, holds nothing and leaves the books, balances and totals as they were.
import { SimArgumentError } from '../src';
import { bal, d, lv, ok, rejection, updates, venue } from './helpers';

const REASON = 'PAPER_VENUE_RESTARTED: it was matching when the venue stopped';

function withBook() {
  const v = venue();
  v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('10000'), BTC: d('10') } });
  v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '2']) });
  return v;
}

describe('recording an order that ended elsewhere', () => {
  it('is found ended with its reason, and trades, holds and moves nothing', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const before = { balances: bal(v, 'a'), bid: v.bbo('BTC-USDT').bid, ask: v.bbo('BTC-USDT').ask };
    const order = ok(v.recordEnded({ account: 'a', clientOrderId: 'm1', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1'), timeInForce: 'IOC' }, { status: 'cancelled', reason: REASON }));
    expect(order).toMatchObject({ clientOrderId: 'm1', status: 'cancelled', reason: REASON, filledQuantity: d('0'), quantity: d('1') });
    expect(v.order('a', { clientOrderId: 'm1' })).toEqual(order);
    expect(v.openOrders('a')).toEqual([]);
    expect(v.fills('a')).toEqual([]);
    expect({ balances: bal(v, 'a'), bid: v.bbo('BTC-USDT').bid, ask: v.bbo('BTC-USDT').ask }).toEqual(before);
    expect(seen.map((u) => (u.kind === 'order' ? `${u.order.clientOrderId} ${u.order.status}` : u.kind))).toEqual(['m1 cancelled']);
    v.audit();
    // It is done: a cancel is refused, placing the id again returns it, and it can be forgotten.
    expect(rejection(v.cancelOrder({ account: 'a', clientOrderId: 'm1' })).code).toBe('ORDER_NOT_OPEN');
    expect(ok(v.placeOrder({ account: 'a', clientOrderId: 'm1', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }))).toEqual(order);
    expect(v.forgetDone('a', ['m1'])).toEqual({ orders: 1, fills: 0 });
    expect(v.order('a', { clientOrderId: 'm1' })).toBeUndefined();
  });

  it('returns the order an id already names, unchanged', () => {
    const v = withBook();
    const resting = ok(v.placeOrder({ account: 'a', clientOrderId: 'r1', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99'), quantity: d('1') }));
    expect(ok(v.recordEnded({ account: 'a', clientOrderId: 'r1', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }, { status: 'expired', reason: REASON }))).toEqual(resting);
    expect(v.openOrders('a').map((o) => o.clientOrderId)).toEqual(['r1']);
  });

  it('refuses what placeOrder would refuse for its shape, account or symbol, and a bad end', () => {
    const v = withBook();
    const base = { account: 'a', clientOrderId: 'x', symbol: 'BTC-USDT', side: 'BUY' as const, type: 'limit' as const, quantity: d('1') };
    const end = { status: 'cancelled' as const, reason: REASON };
    expect(rejection(v.recordEnded({ ...base, account: 'nobody' }, end)).code).toBe('UNKNOWN_ACCOUNT');
    expect(rejection(v.recordEnded({ ...base, symbol: 'ETH-USDT' }, end)).code).toBe('UNKNOWN_SYMBOL');
    expect(rejection(v.recordEnded({ ...base, clientOrderId: '' }, end)).code).toBe('INVALID_ORDER');
    expect(rejection(v.recordEnded(base, end)).code).toBe('INVALID_ORDER'); // a limit order without a price
    expect(() => v.recordEnded({ ...base, price: d('99') }, { status: 'filled' as never, reason: REASON })).toThrow(SimArgumentError);
    expect(() => v.recordEnded({ ...base, price: d('99') }, { status: 'cancelled', reason: '' })).toThrow(SimArgumentError);
    expect(v.orders('a')).toEqual([]);
  });
});
