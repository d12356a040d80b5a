import { createHmac } from 'node:crypto';
import { TcpProxy } from '@meridian/testkit';
import type { OkxServer, SimulatedVenue } from '@meridian/venue-sim';
import type { OkxTradingVenue, VenueOutcome } from '../src';
import type { Recorded } from './support/okx-venue';
import { ACCOUNT, KEY, adapter, d, eventsOf, limit, startVenue, until } from './support/okx-venue';

const accepted = (o: VenueOutcome): boolean => o.kind === 'accepted';

describe('OkxTradingVenue: rate limits', () => {
  let sim: SimulatedVenue;
  let server: OkxServer;
  let venue: OkxTradingVenue;

  beforeEach(async () => {
    ({ sim, server } = await startVenue());
    // Generous: a request that times out may reach the venue after the gate let it go, which is another test's subject.
    ({ venue } = adapter(server, { requestTimeoutMs: 15_000 }));
  });
  afterEach(async () => {
    await venue.close();
    await server.close();
  });

  test('130 orders on one instrument at once: the adapter queues them (no 50011), a raw client earns 50011', async () => {
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 130 }, (_, i) => venue.submit(limit('BUY', '0.001', String(20000 + i)))));
    const elapsed = Date.now() - started;
    expect(outcomes.every(accepted)).toBe(true);
    expect(sim.openOrders(ACCOUNT)).toHaveLength(130);
    expect(server.answeredWith('50011')).toBe(0);
    // 60 per 2 s (plus the guard): the third window opens after two full windows.
    expect(elapsed).toBeGreaterThanOrEqual(4_000);

    // A client that does not pace itself: the next 61 cancels in a burst, signed by hand.
    let raw429 = 0;
    for (let i = 0; i < 61; i++) {
      const body = JSON.stringify({ instId: 'ETH-USDT', clOrdId: `raw${i}` });
      const ts = new Date().toISOString();
      const sign = createHmac('sha256', KEY.secretKey).update(`${ts}POST/api/v5/trade/cancel-order${body}`).digest('base64');
      const response = await fetch(`${server.restUrl}/api/v5/trade/cancel-order`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'OK-ACCESS-KEY': KEY.apiKey, 'OK-ACCESS-SIGN': sign, 'OK-ACCESS-TIMESTAMP': ts, 'OK-ACCESS-PASSPHRASE': KEY.passphrase, 'x-simulated-trading': '1' },
        body,
      });
      if (response.status === 429) raw429++;
    }
    expect(raw429).toBe(1);
  });

  test('a 50011 the venue answers anyway (a burst) is waited out and re-sent', async () => {
    server.faults.add({ fault: { kind: 'rate_limit' }, path: '/api/v5/trade/order', times: 3 });
    const order = limit('BUY', '0.1', '29000');
    expect(await venue.submit(order)).toMatchObject({ kind: 'accepted' });
    expect(server.faults.fired.rate_limit).toBe(3);
    expect(sim.orders(ACCOUNT)).toHaveLength(1);
  });
});

describe('OkxTradingVenue: a place or cancel without an answer is resolved, never guessed', () => {
  let sim: SimulatedVenue;
  let server: OkxServer;
  let venue: OkxTradingVenue;

  beforeEach(async () => {
    ({ sim, server } = await startVenue());
    ({ venue } = adapter(server, { requestTimeoutMs: 300 }));
  });
  afterEach(async () => {
    await venue.close();
    await server.close();
  });

  const ordersOf = (clientOrderId: string) => sim.orders(ACCOUNT).filter((o) => o.clientOrderId === clientOrderId);

  test('the connection dies after OKX placed the order: looked up by clOrdId, accepted, exactly one order', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, path: '/api/v5/trade/order', times: 1 });
    const order = limit('BUY', '0.1', '29000');
    const outcome = await venue.submit(order);
    expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: order.clientOrderId, status: 'new' } });
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
    expect(server.faults.fired.drop).toBe(1);
  });

  test('the connection dies before OKX saw it: not found, sent again, exactly one order', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/order', times: 2 });
    const order = limit('BUY', '0.1', '29000');
    expect(await venue.submit(order)).toMatchObject({ kind: 'accepted' });
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
    expect(server.faults.fired.drop).toBe(2);
  });

  test('the answer comes after the timeout: the order is found and accepted; one order', async () => {
    server.faults.add({ fault: { kind: 'delay', ms: 800, stage: 'after_apply' }, path: '/api/v5/trade/order', times: 1 });
    const order = limit('BUY', '0.1', '29000');
    expect(await venue.submit(order)).toMatchObject({ kind: 'accepted' });
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
  });

  test('the request reaches OKX after the timeout and after the re-send: the late one is the duplicate; one order', async () => {
    server.faults.add({ fault: { kind: 'delay', ms: 800, stage: 'before_apply' }, path: '/api/v5/trade/order', times: 1 });
    const order = limit('BUY', '0.1', '29000');
    expect(await venue.submit(order)).toMatchObject({ kind: 'accepted' });
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 900));
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
    // The late original was answered 51016 (code "1"), to a client that had gone.
    expect(server.answeredWith('1')).toBe(1);
  });

  test('a 5xx on place is in doubt like a timeout: looked up, sent again; 5xx on reads are retried', async () => {
    server.faults.add({ fault: { kind: 'server_error', status: 502 }, path: '/api/v5/trade/order', method: 'POST', times: 1 });
    server.faults.add({ fault: { kind: 'server_error', status: 503 }, path: '/api/v5/trade/order', method: 'GET', times: 2 });
    const order = limit('BUY', '0.1', '29000');
    expect(await venue.submit(order)).toMatchObject({ kind: 'accepted' });
    expect(ordersOf(order.clientOrderId)).toHaveLength(1);
    expect(server.faults.fired.server_error).toBe(3);
  });

  test('when neither the place nor the lookups get an answer, the outcome is in_doubt', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/order' });
    const order = limit('BUY', '0.1', '29000');
    const outcome = await venue.submit(order);
    expect(outcome).toMatchObject({ kind: 'in_doubt', message: expect.stringMatching(/could not be looked up/) });
    expect(ordersOf(order.clientOrderId)).toHaveLength(0);
  });

  test('a place that keeps getting no answer while OKX has no such order ends in_doubt after the attempts', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/order', method: 'POST' });
    const outcome = await venue.submit(limit('BUY', '0.1', '29000'));
    expect(outcome).toMatchObject({ kind: 'in_doubt', message: expect.stringMatching(/no order with its clOrdId yet, after 5 attempts/) });
    expect(server.faults.fired.drop).toBe(5);
    expect(sim.orders(ACCOUNT)).toHaveLength(0);
  });

  test('a cancel whose answer is lost is confirmed by reading the order back', async () => {
    const order = limit('BUY', '0.1', '29000');
    await venue.submit(order);
    server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, path: '/api/v5/trade/cancel-order', times: 1 });
    expect(await venue.cancel({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' })).toMatchObject({ kind: 'accepted', order: { status: 'cancelled' } });
    const lost = limit('BUY', '0.1', '29000');
    await venue.submit(lost);
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/cancel-order', times: 1 });
    expect(await venue.cancel({ clientOrderId: lost.clientOrderId, symbol: 'BTC-USDT' })).toMatchObject({ kind: 'accepted', order: { status: 'cancelled' } });
    expect(sim.openOrders(ACCOUNT)).toHaveLength(0);
  });

  test('an amend whose answer is lost is accepted only if the order shows the change', async () => {
    const order = limit('BUY', '0.1', '29000');
    await venue.submit(order);
    server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, path: '/api/v5/trade/amend-order', times: 1 });
    expect(await venue.amend({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' }, { limitPrice: d('29100') })).toMatchObject({ kind: 'accepted' });
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, path: '/api/v5/trade/amend-order', times: 1 });
    expect(await venue.amend({ clientOrderId: order.clientOrderId, symbol: 'BTC-USDT' }, { limitPrice: d('29200') })).toMatchObject({ kind: 'in_doubt' });
    expect(sim.order(ACCOUNT, { clientOrderId: order.clientOrderId })!.price!.toString()).toBe('29100');
  });
});

describe('OkxTradingVenue: private stream reconnects and recovers', () => {
  let sim: SimulatedVenue;
  let server: OkxServer;
  let proxy: TcpProxy;
  let venue: OkxTradingVenue;
  let recorded: Recorded;

  beforeEach(async () => {
    ({ sim, server } = await startVenue());
    proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: server.port });
    ({ venue, recorded } = adapter(server, { privateWsUrl: proxy.rewriteUrl(server.privateWsUrl), recoveryLookbackMs: 1_000 }));
    await venue.start();
  });
  afterEach(async () => {
    await venue.close();
    await proxy.stop();
    await server.close();
  });

  test('a dropped connection is re-opened, logged in and subscribed again; pushes flow again', async () => {
    server.dropConnections();
    await until('disconnected', () => eventsOf(recorded, 'connection').find((e) => !e.connected));
    await until('reconnected', () => eventsOf(recorded, 'connection').filter((e) => e.connected).length === 2);
    expect(server.privateConnections).toEqual([{ connId: expect.any(String), account: ACCOUNT }]);
    const order = limit('BUY', '0.1', '29000');
    await venue.submit(order);
    sim.applyMarketTrade('BTC-USDT', { price: d('29000'), quantity: d('1'), aggressor: 'SELL' });
    const fill = await until('fill after reconnect', () => eventsOf(recorded, 'fill').find((e) => e.fill.clientOrderId === order.clientOrderId));
    expect(fill.order.status).toBe('filled');
  });

  test('fills made while disconnected are recovered after the reconnect, each reported once', async () => {
    const resting = [limit('BUY', '0.3', '29500'), limit('BUY', '0.2', '29400'), limit('SELL', '0.4', '30500')];
    for (const o of resting) expect((await venue.submit(o)).kind).toBe('accepted');
    const first = limit('BUY', '0.1', '29600');
    await venue.submit(first);
    sim.applyMarketTrade('BTC-USDT', { price: d('29600'), quantity: d('0.1'), aggressor: 'SELL' });
    await until('a fill before the outage', () => eventsOf(recorded, 'fill').length === 1);

    proxy.cut('reset');
    await until('disconnected', () => eventsOf(recorded, 'connection').find((e) => !e.connected));
    // While the adapter cannot hear: two orders fill completely, one partly.
    sim.applyMarketTrade('BTC-USDT', { price: d('29500'), quantity: d('0.3'), aggressor: 'SELL' });
    sim.applyMarketTrade('BTC-USDT', { price: d('29400'), quantity: d('0.1'), aggressor: 'SELL' });
    sim.applyMarketTrade('BTC-USDT', { price: d('29400'), quantity: d('0.1'), aggressor: 'SELL' });
    sim.applyMarketTrade('BTC-USDT', { price: d('30500'), quantity: d('0.25'), aggressor: 'BUY' });
    const missed = sim.fills(ACCOUNT).slice(1);
    expect(missed.length).toBe(4);
    expect(eventsOf(recorded, 'fill')).toHaveLength(1);
    proxy.restore();
    await until('reconnected', () => eventsOf(recorded, 'connection').filter((e) => e.connected).length === 2);

    const fills = eventsOf(recorded, 'fill');
    expect(fills.map((f) => f.fill.tradeId)).toEqual(sim.fills(ACCOUNT).map((f) => f.tradeId));
    expect(new Set(fills.map((f) => f.fill.tradeId)).size).toBe(fills.length);
    for (const f of fills.slice(1)) {
      const simFill = missed.find((m) => m.tradeId === f.fill.tradeId)!;
      expect([f.fill.price.toString(), f.fill.quantity.toString(), f.fill.fee.toString(), f.fill.liquidity]).toEqual([simFill.price.toString(), simFill.quantity.toString(), simFill.fee.toString(), simFill.liquidity]);
    }
    const byClient = (id: string) => eventsOf(recorded, 'fill').filter((f) => f.fill.clientOrderId === id).at(-1)!.order;
    expect(byClient(resting[0]!.clientOrderId).status).toBe('filled');
    expect(byClient(resting[1]!.clientOrderId).status).toBe('filled');
    expect(byClient(resting[2]!.clientOrderId)).toMatchObject({ status: 'partially_filled' });
    expect(recorded.logs.some((l) => /recovered 4 missed fill/.test(l))).toBe(true);

    // And live again: the rest of the partly filled order arrives by push, once.
    sim.applyMarketTrade('BTC-USDT', { price: d('30500'), quantity: d('0.15'), aggressor: 'BUY' });
    await until('the last fill', () => eventsOf(recorded, 'fill').length === 6);
    expect(eventsOf(recorded, 'fill').at(-1)!.order.status).toBe('filled');
  });

  test('an order cancelled while disconnected is reported after the reconnect', async () => {
    const order = limit('BUY', '0.1', '29000');
    await venue.submit(order);
    await until('the order is known', () => eventsOf(recorded, 'order').length >= 0 && sim.openOrders(ACCOUNT).length === 1);
    proxy.cut('reset');
    await until('disconnected', () => eventsOf(recorded, 'connection').find((e) => !e.connected));
    sim.cancelOrder({ account: ACCOUNT, clientOrderId: order.clientOrderId });
    proxy.restore();
    const cancelled = await until('cancelled reported', () => eventsOf(recorded, 'order').find((e) => e.order.clientOrderId === order.clientOrderId && e.order.status === 'cancelled'));
    expect(cancelled.order.venueOrderId).toBe(sim.order(ACCOUNT, { clientOrderId: order.clientOrderId })!.orderId);
  });
});
