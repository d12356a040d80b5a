import { Decimal, dec } from '@meridian/domain';
import { waitFor } from '@meridian/testkit';
import { AlpacaSimServer } from '@meridian/venue-sim';
import { ALPACA_BASE_URLS, AlpacaConfigError, AlpacaStreamError, AlpacaTradingVenue, parseAlpacaTradingOptions } from '../src';
import type { VenueOrderRequest } from '../src';
import { ACCOUNT, KEY, SECRET, equitiesSim, fills, harness, orderEvents, quote, raw } from './support/alpaca';
import type { Harness } from './support/alpaca';

const order = (clientOrderId: string, over: Partial<VenueOrderRequest> = {}): VenueOrderRequest => ({
  clientOrderId,
  symbol: 'AAPL',
  side: 'BUY',
  type: 'limit',
  quantity: dec(10),
  limitPrice: dec('189.50'),
  timeInForce: 'GTC',
  ...over,
});

describe('AlpacaTradingVenue options', () => {
  const base = { key: KEY, secret: SECRET, environment: 'paper' as const, symbols: ['AAPL'] };

  test('paper and live base URLs as Alpaca documents them, and the stream URL derived from the base URL', () => {
    expect(parseAlpacaTradingOptions(base)).toMatchObject({ baseUrl: ALPACA_BASE_URLS.paper, streamUrl: 'wss://paper-api.alpaca.markets/stream' });
    expect(parseAlpacaTradingOptions({ ...base, environment: 'live' })).toMatchObject({ baseUrl: 'https://api.alpaca.markets', streamUrl: 'wss://api.alpaca.markets/stream' });
    expect(parseAlpacaTradingOptions({ ...base, baseUrl: 'http://127.0.0.1:9999/' })).toMatchObject({ baseUrl: 'http://127.0.0.1:9999', streamUrl: 'ws://127.0.0.1:9999/stream' });
  });

  test('a bad option names its key, and never shows a secret', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ key: '' }, 'key'],
      [{ secret: '  ' }, 'secret'],
      [{ environment: 'sandbox' }, 'environment'],
      [{ baseUrl: 'not a url' }, 'baseUrl'],
      [{ baseUrl: 'ftp://x' }, 'baseUrl'],
      [{ requestTimeoutMs: 0 }, 'requestTimeoutMs'],
      [{ rateLimit: { requests: 0, intervalMs: 1000 } }, 'rateLimit.requests'],
      [{ symbols: [] }, 'symbols'],
    ];
    for (const [change, key] of bad) {
      let error: unknown;
      try {
        new AlpacaTradingVenue({ ...base, ...change } as never);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(AlpacaConfigError);
      expect((error as AlpacaConfigError).key).toBe(key);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });
});

describe('AlpacaTradingVenue against the local Alpaca server', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await harness();
    await h.venue.start();
  });

  afterEach(async () => {
    await h.close();
  });

  test('start() listens to trade_updates; keys the server refuses make start() fail', async () => {
    expect(h.events[0]).toEqual({ kind: 'connection', connected: true, detail: 'listening to trade_updates' });
    expect(h.server.streamConnections).toBe(1);
    const wrong = new AlpacaTradingVenue({ key: KEY, secret: 'not-the-secret', environment: 'paper', symbols: ['AAPL'], baseUrl: h.server.baseUrl });
    await expect(wrong.start()).rejects.toThrow(AlpacaStreamError);
    await wrong.close();
  });

  test('instruments come from the assets, in platform symbols', async () => {
    const instruments = await h.venue.instruments();
    expect(instruments.map((i) => [i.symbol, i.venueSymbol, i.quoteCurrency, i.tickSize.toString(), i.lotSize.toString(), i.minQuantity.toString()])).toEqual([
      ['AAPL', 'AAPL', 'USD', '0.01', '1', '1'],
      ['BRK-B', 'BRK.B', 'USD', '0.01', '1', '1'],
    ]);
  });

  test('a market order is accepted filled; its fills stream in with the platform client id, and positions equal the fills', async () => {
    const outcome = await h.venue.submit(order('m-1', { type: 'market', quantity: dec(150), limitPrice: undefined, timeInForce: 'DAY' }));
    expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'm-1', symbol: 'AAPL', status: 'filled', quantity: dec(150), filledQuantity: dec(150) } });
    await waitFor('two fills', () => fills(h.events).length === 2);
    const streamed = fills(h.events);
    expect(streamed.map((e) => [e.fill.clientOrderId, e.fill.price.toString(), e.fill.quantity.toString(), e.fill.liquidity, e.fill.fee.toString()])).toEqual([
      ['m-1', '190.01', '100', 'taker', '0'],
      ['m-1', '190.02', '50', 'taker', '0'],
    ]);
    expect(streamed[1]!.order).toMatchObject({ status: 'filled', filledQuantity: dec(150) });
    // The same fills, read back from the account's activities, with the same trade ids.
    const since = await h.venue.fillsSince(0n);
    expect(since.map((f) => f.tradeId)).toEqual(streamed.map((e) => e.fill.tradeId));
    expect(since.map((f) => f.clientOrderId)).toEqual(['m-1', 'm-1']);
    const sell = await h.venue.submit(order('m-2', { side: 'SELL', type: 'market', quantity: dec(60), limitPrice: undefined, timeInForce: 'DAY' }));
    expect(sell.kind).toBe('accepted');
    const all = await h.venue.fillsSince(0n);
    const net = all.reduce((q, f) => (f.side === 'BUY' ? q.add(f.quantity) : q.sub(f.quantity)), Decimal.ZERO);
    const positions = await h.venue.positions();
    expect(positions).toEqual([{ symbol: 'AAPL', quantity: net, averageEntryPrice: dec('190.013333333333') }]);
    expect(net).toEqual(dec(90));
    const [usd] = await h.venue.balances();
    expect(usd).toMatchObject({ currency: 'USD', total: dec(100000).sub(dec('28502')).add(dec('189.99').mul(60n)) });
  });

  test('limit, stop and stop-limit orders with each time in force; open orders, order() and cancel', async () => {
    const placed = [
      await h.venue.submit(order('l-1')),
      await h.venue.submit(order('l-2', { timeInForce: 'DAY', limitPrice: dec('189.00') })),
      await h.venue.submit(order('s-1', { type: 'stop', limitPrice: undefined, stopPrice: dec('195'), timeInForce: 'GTC' })),
      await h.venue.submit(order('sl-1', { side: 'SELL', type: 'stop_limit', limitPrice: dec('184.50'), stopPrice: dec('185'), timeInForce: 'DAY' })),
    ];
    expect(placed.map((o) => o.kind === 'accepted' && [o.order.type, o.order.status])).toEqual([
      ['limit', 'new'],
      ['limit', 'new'],
      ['stop', 'new'],
      ['stop_limit', 'new'],
    ]);
    const ioc = await h.venue.submit(order('i-1', { timeInForce: 'IOC' }));
    expect(ioc).toMatchObject({ kind: 'accepted', order: { status: 'cancelled', filledQuantity: Decimal.ZERO } });
    const fok = await h.venue.submit(order('f-1', { timeInForce: 'FOK', limitPrice: dec('190.01'), quantity: dec(100) }));
    expect(fok).toMatchObject({ kind: 'accepted', order: { status: 'filled' } });

    const open = await h.venue.openOrders();
    expect(open.map((o) => o.clientOrderId).sort()).toEqual(['l-1', 'l-2', 's-1', 'sl-1']);
    expect((await h.venue.openOrders('BRK-B')).length).toBe(0);
    expect(await h.venue.order({ clientOrderId: 'l-1', symbol: 'AAPL' })).toMatchObject({ status: 'new', limitPrice: dec('189.5'), quantity: dec(10) });
    expect(await h.venue.order({ clientOrderId: 'nope', symbol: 'AAPL' })).toBeUndefined();

    const cancelled = await h.venue.cancel({ clientOrderId: 'l-1', symbol: 'AAPL' });
    expect(cancelled).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'l-1', status: 'cancelled' } });
    // Cancelling what is already cancelled holds; what filled cannot be cancelled; unknown ids are refused.
    expect((await h.venue.cancel({ clientOrderId: 'l-1', symbol: 'AAPL' })).kind).toBe('accepted');
    expect(await h.venue.cancel({ clientOrderId: 'f-1', symbol: 'AAPL' })).toEqual({ kind: 'rejected', code: '42210000', message: 'order is already in "filled" state' });
    expect((await h.venue.cancel({ clientOrderId: 'nope', symbol: 'AAPL' })).kind).toBe('rejected');
    await waitFor('the cancel event', () => orderEvents(h.events, 'l-1').some((e) => e.order.status === 'cancelled'));
    expect(orderEvents(h.events, 'l-1').map((e) => e.order.status)).toEqual(['new', 'cancelled']);
  });

  test('refusals: buying power, tick size, unknown symbol, post-only, and client ids longer than 128 (never sent)', async () => {
    expect(await h.venue.submit(order('big', { quantity: dec(5000) }))).toEqual({ kind: 'rejected', code: '40310000', message: 'insufficient buying power' });
    const tick = await h.venue.submit(order('tick', { limitPrice: dec('189.505') }));
    expect(tick).toMatchObject({ kind: 'rejected', code: '42210000' });
    expect(await h.venue.submit(order('sym', { symbol: 'MSFT' }))).toMatchObject({ kind: 'rejected', code: 'unknown_symbol' });
    expect(await h.venue.submit(order('po', { postOnly: true }))).toMatchObject({ kind: 'rejected', code: 'unsupported' });
    expect(await h.venue.submit(order('x'.repeat(129)))).toMatchObject({ kind: 'rejected', code: 'invalid_client_order_id' });
    expect(h.sim.orders(ACCOUNT)).toHaveLength(0);
    const longest = 'y'.repeat(128);
    expect(await h.venue.submit(order(longest))).toMatchObject({ kind: 'accepted', order: { clientOrderId: longest } });
  });

  test('a client order id is an idempotency key: the same order again is the first one; a different order with it is refused', async () => {
    const first = await h.venue.submit(order('dup-1'));
    expect(first.kind).toBe('accepted');
    const again = await h.venue.submit(order('dup-1'));
    expect(again).toEqual(first);
    const other = await h.venue.submit(order('dup-1', { side: 'SELL' }));
    expect(other).toMatchObject({ kind: 'rejected', code: '40010001' });
    expect(h.sim.orders(ACCOUNT)).toHaveLength(1);
  });

  test('amend is Alpaca\'s replace: the platform client id stays; quantity is the new total, fills included', async () => {
    await h.venue.submit(order('a-1', { quantity: dec(250), limitPrice: dec('189.99') }));
    // 100 of mirrored liquidity ahead of us at 189.99, then our order: a print of 160 fills 60 of ours.
    h.sim.applyMarketTrade('AAPL', { price: dec('189.99'), quantity: dec(160), aggressor: 'SELL' });
    await waitFor('the partial fill', () => fills(h.events).length === 1);

    const first = await h.venue.amend({ clientOrderId: 'a-1', symbol: 'AAPL' }, { limitPrice: dec('189.80') });
    expect(first).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'a-1', quantity: dec(250), filledQuantity: dec(60), limitPrice: dec('189.8'), status: 'partially_filled' } });
    const second = await h.venue.amend({ clientOrderId: 'a-1', symbol: 'AAPL' }, { quantity: dec(100), limitPrice: dec('189.70') });
    expect(second).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'a-1', quantity: dec(100), filledQuantity: dec(60), limitPrice: dec('189.7') } });
    // At Alpaca: three orders chained by replaces, the live one for the 40 still to buy.
    const chain = (await raw(h.server, 'GET', '/v2/orders?status=all&direction=asc')).body;
    expect(chain.map((o: any) => [o.client_order_id, o.status, o.qty, o.filled_qty])).toEqual([
      ['a-1', 'replaced', '250', '60'],
      ['a-1.r1', 'replaced', '190', '0'],
      ['a-1.r2', 'new', '40', '0'],
    ]);
    expect(chain[2].replaces).toBe(chain[1].id);
    const state = await h.venue.order({ clientOrderId: 'a-1', symbol: 'AAPL' });
    expect(state).toMatchObject({ clientOrderId: 'a-1', venueOrderId: chain[2].id, quantity: dec(100), filledQuantity: dec(60), averagePrice: dec('189.99') });
    expect((await h.venue.openOrders()).map((o) => [o.clientOrderId, o.quantity.toString(), o.filledQuantity.toString()])).toEqual([['a-1', '100', '60']]);
    // The rest fills on the replacement; the fill and the order events carry the platform's id.
    h.sim.applyMarketTrade('AAPL', { price: dec('189.70'), quantity: dec(1000), aggressor: 'SELL' });
    await waitFor('the last fill', () => fills(h.events).length === 2);
    const last = fills(h.events)[1]!;
    expect(last.fill).toMatchObject({ clientOrderId: 'a-1', venueOrderId: chain[2].id, quantity: dec(40), price: dec('189.7') });
    expect(last.order).toMatchObject({ clientOrderId: 'a-1', status: 'filled', quantity: dec(100), filledQuantity: dec(100) });
    expect((await h.venue.fillsSince(0n)).map((f) => f.clientOrderId)).toEqual(['a-1', 'a-1']);
    // A filled order cannot be amended, and a total below what filled is refused.
    expect(await h.venue.amend({ clientOrderId: 'a-1', symbol: 'AAPL' }, { limitPrice: dec('189') })).toMatchObject({ kind: 'rejected', code: '42210000' });
    await h.venue.submit(order('a-2', { quantity: dec(250), limitPrice: dec('189.70') }));
    h.sim.applyMarketTrade('AAPL', { price: dec('189.70'), quantity: dec(30), aggressor: 'SELL' });
    await waitFor('a-2 fill', () => fills(h.events).some((e) => e.fill.clientOrderId === 'a-2'));
    expect(await h.venue.amend({ clientOrderId: 'a-2', symbol: 'AAPL' }, { quantity: dec(20) })).toMatchObject({ kind: 'rejected', code: 'invalid_request' });
  });

  test('live keys trade on a live endpoint and are refused on a paper one', async () => {
    const sim = equitiesSim();
    const live = await AlpacaSimServer.start({ sim, environment: 'live', keys: [{ keyId: 'AKLIVE', secret: 'live-secret-value', account: 'live-1' }], accounts: [{ id: 'live-1', cash: dec(5000) }] });
    try {
      const venue = new AlpacaTradingVenue({ key: 'AKLIVE', secret: 'live-secret-value', environment: 'live', symbols: ['AAPL'], baseUrl: live.baseUrl });
      await venue.start();
      expect(await venue.submit(order('live-1', { quantity: dec(1) }))).toMatchObject({ kind: 'accepted' });
      await venue.close();
      const onPaper = new AlpacaTradingVenue({ key: 'AKLIVE', secret: 'live-secret-value', environment: 'live', symbols: ['AAPL'], baseUrl: h.server.baseUrl });
      await expect(onPaper.start()).rejects.toThrow(/refused/);
      await onPaper.close();
    } finally {
      await live.close();
    }
  });

  test('fillsSince is inclusive of its start and filters by symbol', async () => {
    quote(h.sim, 'AAPL', '189.99', '190.01');
    await h.venue.submit(order('f-a', { type: 'market', quantity: dec(10), limitPrice: undefined, timeInForce: 'DAY' }));
    await h.venue.submit(order('f-b', { symbol: 'BRK-B', type: 'market', quantity: dec(5), limitPrice: undefined, timeInForce: 'DAY' }));
    const all = await h.venue.fillsSince(0n);
    expect(all.map((f) => [f.symbol, f.clientOrderId])).toEqual([
      ['AAPL', 'f-a'],
      ['BRK-B', 'f-b'],
    ]);
    expect((await h.venue.fillsSince(all[1]!.tsNs)).map((f) => f.tradeId)).toEqual([all[1]!.tradeId]);
    expect((await h.venue.fillsSince(all[1]!.tsNs + 1n)).length).toBe(0);
    expect((await h.venue.fillsSince(0n, 'BRK-B')).map((f) => f.clientOrderId)).toEqual(['f-b']);
  });

  test('fillsSince pages through more than one page of activities', async () => {
    for (let i = 0; i < 105; i++) await raw(h.server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '1', side: i % 2 === 0 ? 'buy' : 'sell', type: 'market', time_in_force: 'day' });
    const all = await h.venue.fillsSince(0n);
    expect(all).toHaveLength(105);
    expect(new Set(all.map((f) => f.tradeId)).size).toBe(105);
  });
});
