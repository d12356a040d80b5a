import type { OkxServer, SimulatedVenue } from '@meridian/venue-sim';
import { OkxAuthError } from '../src';
import type { OkxTradingVenue, VenueOrderState } from '../src';
import type { Recorded } from './support/okx-venue';
import { ACCOUNT, KEY, adapter, d, eventsOf, limit, market, startVenue, until } from './support/okx-venue';

describe('OkxTradingVenue against the local OKX v5 server', () => {
  let sim: SimulatedVenue;
  let server: OkxServer;
  let venue: OkxTradingVenue;
  let recorded: Recorded;

  beforeEach(async () => {
    ({ sim, server } = await startVenue());
    ({ venue, recorded } = adapter(server));
    await venue.start();
  });
  afterEach(async () => {
    await venue.close();
    await server.close();
  });

  test('start logs in and subscribes to orders, then reports the connection', async () => {
    expect(server.privateConnections).toEqual([{ connId: expect.any(String), account: ACCOUNT }]);
    expect(eventsOf(recorded, 'connection')).toEqual([{ kind: 'connection', connected: true, detail: expect.any(String) }]);
  });

  test('a limit order: accepted, pushed, found by client id and among open orders, cancelled', async () => {
    const order = limit('BUY', '0.5', '29000');
    const outcome = await venue.submit(order);
    expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: order.clientOrderId, symbol: 'BTC-USDT', side: 'BUY', type: 'limit', status: 'new' } });
    const venueOrderId = (outcome as { order: VenueOrderState }).order.venueOrderId;
    expect(venueOrderId).toBe(sim.order(ACCOUNT, { clientOrderId: order.clientOrderId })!.orderId);

    const found = await venue.order({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' });
    expect(found).toMatchObject({ clientOrderId: order.clientOrderId, venueOrderId, status: 'new', filledQuantity: d('0'), averagePrice: undefined, reason: undefined });
    expect(found!.quantity.eq(d('0.5'))).toBe(true);
    expect(found!.limitPrice!.eq(d('29000'))).toBe(true);
    expect((await venue.openOrders('BTC-USDT')).map((o) => o.clientOrderId)).toEqual([order.clientOrderId]);
    expect(await venue.order({ clientOrderId: 'never-placed-1', symbol: 'BTC-USDT' })).toBeUndefined();

    const cancelled = await venue.cancel({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' });
    expect(cancelled).toMatchObject({ kind: 'accepted', order: { status: 'cancelled', reason: 'cancelled_by_user' } });
    await until('cancelled event', () => eventsOf(recorded, 'order').find((e) => e.order.status === 'cancelled'));
    expect(await venue.openOrders()).toEqual([]);
    const again = await venue.cancel({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' });
    expect(again).toMatchObject({ kind: 'accepted', order: { status: 'cancelled' } });
    expect(await venue.cancel({ clientOrderId: 'never-placed-2', symbol: 'BTC-USDT' })).toMatchObject({ kind: 'rejected', code: '51400' });
  });

  test('a market order: fills pushed once each (fee positive when charged, taker), the order ends filled, fillsSince finds them', async () => {
    const since = BigInt(Date.now() - 1) * 1_000_000n;
    const order = market('BUY', '2.5');
    expect((await venue.submit(order)).kind).toBe('accepted');
    const fills = await until('two fills', () => {
      const f = eventsOf(recorded, 'fill');
      return f.length === 2 ? f : undefined;
    });
    expect(fills.map((f) => [f.fill.price.toString(), f.fill.quantity.toString(), f.fill.liquidity, f.fill.clientOrderId])).toEqual([
      ['30000.1', '2', 'taker', order.clientOrderId],
      ['30001', '0.5', 'taker', order.clientOrderId],
    ]);
    for (const f of fills) {
      expect(f.fill.fee.isPositive()).toBe(true);
      expect(f.fill.feeCurrency).toBe('USDT');
    }
    expect(fills[1]!.order).toMatchObject({ status: 'filled' });
    expect(fills[1]!.order.filledQuantity.eq(d('2.5'))).toBe(true);
    const simFills = sim.fills(ACCOUNT);
    expect(fills.map((f) => f.fill.tradeId)).toEqual(simFills.map((f) => f.tradeId));

    const recovered = await venue.fillsSince(since);
    expect(recovered.map((f) => f.tradeId)).toEqual(simFills.map((f) => f.tradeId));
    expect(recovered.map((f) => f.fee.toString())).toEqual(simFills.map((f) => f.fee.toString()));
    expect(await venue.fillsSince(BigInt(Date.now() + 60_000) * 1_000_000n)).toEqual([]);
    expect(await venue.fillsSince(since, 'ETH-USDT')).toEqual([]);
  });

  test('amend keeps the order id and reports the venue’s state', async () => {
    const order = limit('BUY', '0.5', '29000');
    await venue.submit(order);
    const amended = await venue.amend({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' }, { limitPrice: d('29100'), quantity: d('0.7') });
    expect(amended.kind).toBe('accepted');
    const state = (amended as { order: VenueOrderState }).order;
    expect(state.limitPrice!.eq(d('29100'))).toBe(true);
    expect(state.quantity.eq(d('0.7'))).toBe(true);
    expect(await venue.amend({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' }, {})).toMatchObject({ kind: 'rejected', code: 'OKX_UNSUPPORTED_ORDER' });
    expect(await venue.amend({ clientOrderId: 'never-placed-3', symbol: 'BTC-USDT' }, { limitPrice: d('1') })).toMatchObject({ kind: 'rejected', code: '51503' });
  });

  test('refusals: insufficient balance, a client id used by another order, unsupported order types', async () => {
    expect(await venue.submit(limit('BUY', '100', '29000'))).toMatchObject({ kind: 'rejected', code: '51008', message: expect.stringMatching(/Insufficient USDT/) });
    const first = limit('BUY', '0.1', '29000');
    await venue.submit(first);
    const reuse = await venue.submit({ ...limit('SELL', '0.2', '31000'), clientOrderId: first.clientOrderId });
    expect(reuse).toMatchObject({ kind: 'rejected', code: '51016', message: expect.stringMatching(/belongs to another order/) });
    // The same order again (a retry by the caller) is the order it already placed.
    const retry = await venue.submit(first);
    expect(retry).toMatchObject({ kind: 'accepted', order: { clientOrderId: first.clientOrderId } });
    expect(sim.orders(ACCOUNT)).toHaveLength(1);

    const stop = await venue.submit({ ...market('SELL', '0.1'), type: 'stop', stopPrice: d('25000') });
    expect(stop).toMatchObject({ kind: 'rejected', code: 'OKX_UNSUPPORTED_ORDER', message: expect.stringMatching(/algo orders/) });
    expect(await venue.submit(limit('BUY', '0.1', '29000', { timeInForce: 'DAY' }))).toMatchObject({ kind: 'rejected', code: 'OKX_UNSUPPORTED_ORDER' });
    const post = await venue.submit(limit('BUY', '0.1', '30000.1', { postOnly: true }));
    expect(post).toMatchObject({ kind: 'rejected', code: '51511' });
    expect(sim.orders(ACCOUNT)).toHaveLength(1);
  });

  test('batches: one outcome per order, partial failure reported per order; batch cancel', async () => {
    const orders = [limit('BUY', '0.1', '29000'), limit('BUY', '1000', '29000'), { ...limit('BUY', '1', '1900'), symbol: 'ETH-USDT' }, { ...market('SELL', '0.1'), type: 'stop' as const, stopPrice: d('1') }];
    const outcomes = await venue.submitBatch(orders);
    expect(outcomes.map((o) => (o.kind === 'rejected' ? o.code : o.kind))).toEqual(['accepted', '51008', 'accepted', 'OKX_UNSUPPORTED_ORDER']);
    expect(sim.openOrders(ACCOUNT).map((o) => o.clientOrderId).sort()).toEqual([orders[0]!.clientOrderId, orders[2]!.clientOrderId].sort());
    const many = Array.from({ length: 25 }, (_, i) => limit('BUY', '0.001', String(20000 + i)));
    const placed = await venue.submitBatch(many);
    expect(placed.every((o) => o.kind === 'accepted')).toBe(true);
    expect(sim.openOrders(ACCOUNT)).toHaveLength(27);
    const cancels = await venue.cancelBatch([...many, orders[0]!, orders[2]!].map((o) => ({ clientOrderId: o.clientOrderId, symbol: o.symbol })));
    expect(cancels.every((o) => o.kind === 'accepted' && o.order.status === 'cancelled')).toBe(true);
    expect(sim.openOrders(ACCOUNT)).toHaveLength(0);
  });

  test('instruments, balances and positions', async () => {
    const instruments = await venue.instruments();
    expect(instruments.find((i) => i.symbol === 'BTC-USDT')).toEqual({
      symbol: 'BTC-USDT',
      venueSymbol: 'BTC-USDT',
      baseCurrency: 'BTC',
      quoteCurrency: 'USDT',
      tickSize: d('0.1'),
      lotSize: d('0.0001'),
      minQuantity: d('0.001'),
      minNotional: undefined,
    });
    const balances = await venue.balances();
    expect(Object.fromEntries(balances.map((b) => [b.currency, b.total.toString()]))).toEqual({ USDT: '1000000', BTC: '5', ETH: '50' });
    await venue.submit(limit('SELL', '1', '31000'));
    const btc = (await venue.balances()).find((b) => b.currency === 'BTC')!;
    expect([btc.total.toString(), btc.available.toString()]).toEqual(['5', '4']);
    const positions = await venue.positions();
    expect(positions.map((p) => [p.symbol, p.quantity.toString(), p.averageEntryPrice])).toEqual([
      ['BTC-USDT', '5', undefined],
      ['ETH-USDT', '50', undefined],
    ]);
  });
});

describe('OkxTradingVenue: credentials', () => {
  test('a wrong secret: start fails with OkxAuthError, orders are rejected, nothing is placed', async () => {
    const { server, sim } = await startVenue();
    const { venue } = adapter(server, { credentials: { apiKey: KEY.apiKey, secretKey: 'not-it', passphrase: KEY.passphrase } });
    try {
      const failure = await venue.start().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(OkxAuthError);
      expect((failure as OkxAuthError).okxCode).toBe('60007');
      const outcome = await venue.submit(limit('BUY', '0.1', '29000'));
      expect(outcome).toMatchObject({ kind: 'rejected', code: 'OKX_AUTH', message: expect.stringMatching(/50113/) });
      await expect(venue.balances()).rejects.toThrow(OkxAuthError);
      expect(sim.orders(ACCOUNT)).toHaveLength(0);
    } finally {
      await venue.close();
      await server.close();
    }
  });
});
