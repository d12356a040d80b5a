import { DomainError } from '@meridian/domain';
import type { Instrument, Side } from '@meridian/domain';
import { InvalidBookArgumentError, MatchingEngine, TickMatchingEngine } from '../src';
import type { MatchEvent, MatchingEngineOptions, OrderRequest, StpMode } from '../src';
import { d } from './helpers';

const RULES: MatchingEngineOptions = { tickSize: d('0.01'), lotSize: d('1') };

function engine(options: Partial<MatchingEngineOptions> = {}): MatchingEngine {
  return new MatchingEngine('TEST', { ...RULES, ...options });
}

const limit = (side: Side, price: string, quantity: string, extra: Partial<OrderRequest> = {}): OrderRequest =>
  ({ type: 'limit', side, price: d(price), quantity: d(quantity), ...extra }) as OrderRequest;
const market = (side: Side, quantity: string, extra: Partial<OrderRequest> = {}): OrderRequest =>
  ({ type: 'market', side, quantity: d(quantity), ...extra }) as OrderRequest;

/** Events as compact, readable tuples. */
function brief(events: MatchEvent[]): (string | number)[][] {
  return events.map((e) => {
    switch (e.type) {
      case 'accepted':
        return ['accepted', e.orderId];
      case 'rested':
        return ['rested', e.orderId, e.price.toString(), e.remaining.toString()];
      case 'fill':
        return ['fill', e.takerOrderId, e.makerOrderId, e.price.toString(), e.quantity.toString()];
      case 'cancelled':
        return ['cancelled', e.orderId, e.quantity.toString(), e.reason];
      case 'rejected':
        return ['rejected', e.orderId, e.reason];
      case 'triggered':
        return ['triggered', e.orderId, e.lastTradePrice.toString()];
      case 'amended':
        return ['amended', e.orderId, e.price.toString(), e.quantity.toString(), e.priority];
    }
  });
}

/** The id of the order the first event of a submit names. */
function idOf(events: MatchEvent[]): number {
  const first = events[0]!;
  if (first.type !== 'accepted' && first.type !== 'rejected') throw new Error(`first event is ${first.type}`);
  return first.orderId;
}

/** [id, size] queue at a price. */
function queue(e: MatchingEngine, side: 'bid' | 'ask', price: string): [number | string, string][] {
  return e.book.ordersAt(side, d(price)).map((o) => [o.id, o.size.toString()]);
}

function rejection(events: MatchEvent[]): { reason: string; message: string } {
  expect(events).toHaveLength(1);
  const r = events[0]!;
  if (r.type !== 'rejected') throw new Error(`expected a rejection, got ${r.type}`);
  return { reason: r.reason, message: r.message };
}

describe('MatchingEngine: limit orders and price-time priority', () => {
  test('a passive limit order is accepted and rests; ids count up from 1', () => {
    const e = engine();
    const events = e.submit(limit('BUY', '100.00', '5', { clientOrderId: 'c1' }));
    expect(events).toEqual([
      {
        type: 'accepted',
        orderId: 1,
        clientOrderId: 'c1',
        side: 'BUY',
        orderType: 'limit',
        quantity: d('5'),
        price: d('100'),
        stopPrice: undefined,
      },
      { type: 'rested', orderId: 1, side: 'BUY', price: d('100'), remaining: d('5'), filled: d('0') },
    ]);
    expect(idOf(e.submit(limit('BUY', '99.99', '1')))).toBe(2);
    expect(e.book.bestBid()).toEqual({ price: d('100'), size: d('5') });
    expect(e.order(1)).toMatchObject({ status: 'resting', side: 'BUY', orderType: 'limit', quantity: d('5'), remaining: d('5'), filled: d('0'), clientOrderId: 'c1' });
    expect(e.orderIdOf('c1')).toBe(1);
    expect(e.lastTradePrice).toBeUndefined();
  });

  test('a crossing order takes the best price first, oldest first within a price, at the resting price', () => {
    const e = engine();
    e.submit(limit('SELL', '101', '3')); // 1
    e.submit(limit('SELL', '100', '2')); // 2
    e.submit(limit('SELL', '100', '4')); // 3
    const events = e.submit(limit('BUY', '101', '8')); // 4
    expect(brief(events)).toEqual([
      ['accepted', 4],
      ['fill', 4, 2, '100', '2'],
      ['fill', 4, 3, '100', '4'],
      ['fill', 4, 1, '101', '2'],
    ]);
    const fill = events[3] as Extract<MatchEvent, { type: 'fill' }>;
    expect(fill).toEqual({
      type: 'fill',
      takerOrderId: 4,
      makerOrderId: 1,
      takerSide: 'BUY',
      price: d('101'),
      quantity: d('2'),
      takerRemaining: d('0'),
      makerRemaining: d('1'),
      takerFilled: d('8'),
      makerFilled: d('2'),
    });
    expect(queue(e, 'ask', '101')).toEqual([[1, '1']]);
    expect(e.lastTradePrice).toEqual(d('101'));
  });

  test('a partly filled maker keeps the front of its queue; the taker rests what is left (GTC)', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '5')); // 1
    e.submit(limit('SELL', '100', '5')); // 2
    expect(brief(e.submit(limit('BUY', '100', '2')))).toEqual([['accepted', 3], ['fill', 3, 1, '100', '2']]);
    expect(queue(e, 'ask', '100')).toEqual([[1, '3'], [2, '5']]);
    expect(brief(e.submit(limit('BUY', '100', '12')))).toEqual([
      ['accepted', 4],
      ['fill', 4, 1, '100', '3'],
      ['fill', 4, 2, '100', '5'],
      ['rested', 4, '100', '4'],
    ]);
    expect(e.book.bestBid()).toEqual({ price: d('100'), size: d('4') });
    expect(e.book.bestAsk()).toBeUndefined();
    expect(e.order(4)).toMatchObject({ quantity: d('12'), remaining: d('4'), filled: d('8') });
  });

  test('IOC fills what it can at its limit and cancels the rest; it never rests', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '2'));
    e.submit(limit('SELL', '102', '2'));
    expect(brief(e.submit(limit('BUY', '101', '5', { timeInForce: 'IOC' })))).toEqual([
      ['accepted', 3],
      ['fill', 3, 1, '100', '2'],
      ['cancelled', 3, '3', 'IOC_REMAINDER'],
    ]);
    expect(e.book.bestBid()).toBeUndefined();
    expect(brief(e.submit(limit('BUY', '101', '5', { timeInForce: 'IOC' })))).toEqual([['accepted', 4], ['cancelled', 4, '5', 'IOC_REMAINDER']]);
  });

  test('FOK fills completely across levels, or is rejected before any fill with the book untouched', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '2'));
    e.submit(limit('SELL', '101', '2'));
    e.submit(limit('SELL', '102', '2'));
    const refused = rejection(e.submit(limit('BUY', '101', '5', { timeInForce: 'FOK' })));
    expect(refused).toEqual({ reason: 'FOK_CANNOT_FILL', message: 'fill-or-kill buy of 5 cannot be filled in full at 101 or better' });
    expect(e.book.depth(5).asks.map((l) => l.size.toString())).toEqual(['2', '2', '2']);
    expect(brief(e.submit(limit('BUY', '102', '5', { timeInForce: 'FOK' })))).toEqual([
      ['accepted', 5],
      ['fill', 5, 1, '100', '2'],
      ['fill', 5, 2, '101', '2'],
      ['fill', 5, 3, '102', '1'],
    ]);
    expect(rejection(e.submit(market('BUY', '2', { timeInForce: 'FOK' }))).message).toBe('fill-or-kill buy of 2 cannot be filled in full at any price');
    expect(brief(e.submit(market('BUY', '1', { timeInForce: 'FOK' })))).toEqual([['accepted', 7], ['fill', 7, 3, '102', '1']]);
  });

  test('post-only rests when passive and is rejected when any of it would take, even at the opposite best', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '2'));
    expect(brief(e.submit(limit('BUY', '99.99', '1', { postOnly: true })))).toEqual([['accepted', 2], ['rested', 2, '99.99', '1']]);
    expect(rejection(e.submit(limit('BUY', '100', '1', { postOnly: true })))).toEqual({
      reason: 'POST_ONLY_WOULD_TAKE',
      message: 'post-only buy at 100 would take the best ask 100',
    });
    expect(rejection(e.submit(limit('SELL', '99.99', '1', { postOnly: true }))).reason).toBe('POST_ONLY_WOULD_TAKE');
    expect(e.book.orderCount).toBe(2);
  });
});

describe('MatchingEngine: market orders', () => {
  test('a market order sweeps the book best first and cancels what the book cannot fill', () => {
    const e = engine();
    e.submit(limit('BUY', '99', '3'));
    e.submit(limit('BUY', '98', '3'));
    expect(brief(e.submit(market('SELL', '4')))).toEqual([
      ['accepted', 3],
      ['fill', 3, 1, '99', '3'],
      ['fill', 3, 2, '98', '1'],
    ]);
    const accepted = e.submit(market('SELL', '5'));
    expect(accepted[0]).toMatchObject({ type: 'accepted', orderType: 'market', price: undefined, stopPrice: undefined });
    expect(brief(accepted)).toEqual([['accepted', 4], ['fill', 4, 2, '98', '2'], ['cancelled', 4, '3', 'IOC_REMAINDER']]);
  });

  test('a market order against an empty side is rejected with NO_LIQUIDITY', () => {
    const e = engine();
    e.submit(limit('BUY', '99', '3'));
    expect(rejection(e.submit(market('BUY', '1')))).toEqual({ reason: 'NO_LIQUIDITY', message: 'market buy order: no asks to trade against' });
  });
});

describe('MatchingEngine: stop and stop-limit orders', () => {
  const stop = (side: Side, stopPrice: string, quantity: string, extra: Record<string, unknown> = {}): OrderRequest =>
    ({ type: 'stop', side, stopPrice: d(stopPrice), quantity: d(quantity), ...extra }) as OrderRequest;
  const stopLimit = (side: Side, stopPrice: string, price: string, quantity: string, extra: Record<string, unknown> = {}): OrderRequest =>
    ({ type: 'stop_limit', side, stopPrice: d(stopPrice), price: d(price), quantity: d(quantity), ...extra }) as OrderRequest;

  test('a stop is held off the book until a trade reaches its stop price, then executes as a market order', () => {
    const e = engine();
    e.submit(limit('SELL', '101', '5')); // 1
    expect(brief(e.submit(stop('BUY', '101', '2')))).toEqual([['accepted', 2]]); // no trade yet: held
    expect(e.book.orderCount).toBe(1);
    expect(e.order(2)).toMatchObject({ status: 'held', orderType: 'stop', stopPrice: d('101'), price: undefined, remaining: d('2') });
    e.submit(limit('SELL', '100', '1')); // 3
    // A trade at 100 does not reach the buy stop at 101.
    expect(brief(e.submit(limit('BUY', '100', '1')))).toEqual([['accepted', 4], ['fill', 4, 3, '100', '1']]);
    expect(e.order(2)?.status).toBe('held');
    // A trade at 101 does; the stop then buys at market.
    expect(brief(e.submit(limit('BUY', '101', '1')))).toEqual([
      ['accepted', 5],
      ['fill', 5, 1, '101', '1'],
      ['triggered', 2, '101'],
      ['fill', 2, 1, '101', '2'],
    ]);
    expect(e.order(2)).toBeUndefined();
    expect(e.heldStops()).toEqual([]);
  });

  test('a stop-limit becomes a limit order when triggered: it trades within its limit and rests the rest', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '1')); // 1
    e.submit(limit('BUY', '99', '5')); // 2
    e.submit(limit('SELL', '100', '1')); // 3: trades at 100 with 1
    expect(brief(e.submit(stopLimit('SELL', '99.5', '99', '4')))).toEqual([['accepted', 4]]);
    e.submit(limit('BUY', '99.5', '1')); // 5: rests
    expect(brief(e.submit(market('SELL', '1')))).toEqual([
      ['accepted', 6],
      ['fill', 6, 5, '99.5', '1'],
      ['triggered', 4, '99.5'],
      ['fill', 4, 2, '99', '4'],
    ]);
    e.submit(stopLimit('SELL', '98.5', '98.5', '3')); // 7
    e.submit(limit('BUY', '98', '9')); // 8
    expect(brief(e.submit(market('SELL', '1')))).toEqual([
      ['accepted', 9],
      ['fill', 9, 2, '99', '1'],
      // 99 does not reach the sell stop at 98.5: nothing triggers.
    ]);
    expect(brief(e.submit(market('SELL', '1')))).toEqual([
      ['accepted', 10],
      ['fill', 10, 8, '98', '1'],
      ['triggered', 7, '98'],
      ['rested', 7, '98.5', '3'],
    ]);
    expect(e.order(7)).toMatchObject({ status: 'resting', orderType: 'limit', price: d('98.5'), remaining: d('3') });
  });

  test('several stops trigger in trigger order (nearest stop price first, then arrival), and cascade', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '1')); // 1
    e.submit(limit('BUY', '100', '1')); // 2: last trade 100
    e.submit(limit('SELL', '103', '1')); // 3
    e.submit(limit('SELL', '104', '1')); // 4
    e.submit(limit('SELL', '106', '10')); // 5
    e.submit(stop('BUY', '102', '1')); // 6
    e.submit(stop('BUY', '101', '1')); // 7
    e.submit(stop('BUY', '101', '1')); // 8
    e.submit(stop('BUY', '105', '1')); // 9: triggered only by the cascade
    e.submit(stop('BUY', '107', '1')); // 10: never
    expect(e.heldStops().map((s) => s.orderId)).toEqual([7, 8, 6, 9, 10]);
    e.submit(limit('SELL', '102', '1')); // 11
    expect(brief(e.submit(limit('BUY', '102', '1')))).toEqual([
      ['accepted', 12],
      ['fill', 12, 11, '102', '1'],
      ['triggered', 7, '102'],
      ['triggered', 8, '102'],
      ['triggered', 6, '102'],
      ['fill', 7, 3, '103', '1'],
      ['fill', 8, 4, '104', '1'],
      ['fill', 6, 5, '106', '1'],
      // The trade at 106 reaches the buy stop at 105, which then executes too.
      ['triggered', 9, '106'],
      ['fill', 9, 5, '106', '1'],
    ]);
    expect(e.heldStops().map((s) => s.orderId)).toEqual([10]);
  });

  test('a stop already reached by the last trade is rejected; a triggered stop that cannot execute is cancelled', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '1'));
    e.submit(limit('BUY', '100', '1')); // last 100
    expect(rejection(e.submit(stop('BUY', '100', '1')))).toEqual({
      reason: 'STOP_WOULD_TRIGGER',
      message: 'buy stop price 100 is at or below the last trade price 100: it would trigger at once',
    });
    expect(rejection(e.submit(stop('SELL', '100.5', '1'))).reason).toBe('STOP_WOULD_TRIGGER');
    e.submit(stop('SELL', '99', '2')); // 5
    e.submit(stopLimit('SELL', '99', '98', '5', { timeInForce: 'FOK' })); // 6
    e.submit(limit('BUY', '99', '1')); // 7
    expect(brief(e.submit(market('SELL', '1')))).toEqual([
      ['accepted', 8],
      ['fill', 8, 7, '99', '1'],
      ['triggered', 5, '99'],
      ['triggered', 6, '99'],
      ['cancelled', 5, '2', 'NO_LIQUIDITY'],
      ['cancelled', 6, '5', 'FOK_CANNOT_FILL'],
    ]);
  });

  test('held stops can be cancelled but not amended', () => {
    const e = engine();
    const id = idOf(e.submit(stop('BUY', '105', '2', { clientOrderId: 's1' })));
    expect(e.orderIdOf('s1')).toBe(id);
    expect(rejection(e.amend(id, { quantity: d('1') }))).toEqual({
      reason: 'ORDER_NOT_AMENDABLE',
      message: 'order 1 is a held stop order: cancel it and submit a new one',
    });
    expect(rejection(e.amend(id, { price: d('1.001') })).reason).toBe('ORDER_NOT_AMENDABLE');
    expect(e.cancel(id)).toEqual([{ type: 'cancelled', orderId: id, side: 'BUY', quantity: d('2'), filled: d('0'), reason: 'USER_REQUEST' }]);
    expect(e.orderIdOf('s1')).toBeUndefined();
    expect(e.core.stopCount).toBe(0);
  });
});

describe('MatchingEngine: cancel and amend', () => {
  test('cancel removes a resting order; cancelling it again, or an id never seen, is UNKNOWN_ORDER', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '5'));
    e.submit(limit('SELL', '100', '2')); // fills 2 of order 1
    expect(e.cancel(1)).toEqual([{ type: 'cancelled', orderId: 1, side: 'BUY', quantity: d('3'), filled: d('2'), reason: 'USER_REQUEST' }]);
    expect(rejection(e.cancel(1))).toEqual({ reason: 'UNKNOWN_ORDER', message: 'order 1 is not live (neither resting nor a held stop)' });
    expect(rejection(e.cancel(99)).reason).toBe('UNKNOWN_ORDER');
    expect(e.cancel(99)[0]).toMatchObject({ type: 'rejected', orderId: 99, request: 'cancel' });
    expect(e.book.orderCount).toBe(0);
  });

  test('reducing the quantity at the same price keeps time priority', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '5')); // 1
    e.submit(limit('BUY', '100', '5')); // 2
    expect(e.amend(1, { quantity: d('3') })).toEqual([
      { type: 'amended', orderId: 1, side: 'BUY', price: d('100'), quantity: d('3'), remaining: d('3'), filled: d('0'), priority: 'kept' },
    ]);
    expect(queue(e, 'bid', '100')).toEqual([[1, '3'], [2, '5']]);
    expect(e.book.queuePosition(2)).toEqual({ ordersAhead: 1, sizeAhead: d('3') });
    // Giving the same price explicitly is no price change.
    expect(brief(e.amend(1, { price: d('100.00'), quantity: d('2') }))).toEqual([['amended', 1, '100', '2', 'kept']]);
    expect(brief(e.submit(market('SELL', '3')))).toEqual([['accepted', 3], ['fill', 3, 1, '100', '2'], ['fill', 3, 2, '100', '1']]);
  });

  test('increasing the quantity loses time priority: the order goes to the back of its queue', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '5')); // 1
    e.submit(limit('BUY', '100', '5')); // 2
    expect(brief(e.amend(1, { quantity: d('6') }))).toEqual([['amended', 1, '100', '6', 'lost'], ['rested', 1, '100', '6']]);
    expect(queue(e, 'bid', '100')).toEqual([[2, '5'], [1, '6']]);
  });

  test('changing the price loses time priority, and a price that crosses trades at once', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '5')); // 1
    e.submit(limit('BUY', '99', '5')); // 2
    e.submit(limit('SELL', '101', '2')); // 3
    expect(brief(e.amend(1, { price: d('99') }))).toEqual([['amended', 1, '99', '5', 'lost'], ['rested', 1, '99', '5']]);
    expect(queue(e, 'bid', '99')).toEqual([[2, '5'], [1, '5']]);
    expect(brief(e.amend(2, { price: d('101') }))).toEqual([
      ['amended', 2, '101', '5', 'lost'],
      ['fill', 2, 3, '101', '2'],
      ['rested', 2, '101', '3'],
    ]);
    expect(e.order(2)).toMatchObject({ quantity: d('5'), remaining: d('3'), filled: d('2'), price: d('101') });
  });

  test('the amended quantity is the new total, filled part included, and must stay above what has filled', () => {
    const e = engine();
    e.submit(limit('SELL', '100', '10')); // 1
    e.submit(limit('BUY', '100', '4')); // 2: fills 4 of 1
    expect(e.amend(1, { quantity: d('6') })).toEqual([
      { type: 'amended', orderId: 1, side: 'SELL', price: d('100'), quantity: d('6'), remaining: d('2'), filled: d('4'), priority: 'kept' },
    ]);
    expect(rejection(e.amend(1, { quantity: d('4') }))).toEqual({
      reason: 'AMEND_QUANTITY_TOO_LOW',
      message: 'quantity 4 is not above the 4 already filled: cancel the order instead',
    });
    expect(e.order(1)).toMatchObject({ quantity: d('6'), remaining: d('2') });
  });

  test('amend refusals change nothing: unknown order, bad values, post-only that would take', () => {
    const e = engine({ minQuantity: d('2') });
    e.submit(limit('SELL', '101', '5')); // 1
    e.submit(limit('BUY', '100', '5', { postOnly: true })); // 2
    expect(rejection(e.amend(7, { quantity: d('3') }))).toEqual({ reason: 'UNKNOWN_ORDER', message: 'order 7 is not resting' });
    expect(rejection(e.amend(7, { price: d('100.001') })).reason).toBe('UNKNOWN_ORDER');
    expect(rejection(e.amend(2, { price: d('100.001') }))).toEqual({
      reason: 'PRICE_NOT_TICK_MULTIPLE',
      message: 'price 100.001 is not a multiple of tick size 0.01',
    });
    expect(rejection(e.amend(2, { quantity: d('1') }))).toEqual({ reason: 'QUANTITY_BELOW_MIN', message: 'quantity 1 is below the minimum 2' });
    expect(rejection(e.amend(2, { quantity: d('0') })).reason).toBe('QUANTITY_NOT_POSITIVE');
    expect(rejection(e.amend(2, { price: d('101') }))).toEqual({ reason: 'POST_ONLY_WOULD_TAKE', message: 'post-only buy at 101 would take the best ask 101' });
    expect(e.amend(2, { price: d('101') })[0]).toMatchObject({ type: 'rejected', orderId: 2, request: 'amend' });
    expect(queue(e, 'bid', '100')).toEqual([[2, '5']]);
    expect(() => e.amend(2, {})).toThrow(InvalidBookArgumentError);
  });
});

describe('MatchingEngine: self-trade prevention', () => {
  function setup(engineMode?: StpMode): MatchingEngine {
    const e = engine(engineMode === undefined ? {} : { stpMode: engineMode });
    e.submit(limit('SELL', '100', '2', { owner: 'bob' })); // 1
    e.submit(limit('SELL', '100', '2', { owner: 'alice' })); // 2
    e.submit(limit('SELL', '100', '2', { owner: 'bob' })); // 3
    return e;
  }
  const take = (e: MatchingEngine, mode: StpMode | undefined): MatchEvent[] =>
    e.submit(limit('BUY', '100', '5', mode === undefined ? { owner: 'alice' } : { owner: 'alice', stp: mode }));

  test('cancel_newest: the incoming order is cancelled when it meets its owner; what it traded before stands', () => {
    const e = setup();
    expect(brief(take(e, 'cancel_newest'))).toEqual([['accepted', 4], ['fill', 4, 1, '100', '2'], ['cancelled', 4, '3', 'STP_CANCEL_NEWEST']]);
    expect(queue(e, 'ask', '100')).toEqual([[2, '2'], [3, '2']]);
  });

  test('cancel_oldest: the resting order is cancelled and matching goes on', () => {
    const e = setup();
    expect(brief(take(e, 'cancel_oldest'))).toEqual([
      ['accepted', 4],
      ['fill', 4, 1, '100', '2'],
      ['cancelled', 2, '2', 'STP_CANCEL_OLDEST'],
      ['fill', 4, 3, '100', '2'],
      ['rested', 4, '100', '1'],
    ]);
  });

  test('cancel_both: both orders are cancelled', () => {
    const e = setup();
    expect(brief(take(e, 'cancel_both'))).toEqual([
      ['accepted', 4],
      ['fill', 4, 1, '100', '2'],
      ['cancelled', 2, '2', 'STP_CANCEL_BOTH'],
      ['cancelled', 4, '3', 'STP_CANCEL_BOTH'],
    ]);
    expect(queue(e, 'ask', '100')).toEqual([[3, '2']]);
  });

  test('none (the default): orders of one owner trade with each other', () => {
    const e = setup();
    expect(brief(take(e, undefined))).toEqual([
      ['accepted', 4],
      ['fill', 4, 1, '100', '2'],
      ['fill', 4, 2, '100', '2'],
      ['fill', 4, 3, '100', '1'],
    ]);
  });

  test("the engine's default mode applies to orders without one; the incoming order's mode decides", () => {
    const e = setup('cancel_oldest');
    expect(brief(take(e, undefined))[2]).toEqual(['cancelled', 2, '2', 'STP_CANCEL_OLDEST']);
    const f = setup('cancel_oldest');
    expect(brief(take(f, 'none'))[2]).toEqual(['fill', 4, 2, '100', '2']);
  });

  test('orders without an owner never trigger it; FOK counts self-trade prevention before filling', () => {
    const e = setup();
    expect(brief(e.submit(limit('BUY', '100', '3', { stp: 'cancel_both' })))).toEqual([['accepted', 4], ['fill', 4, 1, '100', '2'], ['fill', 4, 2, '100', '1']]);
    const f = setup();
    expect(rejection(f.submit(limit('BUY', '100', '5', { owner: 'alice', stp: 'cancel_newest', timeInForce: 'FOK' }))).reason).toBe('FOK_CANNOT_FILL');
    expect(rejection(f.submit(limit('BUY', '100', '5', { owner: 'alice', stp: 'cancel_oldest', timeInForce: 'FOK' }))).reason).toBe('FOK_CANNOT_FILL');
    expect(brief(f.submit(limit('BUY', '100', '4', { owner: 'alice', stp: 'cancel_oldest', timeInForce: 'FOK' })))).toEqual([
      ['accepted', 6],
      ['fill', 6, 1, '100', '2'],
      ['cancelled', 2, '2', 'STP_CANCEL_OLDEST'],
      ['fill', 6, 3, '100', '2'],
    ]);
  });
});

describe('MatchingEngine: validation', () => {
  test.each<[string, OrderRequest, string, string]>([
    ['price off the tick grid', limit('BUY', '100.005', '1'), 'PRICE_NOT_TICK_MULTIPLE', 'price 100.005 is not a multiple of tick size 0.01'],
    ['quantity off the lot grid', limit('BUY', '100', '1.5'), 'QUANTITY_NOT_LOT_MULTIPLE', 'quantity 1.5 is not a multiple of lot size 1'],
    ['zero quantity', limit('BUY', '100', '0'), 'QUANTITY_NOT_POSITIVE', 'quantity 0 must be positive'],
    ['negative quantity', market('SELL', '-3'), 'QUANTITY_NOT_POSITIVE', 'quantity -3 must be positive'],
    ['zero price', limit('BUY', '0', '1'), 'PRICE_NOT_POSITIVE', 'price 0 must be positive'],
    ['negative stop price', { type: 'stop', side: 'BUY', stopPrice: d('-1'), quantity: d('1') }, 'PRICE_NOT_POSITIVE', 'stop price -1 must be positive'],
    ['stop price off the grid', { type: 'stop', side: 'BUY', stopPrice: d('1.001'), quantity: d('1') }, 'PRICE_NOT_TICK_MULTIPLE', 'stop price 1.001 is not a multiple of tick size 0.01'],
    ['below the minimum quantity', limit('BUY', '100', '1'), 'QUANTITY_BELOW_MIN', 'quantity 1 is below the minimum 2'],
    ['below the minimum notional', limit('BUY', '2.49', '2'), 'NOTIONAL_BELOW_MIN', 'notional 4.98 is below the minimum 5'],
    ['stop below the minimum notional (at its stop price)', { type: 'stop', side: 'SELL', stopPrice: d('2'), quantity: d('2') }, 'NOTIONAL_BELOW_MIN', 'notional 4 is below the minimum 5'],
    ['a quantity beyond 2^53 lots', limit('BUY', '100', '9007199254740992'), 'QUANTITY_OUT_OF_RANGE', 'quantity 9007199254740992 is more than 2^53 - 1 lots of 1'],
  ])('%s', (_name, order, reason, message) => {
    const e = engine({ minQuantity: d('2'), minNotional: d('5') });
    const events = e.submit(order);
    expect(rejection(events)).toEqual({ reason, message });
    expect(events[0]).toMatchObject({ type: 'rejected', orderId: 1, request: 'new' });
    expect(e.book.orderCount + e.core.stopCount).toBe(0);
    // A rejected order used up its id.
    expect(idOf(e.submit(limit('BUY', '100', '2')))).toBe(2);
  });

  test('market orders are not held to the minimum notional (they have no price); the minimum quantity still applies', () => {
    const e = engine({ minQuantity: d('2'), minNotional: d('1000') });
    e.submit(limit('SELL', '600', '2'));
    expect(rejection(e.submit(market('BUY', '1'))).reason).toBe('QUANTITY_BELOW_MIN');
    expect(brief(e.submit(market('BUY', '2')))).toEqual([['accepted', 3], ['fill', 3, 1, '600', '2']]);
  });

  test('a client order id must be unique among live orders, and is free again once its order is done', () => {
    const e = engine();
    e.submit(limit('BUY', '100', '1', { clientOrderId: 'x' })); // 1
    const duplicate = e.submit(limit('BUY', '99', '1', { clientOrderId: 'x' }));
    expect(duplicate).toEqual([
      {
        type: 'rejected',
        orderId: 2,
        clientOrderId: 'x',
        request: 'new',
        reason: 'DUPLICATE_CLIENT_ORDER_ID',
        message: 'client order id "x" is already used by live order 1',
      },
    ]);
    e.submit(market('SELL', '1', { clientOrderId: 'y' })); // 3: fills order 1 (done), itself done
    expect(e.orderIdOf('x')).toBeUndefined();
    expect(e.orderIdOf('y')).toBeUndefined();
    expect(brief(e.submit(limit('BUY', '100', '1', { clientOrderId: 'x' })))).toEqual([['accepted', 4], ['rested', 4, '100', '1']]);
    expect(e.orderIdOf('x')).toBe(4);
    e.cancel(4);
    expect(idOf(e.submit(limit('BUY', '100', '1', { clientOrderId: 'x' })))).toBe(5);
  });

  test('malformed requests are programming errors and throw InvalidBookArgumentError', () => {
    const e = engine();
    const bad: unknown[] = [
      { type: 'iceberg', side: 'BUY', quantity: d('1') },
      { type: 'limit', side: 'buy', price: d('1'), quantity: d('1') },
      { type: 'limit', side: 'BUY', price: '1', quantity: d('1') },
      { type: 'limit', side: 'BUY', quantity: d('1') },
      { type: 'market', side: 'BUY', quantity: d('1'), price: d('1') },
      { type: 'market', side: 'BUY', quantity: d('1'), timeInForce: 'GTC' },
      { type: 'limit', side: 'BUY', price: d('1'), quantity: d('1'), timeInForce: 'IOC', postOnly: true },
      { type: 'limit', side: 'BUY', price: d('1'), quantity: d('1'), stp: 'cancel_all' },
      { type: 'limit', side: 'BUY', price: d('1'), quantity: d('1'), clientOrderId: '' },
      null,
    ];
    for (const order of bad) {
      expect(() => e.submit(order as OrderRequest)).toThrow(InvalidBookArgumentError);
    }
    const error = (() => {
      try {
        e.submit({ type: 'limit', side: 'BUY', price: d('1'), quantity: d('1'), timeInForce: 'DAY' } as unknown as OrderRequest);
      } catch (err) {
        return err as InvalidBookArgumentError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('BOOK_INVALID_ARGUMENT');
    expect(error.message).toBe(`invalid time in force "DAY": expected 'GTC', 'IOC' or 'FOK'`);
    expect(e.core.nextOrderId).toBe(1); // nothing was numbered
  });

  test('a domain Instrument is enough to configure the engine', () => {
    const instrument: Instrument = {
      venue: 'paper' as Instrument['venue'],
      symbol: 'AAPL' as Instrument['symbol'],
      baseCurrency: 'AAPL',
      quoteCurrency: 'USD',
      tickSize: d('0.01'),
      lotSize: d('1'),
      minQuantity: d('1'),
      minNotional: d('1'),
    };
    const e = new MatchingEngine('AAPL', instrument);
    expect(rejection(e.submit(limit('BUY', '0.99', '1'))).reason).toBe('NOTIONAL_BELOW_MIN');
    expect(brief(e.submit(limit('BUY', '1', '1')))).toEqual([['accepted', 2], ['rested', 2, '1', '1']]);
  });
});

describe('TickMatchingEngine: the integer core and its event buffer', () => {
  test('events are read from typed columns without allocation, or materialised on demand', () => {
    const e = new TickMatchingEngine('T');
    e.submit({ type: 'limit', side: 'SELL', price: 10_001, quantity: 5 });
    expect(e.submit({ type: 'limit', side: 'BUY', price: 10_002, quantity: 7, clientOrderId: 9 })).toBe(2);
    const ev = e.events;
    expect(ev.length).toBe(3);
    expect([ev.type(1), ev.orderId(1), ev.makerOrderId(1), ev.side(1), ev.price(1), ev.quantity(1), ev.remaining(1), ev.makerRemaining(1)]).toEqual([
      'fill',
      2,
      1,
      'BUY',
      10_001,
      5,
      2,
      0,
    ]);
    expect(ev.toArray()).toEqual([
      { type: 'accepted', orderId: 2, clientOrderId: 9, side: 'BUY', orderType: 'limit', quantity: 7, price: 10_002, stopPrice: undefined },
      { type: 'fill', takerOrderId: 2, makerOrderId: 1, takerSide: 'BUY', price: 10_001, quantity: 5, takerRemaining: 2, makerRemaining: 0, takerFilled: 5, makerFilled: 5 },
      { type: 'rested', orderId: 2, side: 'BUY', price: 10_002, remaining: 2, filled: 5 },
    ]);
    expect(() => ev.event(3)).toThrow(RangeError);
    e.cancel(2);
    expect(ev.length).toBe(1); // each call starts a new list
  });

  test('the event buffer and the pools grow past their initial capacity', () => {
    const e = new TickMatchingEngine('T', { initialOrderCapacity: 1, initialLevelCapacity: 1 });
    for (let i = 0; i < 300; i++) e.submit({ type: 'limit', side: 'SELL', price: 1000 + (i % 40), quantity: 1, owner: i % 3 });
    e.submit({ type: 'market', side: 'BUY', quantity: 1000 });
    expect(e.events.length).toBe(302); // accepted + 300 fills + cancelled remainder
    expect(e.events.event(300)).toMatchObject({ type: 'fill', makerOrderId: 280, price: 1039 }); // the last order at the worst price
    expect(e.book.orderCount).toBe(0);
  });

  test('messages use ticks and lots when the engine has no Decimal scale', () => {
    const e = new TickMatchingEngine('T', { minQuantity: 10, minNotional: 5000 });
    e.submit({ type: 'limit', side: 'BUY', price: 100, quantity: 5 });
    expect(e.events.event(0)).toMatchObject({ reason: 'QUANTITY_BELOW_MIN', message: 'quantity 5 lots is below the minimum 10 lots' });
    e.submit({ type: 'limit', side: 'BUY', price: 100, quantity: 10 });
    expect(e.events.event(0)).toMatchObject({ reason: 'NOTIONAL_BELOW_MIN', message: 'notional 1000 tick-lots is below the minimum 5000 tick-lots' });
    e.submit({ type: 'limit', side: 'BUY', price: 100.5, quantity: 50 });
    expect(e.events.event(0)).toMatchObject({ reason: 'PRICE_NOT_TICK_MULTIPLE', message: 'price 100.5 ticks is not a whole number of ticks' });
    expect(() => new TickMatchingEngine('T', { minQuantity: 0 })).toThrow(InvalidBookArgumentError);
    expect(() => new TickMatchingEngine('T', { minNotional: -1 })).toThrow(InvalidBookArgumentError);
  });

  test('the minimum notional is compared exactly beyond 2^53 tick-lots', () => {
    const e = new TickMatchingEngine('T', { minNotional: 2n ** 60n + 1n });
    e.submit({ type: 'limit', side: 'BUY', price: 2 ** 30, quantity: 2 ** 30 }); // exactly 2^60
    expect(e.events.event(0)).toMatchObject({ type: 'rejected', reason: 'NOTIONAL_BELOW_MIN' });
    e.submit({ type: 'limit', side: 'BUY', price: 2 ** 30, quantity: 2 ** 30 + 1 });
    expect(e.events.event(0)).toMatchObject({ type: 'accepted' });
  });

  test('order() and heldStops() show live orders with owners and client ids', () => {
    const e = new TickMatchingEngine('T');
    e.submit({ type: 'limit', side: 'BUY', price: 100, quantity: 5, owner: 'acct-1', clientOrderId: 'a' });
    e.submit({ type: 'stop_limit', side: 'SELL', stopPrice: 90, price: 89, quantity: 2, owner: 42 });
    expect(e.order(1)).toEqual({
      orderId: 1,
      status: 'resting',
      side: 'BUY',
      orderType: 'limit',
      price: 100,
      stopPrice: undefined,
      quantity: 5,
      remaining: 5,
      filled: 0,
      clientOrderId: 'a',
      owner: 'acct-1',
    });
    expect(e.heldStops()).toEqual([
      {
        orderId: 2,
        status: 'held',
        side: 'SELL',
        orderType: 'stop_limit',
        price: 89,
        stopPrice: 90,
        quantity: 2,
        remaining: 2,
        filled: 0,
        clientOrderId: undefined,
        owner: 42,
      },
    ]);
    expect(e.order(3)).toBeUndefined();
    expect(e.order(1.5)).toBeUndefined();
    expect(() => e.cancel('1' as unknown as number)).toThrow(InvalidBookArgumentError);
  });
});
