import { SimulatedVenue } from '../src';
import { AAPL, BTC, FEES, bal, d, line, lv, ok, rejection, updates, venue } from './helpers';

function book(v: SimulatedVenue): void {
  v.applyMarketBook('BTC-USDT', { snapshot: true, bids: lv(['100', '5']), asks: lv(['101', '2'], ['102', '3']) });
}

describe('cash accounts: holds', () => {
  it('a limit buy holds price × quantity + the worst-case fee, pays each fill from it and releases the rest exactly', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    book(v);
    const o = ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100.5'), quantity: d('2') }));
    // 201 + ceil(201 × 0.002) + one unit of 1e-8 (maker and taker fees round separately).
    expect(bal(v, 'a')).toEqual({ USDT: ['1000', '798.59799999', '201.40200001'] });
    v.applyMarketTrade('BTC-USDT', { price: d('100.5'), quantity: d('0.5'), aggressor: 'SELL' });
    // Paid 50.25 + maker fee 0.05025 out of the hold; the hold is 100.5 × 1.5 + the fee reserve left.
    expect(bal(v, 'a')).toEqual({ BTC: ['0.5', '0.5', '0'], USDT: ['949.69975', '798.59799999', '151.10175001'] });
    ok(v.cancelOrder({ account: 'a', orderId: o.orderId }));
    expect(bal(v, 'a')).toEqual({ BTC: ['0.5', '0.5', '0'], USDT: ['949.69975', '949.69975', '0'] });
  });

  it('a buy filled below its limit releases the improvement at once', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000') } });
    v.applyMarketBook('BTC-USDT', { snapshot: true, bids: [], asks: lv(['101', '1']) });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('102'), quantity: d('2') }));
    // Filled 1 at 101 (fee 0.202); the other rests at 102 and holds 102 + (ceil(204 × 0.002) + 1e-8 − 0.202).
    expect(bal(v, 'a')).toEqual({ BTC: ['1', '1', '0'], USDT: ['898.798', '796.59199999', '102.20600001'] });
  });

  it('a market buy is checked against what the book would fill now, and refused when it cannot be paid', () => {
    const v = venue();
    v.openAccount({ id: 'c', mode: 'cash', balances: { USDT: d('300') } });
    book(v);
    expect(rejection(v.placeOrder({ account: 'c', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('3') }))).toEqual({
      code: 'INSUFFICIENT_BALANCE',
      message: 'account "c" has 300 USDT available; buying 3 BTC-USDT at market (304 USDT for 3 at the book\'s asks now) needs 304.60800001 USDT (fees included)',
    });
    expect(ok(v.placeOrder({ account: 'c', clientOrderId: 'm', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('2') }))).toMatchObject({ status: 'filled' });
    expect(bal(v, 'c')).toEqual({ BTC: ['2', '2', '0'], USDT: ['97.596', '97.596', '0'] });
  });

  it('sells hold the base currency', () => {
    const v = venue();
    v.openAccount({ id: 's', mode: 'cash', balances: { BTC: d('1') } });
    book(v);
    expect(rejection(v.placeOrder({ account: 's', clientOrderId: 'x', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('103'), quantity: d('2') }))).toEqual({
      code: 'INSUFFICIENT_BALANCE',
      message: 'account "s" has 1 BTC available; selling 2 BTC-USDT needs 2 BTC',
    });
    ok(v.placeOrder({ account: 's', clientOrderId: 'y', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('103'), quantity: d('1') }));
    expect(bal(v, 's')).toEqual({ BTC: ['1', '0', '1'] });
    expect(rejection(v.placeOrder({ account: 's', clientOrderId: 'z', symbol: 'BTC-USDT', side: 'SELL', type: 'market', quantity: d('0.5') })).code).toBe('INSUFFICIENT_BALANCE');
    // The market buys through 103: the sell fills as maker; its hold is paid out, the proceeds less the fee credited.
    v.applyMarketTrade('BTC-USDT', { price: d('103'), quantity: d('4'), aggressor: 'BUY' });
    expect(bal(v, 's')).toEqual({ BTC: ['0', '0', '0'], USDT: ['102.897', '102.897', '0'] });
  });

  it('an amend moves the hold to what the new price and quantity need, and is refused when it cannot be paid', () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('400') } });
    book(v);
    const o = ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'BTC-USDT', side: 'BUY', type: 'limit', price: d('100.5'), quantity: d('1') }));
    expect(bal(v, 'a').USDT).toEqual(['400', '299.29899999', '100.70100001']);
    ok(v.amendOrder({ account: 'a', orderId: o.orderId, quantity: d('3') }));
    expect(bal(v, 'a').USDT).toEqual(['400', '97.89699999', '302.10300001']);
    ok(v.amendOrder({ account: 'a', orderId: o.orderId, price: d('99') }));
    expect(bal(v, 'a').USDT).toEqual(['400', '102.40599999', '297.59400001']);
    expect(rejection(v.amendOrder({ account: 'a', orderId: o.orderId, quantity: d('5') }))).toEqual({
      code: 'INSUFFICIENT_BALANCE',
      message: 'account "a" has 102.40599999 USDT available; amending order 1 to 5 at 99 needs 198.396 more',
    });
    expect(bal(v, 'a').USDT).toEqual(['400', '102.40599999', '297.59400001']);
  });
});

describe('fees', () => {
  it("charges each account's schedule by liquidity, in the quote currency, into the fee account; a maker rebate comes out of it", () => {
    const v = venue();
    v.openAccount({ id: 'a', mode: 'cash', balances: { USDT: d('1000'), BTC: d('5') } });
    v.openAccount({ id: 'm', mode: 'cash', balances: { USDT: d('1000'), BTC: d('5') }, fees: { maker: d('-0.0002'), taker: d('0.0007'), scale: 6 } });
    book(v);
    const seen = updates(v, 'm');
    ok(v.placeOrder({ account: 'm', clientOrderId: 'ask', symbol: 'BTC-USDT', side: 'SELL', type: 'limit', price: d('100.5'), quantity: d('1') }));
    // a takes m's ask: a pays the default taker fee, m gets its rebate.
    ok(v.placeOrder({ account: 'a', clientOrderId: 'lift', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }));
    ok(v.placeOrder({ account: 'm', clientOrderId: 'take', symbol: 'BTC-USDT', side: 'BUY', type: 'market', quantity: d('1') }));
    expect(seen.map(line)).toEqual(['order 1 new', 'fill 1 1@100.5 maker fee -0.0201 -> filled', 'order 3 new', 'fill 3 1@101 taker fee 0.0707 -> filled']);
    expect(v.fills('a')[0]).toMatchObject({ price: d('100.5'), fee: d('0.201'), liquidity: 'taker', feeCurrency: 'USDT' });
    expect(bal(v, '@fees')).toEqual({ USDT: ['0.2516', '0.2516', '0'] });
    expect(bal(v, 'm').USDT).toEqual(['999.4494', '999.4494', '0']);
  });

  it("rounds up on the order's running notional, so many small fills pay no more than one rounding", () => {
    const v = new SimulatedVenue({ instruments: [AAPL], fees: { maker: d('0.002'), taker: d('0.002'), scale: 2 }, clock: () => 1n });
    v.openAccount({ id: 'a', mode: 'cash', balances: { USD: d('100') } });
    ok(v.placeOrder({ account: 'a', clientOrderId: 'b', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('1'), quantity: d('3') }));
    for (let i = 0; i < 3; i++) v.applyMarketTrade('AAPL', { price: d('1'), quantity: d('1'), aggressor: 'SELL' });
    // ceil(1 × 0.002) = 0.01, then ceil(2 × 0.002) − 0.01 = 0, ceil(3 × 0.002) − 0.01 = 0: 0.01 in all, not 0.03.
    expect(v.fills('a').map((f) => f.fee.toString())).toEqual(['0.01', '0', '0']);
    expect(v.order('a', { clientOrderId: 'b' })?.fees).toEqual(d('0.01'));
    expect(bal(v, 'a').USD).toEqual(['96.99', '96.99', '0']);
  });
});

describe('margin accounts', () => {
  it('allow negative balances within equity × leverage at the mid, and always allow what reduces exposure', () => {
    const v = new SimulatedVenue({ instruments: [AAPL, BTC], fees: FEES, clock: () => 1n });
    v.openAccount({ id: 'mg', mode: 'margin', balances: { USD: d('1000') }, leverage: d('2') });
    v.applyMarketBook('AAPL', { snapshot: true, bids: lv(['99.99', '100']), asks: lv(['100.01', '100']) });
    ok(v.placeOrder({ account: 'mg', clientOrderId: 'b1', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('100'), quantity: d('20') }));
    expect(bal(v, 'mg')).toEqual({ USD: ['1000', '1000', '0'] });
    // The mark is the venue's mid, which that bid (now the best) moved to 100.005.
    expect(rejection(v.placeOrder({ account: 'mg', clientOrderId: 'b2', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('100'), quantity: d('1') }))).toEqual({
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'margin account "mg": buying 1 AAPL at about 100 would bring the gross exposure to 2100.105 USD, above the buying power 2000 (equity 1000 × leverage 2)',
    });
    ok(v.placeOrder({ account: 'mg', clientOrderId: 's1', symbol: 'AAPL', side: 'SELL', type: 'limit', price: d('101'), quantity: d('5') }));
    expect(rejection(v.placeOrder({ account: 'mg', clientOrderId: 's2', symbol: 'AAPL', side: 'SELL', type: 'limit', price: d('101'), quantity: d('26') })).code).toBe('INSUFFICIENT_BUYING_POWER');
    // The market trades down through the bid: the buy fills as maker; the cash goes negative.
    v.applyMarketTrade('AAPL', { price: d('100'), quantity: d('20'), aggressor: 'SELL' });
    expect(bal(v, 'mg')).toEqual({ AAPL: ['20', '20', '0'], USD: ['-1002', '-1002', '0'] });
    // Equity is now -1002 + 20 × 100 = 998: buying power 1996 is below the 2000 long, so only reductions pass.
    expect(rejection(v.placeOrder({ account: 'mg', clientOrderId: 'b3', symbol: 'AAPL', side: 'BUY', type: 'limit', price: d('99'), quantity: d('1') })).code).toBe(
      'INSUFFICIENT_BUYING_POWER',
    );
    ok(v.placeOrder({ account: 'mg', clientOrderId: 's3', symbol: 'AAPL', side: 'SELL', type: 'limit', price: d('102'), quantity: d('10') }));
    // An amend is checked as the order it becomes.
    expect(rejection(v.amendOrder({ account: 'mg', clientOrderId: 's3', quantity: d('50') })).code).toBe('INSUFFICIENT_BUYING_POWER');
    ok(v.amendOrder({ account: 'mg', clientOrderId: 's3', quantity: d('15') }));
  });
});
