import { SimulatedVenue } from '../src';
import type { SimUpdate } from '../src';
import { AAPL, BTC, FEES, bal, d, line, lv, ok, queue, rejection, updates, venue } from './helpers';

function withBook(): SimulatedVenue {
  const v = venue();
  v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('10000'), BTC: d('10') } });
  v.openAccount({ id: 'b', mode: 'cash', balances: { USDT: d('10000'), BTC: d('10') } });
  v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5'], ['99', '5']), asks: lv(['101', '2'], ['102', '3']) });
  return v;
}

describe('placing orders', () => {
  it('gives accepted orders increasing decimal ids and tells the account, first that the order is new', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const first = ok(v.placeOrder({ account: 'a', clientOrderId: 'c1', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1') }));
    const second = ok(v.placeOrder({ account: 'a', clientOrderId: 'c2', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('105'), quantity: d('1') }));
    expect([first.orderId, second.orderId]).toEqual(['1', '2']);
    expect(first).toMatchObject({ status: 'new', timeInForce: 'GTC', postOnly: false, filledQuantity: d('0'), averagePrice: undefined, feeCurrency: 'USDT', account: 'a' });
    expect(seen.map(line)).toEqual(['order 1 new', 'order 2 new']);
    expect(v.openOrders('a').map((o) => o.orderId)).toEqual(['1', '2']);
    expect(v.orders('a').map((o) => o.orderId)).toEqual(['2', '1']);
    expect(v.orders('a', { limit: 1 }).map((o) => o.orderId)).toEqual(['2']);
  });

  it('is idempotent on the client order id per account: the same id returns the first order, unchanged', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const first = ok(v.placeOrder({ account: 'a', clientOrderId: 'same', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1') }));
    const holdAfterFirst = bal(v, 'a');
    const again = ok(v.placeOrder({ account: 'a', clientOrderId: 'same', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('3') }));
    expect(again).toBe(first);
    expect(bal(v, 'a')).toEqual(holdAfterFirst);
    expect(v.orders('a')).toHaveLength(1);
    expect(seen.map(line)).toEqual(['order 1 new']);
    // Still after the order ended.
    ok(v.cancelOrder({ account: 'a', clientOrderId: 'same' }));
    expect(ok(v.placeOrder({ account: 'a', clientOrderId: 'same', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1') }))).toMatchObject({
      orderId: '1',
      status: 'cancelled',
    });
    // Another account's id space is its own.
    expect(ok(v.placeOrder({ account: 'b', clientOrderId: 'same', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1') })).orderId).toBe('2');
  });

  it('refuses broken terms with the engine codes and messages, changing nothing and using no id', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const before = bal(v, 'a');
    const place = (over: Record<string, unknown>) =>
      rejection(v.placeOrder({ account: 'a', clientOrderId: `r${Math.random()}`, symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1'), ...over }));
    expect(place({ quantity: d('0.0005') })).toEqual({ code: 'QUANTITY_NOT_LOT_MULTIPLE', message: 'quantity 0.0005 is not a multiple of lot size 0.001' });
    expect(place({ quantity: d('0') })).toEqual({ code: 'QUANTITY_NOT_POSITIVE', message: 'quantity 0 must be positive' });
    expect(place({ price: d('100.05') })).toEqual({ code: 'PRICE_NOT_TICK_MULTIPLE', message: 'price 100.05 is not a multiple of tick size 0.1' });
    expect(place({ price: d('-1') })).toEqual({ code: 'PRICE_NOT_POSITIVE', message: 'price -1 must be positive' });
    expect(place({ quantity: d('0.04') })).toEqual({ code: 'NOTIONAL_BELOW_MIN', message: 'notional 4 is below the minimum 5' });
    expect(place({ type: 'stop', price: undefined, stopPrice: d('100.01') })).toEqual({
      code: 'PRICE_NOT_TICK_MULTIPLE',
      message: 'stop price 100.01 is not a multiple of tick size 0.1',
    });
    expect(place({ quantity: d('100000000000000') }).code).toBe('QUANTITY_OUT_OF_RANGE');
    expect(place({ account: 'nobody' })).toEqual({ code: 'UNKNOWN_ACCOUNT', message: 'account "nobody" is not open on this venue' });
    expect(place({ account: '@house' }).code).toBe('UNKNOWN_ACCOUNT');
    expect(place({ symbol: 'ETH-USDT' })).toEqual({ code: 'UNKNOWN_SYMBOL', message: 'symbol "ETH-USDT" is not traded on this venue' });
    expect(place({ price: undefined })).toMatchObject({ code: 'INVALID_ORDER', message: 'a limit order needs a price (a Decimal), got undefined' });
    expect(place({ type: 'market' })).toMatchObject({ code: 'INVALID_ORDER', message: 'a market order has no price, got 100' });
    expect(place({ timeInForce: 'IOC', postOnly: true })).toMatchObject({ code: 'INVALID_ORDER', message: 'only a GTC or DAY limit order can be post-only, not a IOC limit order' });
    expect(place({ timeInForce: 'GTD' }).code).toBe('INVALID_ORDER');
    expect(place({ clientOrderId: '' }).code).toBe('INVALID_ORDER');
    expect(seen).toEqual([]);
    expect(bal(v, 'a')).toEqual(before);
    expect(ok(v.placeOrder({ account: 'a', clientOrderId: 'fine', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99'), quantity: d('1') })).orderId).toBe('1');
  });

  it('applies the instrument minimum quantity', () => {
    const v = new SimulatedVenue({ instruments: [{ ...AAPL, minQuantity: d('2') }], fees: FEES, clock: () => 1n });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USD: d('1000') } });
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 'x', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('10'), quantity: d('1') }))).toEqual({
      code: 'QUANTITY_BELOW_MIN',
      message: 'quantity 1 is below the minimum 2',
    });
    // Mirrored liquidity is not bound by it: a 1-share level rests.
    v.applyMarketBook('AAPL', { snapshot: true, bids: lv(['9.99', '1']), asks: [] });
    expect(v.bbo('AAPL').bid).toEqual({ price: d('9.99'), size: d('1') });
  });

  it('fills a market order level by level as taker and cancels what the book cannot fill', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const order = ok(v.placeOrder({ account: 'a', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('3') }));
    expect(seen.map(line)).toEqual(['order 1 new', 'fill 1 2@101 taker fee 0.404 -> partially_filled', 'fill 1 1@102 taker fee 0.204 -> filled']);
    expect(order).toMatchObject({ status: 'filled', timeInForce: 'IOC', filledNotional: d('304'), averagePrice: d('101.333333333333'), fees: d('0.608') });
    const rest = ok(v.placeOrder({ account: 'a', clientOrderId: 'm2', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('5') }));
    expect(rest).toMatchObject({ status: 'cancelled', reason: 'IOC_REMAINDER', filledQuantity: d('2') });
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 'm3', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }))).toEqual({
      code: 'NO_LIQUIDITY',
      message: 'market buy order: no asks to trade against',
    });
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 'm4', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('11'), timeInForce: 'FOK' })).code).toBe('FOK_CANNOT_FILL');
  });

  it('IOC limit: trades up to its price, cancels the rest; FOK: all or nothing', () => {
    const v = withBook();
    const ioc = ok(v.placeOrder({ account: 'a', clientOrderId: 'i', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('101'), quantity: d('3'), timeInForce: 'IOC' }));
    expect(ioc).toMatchObject({ status: 'cancelled', reason: 'IOC_REMAINDER', filledQuantity: d('2'), averagePrice: d('101') });
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 'f', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('102'), quantity: d('4'), timeInForce: 'FOK' }))).toEqual({
      code: 'FOK_CANNOT_FILL',
      message: 'fill-or-kill buy of 4 cannot be filled in full at 102 or better',
    });
    expect(ok(v.placeOrder({ account: 'a', clientOrderId: 'f2', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('102'), quantity: d('3'), timeInForce: 'FOK' }))).toMatchObject({
      status: 'filled',
    });
  });

  it('post-only: rests below the ask, refused when it would take', () => {
    const v = withBook();
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 'p', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('101'), quantity: d('1'), postOnly: true }))).toEqual({
      code: 'POST_ONLY_WOULD_TAKE',
      message: 'post-only buy at 101 would take the best ask 101',
    });
    expect(ok(v.placeOrder({ account: 'a', clientOrderId: 'p2', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100.9'), quantity: d('1'), postOnly: true, timeInForce: 'DAY' }))).toMatchObject({
      status: 'new',
      postOnly: true,
    });
    expect(v.bbo('BTC-USDT').bid).toEqual({ price: d('100.9'), size: d('1') });
  });

  it('DAY orders (resting and held stops) expire at the end of the day; GTC orders stay', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    ok(v.placeOrder({ account: 'a', clientOrderId: 'day', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.5'), quantity: d('1'), timeInForce: 'DAY' }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 'gtc', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('99.4'), quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 'dstop', symbol: 'BTC-USDT', side: 'SELL', type: 'stop', stopPrice: d('90'), quantity: d('1'), timeInForce: 'DAY' }));
    v.expireDayOrders();
    expect(seen.map(line).slice(3)).toEqual(['order 1 expired END_OF_DAY', 'order 3 expired END_OF_DAY']);
    expect(v.openOrders('a').map((o) => o.clientOrderId)).toEqual(['gtc']);
    expect(queue(v, 'BTC-USDT', 'bid', '99.5')).toEqual([]);
    // Only the GTC buy still holds: 99.4 + ceil(99.4 × 0.002) + 1e-8.
    expect(bal(v, 'a')).toEqual({ BTC: ['10', '10', '0'], USDT: ['10000', '9900.40119999', '99.59880001'] });
  });

  it('cancels by venue or client order id; a second cancel is ORDER_NOT_OPEN, an unknown id UNKNOWN_ORDER', () => {
    const v = withBook();
    const o = ok(v.placeOrder({ account: 'a', clientOrderId: 'c', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('103'), quantity: d('2') }));
    expect(bal(v, 'a').BTC).toEqual(['10', '8', '2']);
    expect(ok(v.cancelOrder({ account: 'a', orderId: o.orderId }))).toMatchObject({ status: 'cancelled', reason: 'USER_REQUEST' });
    expect(bal(v, 'a').BTC).toEqual(['10', '10', '0']);
    expect(rejection(v.cancelOrder({ account: 'a', clientOrderId: 'c' }))).toEqual({ code: 'ORDER_NOT_OPEN', message: 'client order id "c" is cancelled: it is no longer open' });
    expect(rejection(v.cancelOrder({ account: 'a', orderId: '77' }))).toEqual({ code: 'UNKNOWN_ORDER', message: 'order 77 is not known to account "a"' });
    expect(rejection(v.cancelOrder({ account: 'b', orderId: o.orderId })).code).toBe('UNKNOWN_ORDER');
    expect(rejection(v.cancelOrder({ account: 'a', orderId: o.orderId, clientOrderId: 'other' })).code).toBe('UNKNOWN_ORDER');
    expect(v.order('a', { clientOrderId: 'c' })?.status).toBe('cancelled');
    expect(v.order('b', { clientOrderId: 'c' })).toBeUndefined();
  });
});

describe('amending', () => {
  it("keeps the queue place on a quantity cut at the same price, loses it on an increase or a new price (the engine's rules)", () => {
    const v = withBook();
    const a = ok(v.placeOrder({ account: 'a', clientOrderId: 'a1', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
    const b = ok(v.placeOrder({ account: 'b', clientOrderId: 'b1', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
    expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['H5', 'O1:1', 'O2:1']);
    expect(ok(v.amendOrder({ account: 'a', orderId: a.orderId, quantity: d('0.5') }))).toMatchObject({ quantity: d('0.5'), status: 'new' });
    expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['H5', 'O1:0.5', 'O2:1']);
    ok(v.amendOrder({ account: 'a', orderId: a.orderId, quantity: d('2') }));
    expect(queue(v, 'BTC-USDT', 'bid', '100')).toEqual(['H5', 'O2:1', 'O1:2']);
    ok(v.amendOrder({ account: 'b', clientOrderId: 'b1', price: d('99') }));
    expect(queue(v, 'BTC-USDT', 'bid', '99')).toEqual(['H5', 'O2:1']);
    expect(v.order('b', { orderId: b.orderId })?.price).toEqual(d('99'));
  });

  it('re-prices through the book as a taker, and refuses what the engine refuses', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const o = ok(v.placeOrder({ account: 'a', clientOrderId: 'x', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100.5'), quantity: d('3') }));
    ok(v.amendOrder({ account: 'a', orderId: o.orderId, price: d('101') }));
    expect(seen.map(line)).toEqual(['order 1 new', 'order 1 new', 'fill 1 2@101 taker fee 0.404 -> partially_filled']);
    expect(rejection(v.amendOrder({ account: 'a', orderId: o.orderId, quantity: d('2') }))).toEqual({
      code: 'AMEND_QUANTITY_TOO_LOW',
      message: 'quantity 2 is not above the 2 already filled: cancel the order instead',
    });
    expect(rejection(v.amendOrder({ account: 'a', orderId: o.orderId, price: d('101.05') })).code).toBe('PRICE_NOT_TICK_MULTIPLE');
    expect(rejection(v.amendOrder({ account: 'a', orderId: o.orderId })).code).toBe('INVALID_ORDER');
    const p = ok(v.placeOrder({ account: 'a', clientOrderId: 'po', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('103'), quantity: d('1'), postOnly: true }));
    expect(rejection(v.amendOrder({ account: 'a', orderId: p.orderId, price: d('100') })).code).toBe('POST_ONLY_WOULD_TAKE');
    const s = ok(v.placeOrder({ account: 'a', clientOrderId: 'st', symbol: 'BTC-USDT', side: 'SELL', type: 'stop', stopPrice: d('90'), quantity: d('1') }));
    expect(rejection(v.amendOrder({ account: 'a', orderId: s.orderId, quantity: d('2') }))).toEqual({
      code: 'ORDER_NOT_AMENDABLE',
      message: `order ${s.orderId} is a held stop order: cancel it and submit a new one`,
    });
    ok(v.cancelOrder({ account: 'a', orderId: o.orderId }));
    expect(rejection(v.amendOrder({ account: 'a', orderId: o.orderId, quantity: d('5') })).code).toBe('ORDER_NOT_OPEN');
  });
});

describe('stops', () => {
  it('a buy stop is held until an external trade reaches it, then buys at market', () => {
    const v = withBook();
    const seen = updates(v, 'a');
    const stop = ok(v.placeOrder({ account: 'a', clientOrderId: 's', symbol: 'BTC-USDT', side: 'BUY', type: 'stop', stopPrice: d('101'), quantity: d('1') }));
    expect(stop).toMatchObject({ status: 'new', timeInForce: 'GTC', stopPrice: d('101') });
    // 101 × 1 + ceil(0.202) + 1e-8 reserved at the stop price.
    expect(bal(v, 'a').USDT).toEqual(['10000', '9898.79799999', '101.20200001']);
    v.applyMarketTrade('BTC-USDT', { price: d('100'), quantity: d('1'), aggressor: 'SELL' });
    expect(v.order('a', { orderId: stop.orderId })?.status).toBe('new');
    v.applyMarketTrade('BTC-USDT', { price: d('101'), quantity: d('1'), aggressor: 'BUY' });
    // The print took 1 of the 2 mirrored at 101; the triggered stop buys the other one.
    expect(seen.map(line)).toEqual(['order 1 new', 'fill 1 1@101 taker fee 0.202 -> filled']);
    expect(bal(v, 'a').USDT).toEqual(['9898.798', '9898.798', '0']);
    expect(v.lastPrice('BTC-USDT')).toEqual(d('101'));
  });

  it('refuses a stop the last trade already reaches; a sell stop-limit is triggered by our own fill', () => {
    const v = withBook();
    v.applyMarketTrade('BTC-USDT', { price: d('100'), quantity: d('1'), aggressor: 'SELL' });
    expect(rejection(v.placeOrder({ account: 'a', clientOrderId: 's', symbol: 'BTC-USDT', side: 'SELL', type: 'stop', stopPrice: d('100'), quantity: d('1') }))).toEqual({
      code: 'STOP_WOULD_TRIGGER',
      message: 'sell stop price 100 is at or above the last trade price 100: it would trigger at once',
    });
    const sl = ok(v.placeOrder({ account: 'a', clientOrderId: 'sl', symbol: 'BTC-USDT', side: 'SELL', type: 'stop_limit', stopPrice: d('99.5'), price: d('99'), quantity: d('6') }));
    expect(bal(v, 'a').BTC).toEqual(['10', '4', '6']);
    // b sells 4 at 100 and 3 at 99: the last trade 99 triggers a's stop-limit, which sells the 2
    // left at 99 and rests its remaining 4 at 99.
    ok(v.placeOrder({ account: 'b', clientOrderId: 'dump', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('7') }));
    expect(v.order('a', { orderId: sl.orderId })).toMatchObject({ status: 'partially_filled', filledQuantity: d('2'), price: d('99') });
    expect(queue(v, 'BTC-USDT', 'ask', '99')).toEqual([`O${sl.orderId}:4`]);
    expect(v.bbo('BTC-USDT').bid).toBeUndefined();
  });

  it('a triggered stop market into an empty side ends cancelled NO_LIQUIDITY', () => {
    const v = withBook();
    ok(v.placeOrder({ account: 'a', clientOrderId: 's', symbol: 'BTC-USDT', side: 'SELL', type: 'stop', stopPrice: d('95'), quantity: d('1') }));
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: [], asks: lv(['101', '1']) });
    v.applyMarketTrade('BTC-USDT', { price: d('95'), quantity: d('1'), aggressor: 'SELL' });
    expect(v.order('a', { clientOrderId: 's' })).toMatchObject({ status: 'cancelled', reason: 'NO_LIQUIDITY' });
    expect(bal(v, 'a').BTC).toEqual(['10', '10', '0']);
  });
});

describe('updates', () => {
  it('a subscriber that throws is counted and reported; the venue and the other subscribers go on', () => {
    const errors: string[] = [];
    const v = venue({ onListenerError: (e, account) => errors.push(`${account}: ${(e as Error).message}`) });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    v.subscribe('a', () => {
      throw new Error('boom');
    });
    const seen = updates(v, 'a');
    ok(v.placeOrder({ account: 'a', clientOrderId: '1', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: '2', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }));
    expect(v.listenerErrors).toBe(2);
    expect(errors).toEqual(['a: boom', 'a: boom']);
    expect(seen.map(line)).toEqual(['order 1 new', 'order 2 new']);
  });

  it('a subscriber that places an order from its callback sees every update in venue order', () => {
    const v = withBook();
    const seen: string[] = [];
    let reacted = false;
    v.subscribe('a', (u: SimUpdate) => {
      seen.push(line(u));
      if (u.kind === 'fill' && !reacted) {
        reacted = true;
        ok(v.placeOrder({ account: 'a', clientOrderId: 'hedge', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('105'), quantity: d('1') }));
      }
    });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('3') }));
    expect(seen).toEqual(['order 1 new', 'fill 1 2@101 taker fee 0.404 -> partially_filled', 'fill 1 1@102 taker fee 0.204 -> filled', 'order 2 new']);
  });

  it('numbers fills with increasing trade ids and pages them', () => {
    const v = withBook();
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('3') }));
    ok(v.placeOrder({ account: 'b', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('1') }));
    ok(v.placeOrder({ account: 'a', clientOrderId: 'm2', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('1') }));
    const ids = v.fills('a').map((f) => f.tradeId);
    expect(ids).toEqual(['1', '2', '4']);
    expect(v.fills('a', { afterTradeId: '1' }).map((f) => f.tradeId)).toEqual(['2', '4']);
    expect(v.fills('a', { afterTradeId: '2', limit: 5 }).map((f) => f.tradeId)).toEqual(['4']);
    expect(v.fills('a', { symbol: 'AAPL' })).toEqual([]);
    expect(() => v.fills('a', { afterTradeId: 'x' })).toThrow(/afterTradeId "x" must be a trade id/);
    expect(() => v.balances('nobody')).toThrow(expect.objectContaining({ code: 'SIM_UNKNOWN_ACCOUNT' }));
  });
});

describe('configuration', () => {
  it('names the bad key', () => {
    expect(() => new SimulatedVenue({ instruments: [{ ...BTC, tickSize: d('0') }], fees: FEES })).toThrow('venue-sim instruments[0].tickSize: 0 must be a positive Decimal');
    expect(() => new SimulatedVenue({ instruments: [BTC, BTC], fees: FEES })).toThrow(/instruments\[1\]\.symbol: "BTC-USDT" is listed twice/);
    expect(() => new SimulatedVenue({ instruments: [BTC], fees: { ...FEES, maker: d('-0.003') } })).toThrow(/fees\.maker/);
    expect(() => new SimulatedVenue({ instruments: [BTC], fees: FEES, queueModel: 'lifo' as never })).toThrow(/queueModel/);
    const v = venue();
    expect(() => v.openAccount({ id: '@house', mode: 'cash', balances: {} })).toThrow(/account\.id: "@house" must not start with "@"/);
    expect(() => v.openAccount({ id: 'x', mode: 'cash', balances: { USD: d('-1') } })).toThrow(/account "x"\.balances\.USD: -1 must not be negative in a cash account/);
    // A margin account may open owing: the paper venue carries a short over a restart.
    v.openAccount({ id: 'short', mode: 'margin', balances: { USD: d('1000'), BTC: d('-0.5') } });
    expect(v.balances('short').find((b) => b.currency === 'BTC')!.total.toString()).toBe('-0.5');
    expect(() => v.openAccount({ id: 'x', mode: 'cash', balances: {}, leverage: d('2') })).toThrow(/leverage: 2 applies to margin accounts only/);
    v.openAccount({ id: 'x', mode: 'cash', balances: {} });
    expect(() => v.openAccount({ id: 'x', mode: 'cash', balances: {} })).toThrow(expect.objectContaining({ code: 'SIM_DUPLICATE_ACCOUNT' }));
  });
});
