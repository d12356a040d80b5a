import { dec } from '@meridian/domain';
import { parseRfc3339Nanos } from '@meridian/venues';
import { waitFor } from '@meridian/testkit';
import type { AlpacaSimServer, SimulatedVenue } from '../src';
import { ACCOUNT, KEY, SECRET, StreamClient, call, listeningClient, quote, startServer } from './support/alpaca-sim';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

describe('AlpacaSimServer: Alpaca Trading API v2 over the simulator', () => {
  let sim: SimulatedVenue;
  let server: AlpacaSimServer;
  const open: StreamClient[] = [];

  beforeEach(async () => {
    ({ sim, server } = await startServer({
      keys: [
        { keyId: KEY, secret: SECRET, account: ACCOUNT },
        { keyId: 'AKLIVEKEY', secret: 'live-secret', account: ACCOUNT, environment: 'live' },
      ],
    }));
  });

  afterEach(async () => {
    for (const c of open.splice(0)) c.close();
    await server.close();
  });

  const buy = (qty: string, extra: Record<string, unknown> = {}) => call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty, side: 'buy', type: 'market', time_in_force: 'day', ...extra });
  const restingBuy = (qty: string, price = '189.50', extra: Record<string, unknown> = {}) =>
    call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty, side: 'buy', type: 'limit', limit_price: price, time_in_force: 'gtc', ...extra });

  describe('authentication', () => {
    test('refuses missing, wrong and other-environment keys with 401 40110000, as Alpaca does', async () => {
      const bodyOf = { code: 40110000, message: 'request is not authorized' };
      const none = await fetch(`${server.baseUrl}/v2/account`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual(bodyOf);
      for (const keys of [
        { key: KEY, secret: 'wrong' },
        { key: 'PKUNKNOWN', secret: SECRET },
        // A live key on the paper endpoint.
        { key: 'AKLIVEKEY', secret: 'live-secret' },
      ]) {
        const r = await call(server, 'GET', '/v2/account', undefined, keys);
        expect([r.status, r.body]).toEqual([401, bodyOf]);
      }
      // Nothing was applied for a refused request.
      const r = await call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }, { key: KEY, secret: 'wrong' });
      expect(r.status).toBe(401);
      expect(sim.orders(ACCOUNT)).toHaveLength(0);
    });

    test('the account, with every amount a decimal string', async () => {
      const r = await call(server, 'GET', '/v2/account');
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'ACTIVE', currency: 'USD', cash: '100000', equity: '100000', multiplier: '2', buying_power: '200000', long_market_value: '0' });
      expect(r.body.id).toMatch(UUID);
      for (const field of ['cash', 'equity', 'buying_power', 'portfolio_value', 'initial_margin', 'maintenance_margin', 'last_equity']) expect(typeof r.body[field]).toBe('string');
    });
  });

  describe('orders', () => {
    test('a market order fills against the book and reads back by id and by client order id', async () => {
      const r = await buy('150', { client_order_id: 'my-order-1' });
      expect(r.status).toBe(200);
      const o = r.body;
      expect(o).toMatchObject({
        client_order_id: 'my-order-1',
        symbol: 'AAPL',
        asset_class: 'us_equity',
        qty: '150',
        filled_qty: '150',
        // 100 at 190.01 and 50 at 190.02, exactly.
        filled_avg_price: '190.013333333333',
        order_type: 'market',
        type: 'market',
        side: 'buy',
        time_in_force: 'day',
        limit_price: null,
        stop_price: null,
        status: 'filled',
        replaces: null,
        replaced_by: null,
      });
      expect(o.id).toMatch(UUID);
      expect(o.asset_id).toMatch(UUID);
      for (const f of ['created_at', 'updated_at', 'submitted_at', 'filled_at']) expect(o[f]).toMatch(RFC3339);
      expect((await call(server, 'GET', `/v2/orders/${o.id}`)).body).toEqual(o);
      expect((await call(server, 'GET', '/v2/orders:by_client_order_id?client_order_id=my-order-1')).body).toEqual(o);
      const missing = await call(server, 'GET', '/v2/orders:by_client_order_id?client_order_id=nope');
      expect([missing.status, missing.body]).toEqual([404, { code: 40410000, message: 'order not found' }]);
    });

    test('limit, stop and stop-limit orders rest; IOC and FOK do not', async () => {
      const limit = await restingBuy('10');
      expect(limit.body).toMatchObject({ status: 'new', limit_price: '189.5', filled_qty: '0', filled_avg_price: null });
      const stop = await call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '5', side: 'buy', type: 'stop', stop_price: '195', time_in_force: 'gtc' });
      expect(stop.body).toMatchObject({ status: 'new', type: 'stop', stop_price: '195', limit_price: null });
      const stopLimit = await call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '5', side: 'sell', type: 'stop_limit', stop_price: '185', limit_price: '184.5', time_in_force: 'day' });
      expect(stopLimit.body).toMatchObject({ status: 'new', type: 'stop_limit', stop_price: '185', limit_price: '184.5', time_in_force: 'day' });
      const ioc = await restingBuy('10', '189.50', { time_in_force: 'ioc' });
      expect(ioc.body).toMatchObject({ time_in_force: 'ioc', filled_qty: '0' });
      expect(['canceled', 'expired']).toContain(ioc.body.status);
      // FOK for more than the ask shows at the limit: the simulator's engine refuses it before it
      // exists (Alpaca would accept it and then cancel it): 422, and no order.
      const fok = await restingBuy('150', '190.01', { time_in_force: 'fok' });
      expect([fok.status, fok.body.code]).toEqual([422, 42210000]);
      expect(fok.body.message).toMatch(/fill-or-kill/);
      const fokFilled = await restingBuy('100', '190.01', { time_in_force: 'fok' });
      expect(fokFilled.body).toMatchObject({ status: 'filled', filled_qty: '100', time_in_force: 'fok' });
      const openIds = (await call(server, 'GET', '/v2/orders')).body.map((o: { id: string }) => o.id);
      expect(new Set(openIds)).toEqual(new Set([limit.body.id, stop.body.id, stopLimit.body.id]));
    });

    test('a client_order_id used before is refused with 422 40010001, and nothing is placed', async () => {
      expect((await restingBuy('10', '189.50', { client_order_id: 'dup' })).status).toBe(200);
      const again = await buy('1', { client_order_id: 'dup' });
      expect([again.status, again.body]).toEqual([422, { code: 40010001, message: 'client_order_id must be unique' }]);
      expect(sim.orders(ACCOUNT)).toHaveLength(1);
    });

    test('parameters outside their documented domain are 422 42210000 naming the parameter; a body that is not JSON is 400 40010000', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ symbol: 'AAPL', side: 'buy', type: 'market', time_in_force: 'day' }, /qty is required/],
        [{ symbol: 'AAPL', qty: '-1', side: 'buy', type: 'market', time_in_force: 'day' }, /qty must be > 0/],
        [{ symbol: 'AAPL', qty: '1', side: 'hold', type: 'market', time_in_force: 'day' }, /side/],
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'day' }, /limit_price is required/],
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'stop', time_in_force: 'day' }, /stop_price is required/],
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'opg' }, /time_in_force/],
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'trailing_stop', trail_percent: '1', time_in_force: 'day' }, /trail_percent is not supported/],
        [{ symbol: 'AAPL', notional: '500', side: 'buy', type: 'market', time_in_force: 'day' }, /notional/],
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'x'.repeat(129) }, /no more than 128 characters/],
        [{ symbol: 'ZZZZ', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }, /asset "ZZZZ" not found/],
        // The simulator's own rules: cents and whole shares.
        [{ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '189.505', time_in_force: 'day' }, /tick size/],
        [{ symbol: 'AAPL', qty: '1.5', side: 'buy', type: 'market', time_in_force: 'day' }, /lot size/],
      ];
      for (const [body, message] of cases) {
        const r = await call(server, 'POST', '/v2/orders', body);
        expect([r.status, r.body.code]).toEqual([422, 42210000]);
        expect(r.body.message).toMatch(message);
      }
      const bad = await call(server, 'POST', '/v2/orders', '{"symbol": "AAPL", ');
      expect([bad.status, bad.body]).toEqual([400, { code: 40010000, message: 'request body format is invalid' }]);
      // A 128-character id is fine.
      expect((await buy('1', { client_order_id: 'y'.repeat(128) })).status).toBe(200);
      expect(sim.orders(ACCOUNT)).toHaveLength(1);
    });

    test('an order the account cannot afford is 403 40310000 with its buying power and cost basis', async () => {
      const r = await restingBuy('2000', '189.50');
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ code: 40310000, message: 'insufficient buying power', buying_power: '200000', cost_basis: '379000' });
      expect(sim.orders(ACCOUNT)).toHaveLength(0);
    });

    test('cancel: 204, then 422 once it is no longer open, 404 for an unknown id; cancel-all answers 207 per order', async () => {
      const o = (await restingBuy('10')).body;
      const r = await call(server, 'DELETE', `/v2/orders/${o.id}`);
      expect([r.status, r.body]).toEqual([204, undefined]);
      expect((await call(server, 'GET', `/v2/orders/${o.id}`)).body).toMatchObject({ status: 'canceled', canceled_at: expect.stringMatching(RFC3339) });
      const again = await call(server, 'DELETE', `/v2/orders/${o.id}`);
      expect([again.status, again.body]).toEqual([422, { code: 42210000, message: 'order is already in "canceled" state' }]);
      const filled = (await buy('1')).body;
      expect((await call(server, 'DELETE', `/v2/orders/${filled.id}`)).body).toEqual({ code: 42210000, message: 'order is already in "filled" state' });
      const unknown = await call(server, 'DELETE', '/v2/orders/00000000-0000-4000-8000-000000000000');
      expect([unknown.status, unknown.body]).toEqual([404, { code: 40410000, message: 'order not found' }]);
      expect((await call(server, 'GET', '/v2/orders/not-a-uuid')).status).toBe(422);

      const a = (await restingBuy('1', '189.00')).body;
      const b = (await restingBuy('2', '188.00')).body;
      const all = await call(server, 'DELETE', '/v2/orders');
      expect(all.status).toBe(207);
      expect(all.body.map((x: { id: string; status: number; body: { status: string } }) => [x.id, x.status, x.body.status]).sort()).toEqual(
        [
          [a.id, 200, 'canceled'],
          [b.id, 200, 'canceled'],
        ].sort(),
      );
      expect((await call(server, 'GET', '/v2/orders')).body).toEqual([]);
    });

    test('replace (PATCH) makes a new order that replaces the old one; the old one reads replaced', async () => {
      const stream = await listeningClient(server);
      open.push(stream);
      const old = (await restingBuy('10', '189.50', { client_order_id: 'r-1' })).body;
      const r = await call(server, 'PATCH', `/v2/orders/${old.id}`, { limit_price: '189.60', qty: '12', client_order_id: 'r-1.r1' });
      expect(r.status).toBe(200);
      const replacement = r.body;
      expect(replacement).toMatchObject({ client_order_id: 'r-1.r1', replaces: old.id, replaced_by: null, limit_price: '189.6', qty: '12', status: 'new', side: 'buy', type: 'limit' });
      expect(replacement.id).not.toBe(old.id);
      const before = (await call(server, 'GET', `/v2/orders/${old.id}`)).body;
      expect(before).toMatchObject({ status: 'replaced', replaced_by: replacement.id, replaced_at: expect.stringMatching(RFC3339), canceled_at: null });
      // Only the replacement is open, and the old one is closed.
      expect((await call(server, 'GET', '/v2/orders')).body.map((o: { id: string }) => o.id)).toEqual([replacement.id]);
      expect((await call(server, 'GET', '/v2/orders?status=closed')).body.map((o: { id: string }) => o.id)).toEqual([old.id]);
      // A replaced order cannot be replaced or cancelled again.
      expect((await call(server, 'PATCH', `/v2/orders/${old.id}`, { limit_price: '189.70' })).status).toBe(422);
      expect((await call(server, 'DELETE', `/v2/orders/${old.id}`)).body.message).toBe('order is already in "replaced" state');
      // Without a qty the replacement carries on with what is left; without a client id Alpaca makes one.
      const third = (await call(server, 'PATCH', `/v2/orders/${replacement.id}`, { limit_price: '189.70' })).body;
      expect(third).toMatchObject({ qty: '12', replaces: replacement.id, limit_price: '189.7' });
      expect(third.client_order_id).toMatch(UUID);
      // A client id in use is refused, and the order stays as it was.
      expect((await call(server, 'PATCH', `/v2/orders/${third.id}`, { limit_price: '189.80', client_order_id: 'r-1' })).body.code).toBe(40010001);
      expect((await call(server, 'GET', `/v2/orders/${third.id}`)).body.status).toBe('new');

      const events = await stream.next('trade_updates', 5);
      expect(events.map((e) => [e.event, e.order.id])).toEqual([
        ['new', old.id],
        ['new', replacement.id],
        ['replaced', old.id],
        ['new', third.id],
        ['replaced', replacement.id],
      ]);
      expect(events[2].order.replaced_by).toBe(replacement.id);
    });

    test('a replacement the account cannot afford is refused and the old order keeps working', async () => {
      const old = (await restingBuy('10', '189.50')).body;
      const r = await call(server, 'PATCH', `/v2/orders/${old.id}`, { qty: '5000' });
      expect(r.status).toBe(403);
      expect((await call(server, 'GET', `/v2/orders/${old.id}`)).body).toMatchObject({ status: 'new', replaced_by: null });
      expect(sim.openOrders(ACCOUNT)).toHaveLength(1);
    });

    test('listing: status, symbols, side, direction, limit, after and until (exclusive, by submission time)', async () => {
      const a = (await restingBuy('1', '189.00')).body;
      const b = (await call(server, 'POST', '/v2/orders', { symbol: 'BRK.B', qty: '1', side: 'buy', type: 'limit', limit_price: '400', time_in_force: 'gtc' })).body;
      const c = (await buy('1')).body;
      const ids = (path: string) => call(server, 'GET', path).then((r) => r.body.map((o: { id: string }) => o.id));
      expect(b.symbol).toBe('BRK.B');
      expect(await ids('/v2/orders')).toEqual([b.id, a.id]);
      expect(await ids('/v2/orders?status=closed')).toEqual([c.id]);
      expect(await ids('/v2/orders?status=all')).toEqual([c.id, b.id, a.id]);
      expect(await ids('/v2/orders?status=all&direction=asc')).toEqual([a.id, b.id, c.id]);
      expect(await ids('/v2/orders?status=all&limit=2')).toEqual([c.id, b.id]);
      expect(await ids('/v2/orders?status=all&symbols=BRK.B')).toEqual([b.id]);
      expect(await ids('/v2/orders?status=all&symbols=AAPL,MSFT')).toEqual([c.id, a.id]);
      expect(await ids('/v2/orders?status=all&side=sell')).toEqual([]);
      expect(await ids(`/v2/orders?status=all&after=${encodeURIComponent(a.submitted_at)}`)).toEqual([c.id, b.id]);
      expect(await ids(`/v2/orders?status=all&until=${encodeURIComponent(c.submitted_at)}`)).toEqual([b.id, a.id]);
      expect((await call(server, 'GET', '/v2/orders?limit=501')).status).toBe(422);
      expect((await call(server, 'GET', '/v2/orders?status=pending')).status).toBe(422);
    });
  });

  describe('positions, activities and assets', () => {
    test('positions are the fold of the fills; each fill is an activity that pages with after, until and page_token', async () => {
      await buy('150');
      await call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '50', side: 'sell', type: 'market', time_in_force: 'day' });
      const positions = (await call(server, 'GET', '/v2/positions')).body;
      expect(positions).toHaveLength(1);
      // Bought 100 @ 190.01 and 50 @ 190.02, sold 50 @ 189.99: 100 left at the average cost.
      expect(positions[0]).toMatchObject({ symbol: 'AAPL', qty: '100', side: 'long', avg_entry_price: '190.013333333333', asset_class: 'us_equity', exchange: 'NASDAQ' });
      expect((await call(server, 'GET', '/v2/positions/AAPL')).body).toEqual(positions[0]);
      expect((await call(server, 'GET', `/v2/positions/${positions[0].asset_id}`)).body).toEqual(positions[0]);
      const none = await call(server, 'GET', '/v2/positions/MSFT');
      expect([none.status, none.body]).toEqual([404, { code: 40410000, message: 'position does not exist' }]);

      const fills = (await call(server, 'GET', '/v2/account/activities/FILL?direction=asc')).body;
      expect(fills.map((f: any) => [f.side, f.qty, f.price, f.cum_qty, f.leaves_qty, f.type])).toEqual([
        ['buy', '100', '190.01', '100', '50', 'partial_fill'],
        ['buy', '50', '190.02', '150', '0', 'fill'],
        ['sell', '50', '189.99', '50', '0', 'fill'],
      ]);
      for (const f of fills) {
        expect(f.id).toMatch(/^\d{17}::[0-9a-f-]{36}$/);
        expect(f).toMatchObject({ activity_type: 'FILL', symbol: 'AAPL', transaction_time: expect.stringMatching(RFC3339), order_id: expect.stringMatching(UUID) });
      }
      // Net position = Σ signed fills.
      const net = fills.reduce((s: ReturnType<typeof dec>, f: any) => (f.side === 'buy' ? s.add(f.qty) : s.sub(f.qty)), dec(0));
      expect(net.toString()).toBe(positions[0].qty);
      // Default direction is newest first; pages follow page_token.
      const desc = (await call(server, 'GET', '/v2/account/activities/FILL')).body;
      expect(desc.map((f: any) => f.id)).toEqual([...fills].reverse().map((f: any) => f.id));
      const page1 = (await call(server, 'GET', '/v2/account/activities/FILL?direction=asc&page_size=2')).body;
      const page2 = (await call(server, 'GET', `/v2/account/activities/FILL?direction=asc&page_size=2&page_token=${encodeURIComponent(page1[1].id)}`)).body;
      expect([...page1, ...page2].map((f: any) => f.id)).toEqual(fills.map((f: any) => f.id));
      const sellTime = fills[2].transaction_time;
      const before = parseRfc3339Nanos(sellTime)! - 1n;
      const after = (await call(server, 'GET', `/v2/account/activities/FILL?direction=asc&after=${encodeURIComponent(new Date(Number(before / 1_000_000n)).toISOString())}`)).body;
      expect(after.map((f: any) => f.id)).toContain(fills[2].id);
      const until = (await call(server, 'GET', `/v2/account/activities/FILL?direction=asc&until=${encodeURIComponent(sellTime)}`)).body;
      expect(until.map((f: any) => f.id)).not.toContain(fills[2].id);
      expect((await call(server, 'GET', '/v2/account/activities?activity_types=FILL&direction=asc')).body).toEqual(fills);
      expect((await call(server, 'GET', '/v2/account/activities?activity_types=DIV')).body).toEqual([]);
      // The account marks the position at the mid.
      expect((await call(server, 'GET', '/v2/account')).body).toMatchObject({ long_market_value: '19000.5', cash: '80997.5' });
    });

    test('a short position reads negative and side short', async () => {
      await call(server, 'POST', '/v2/orders', { symbol: 'AAPL', qty: '30', side: 'sell', type: 'market', time_in_force: 'day' });
      expect((await call(server, 'GET', '/v2/positions/AAPL')).body).toMatchObject({ qty: '-30', side: 'short', avg_entry_price: '189.99', cost_basis: '-5699.7' });
    });

    test('assets carry the trading rules; BRK.B is the simulator\'s BRK-B; unknown assets are 404', async () => {
      const a = (await call(server, 'GET', '/v2/assets/AAPL')).body;
      expect(a).toMatchObject({ symbol: 'AAPL', class: 'us_equity', status: 'active', tradable: true, price_increment: '0.01', min_trade_increment: '1', min_order_size: '1', fractionable: false });
      expect((await call(server, 'GET', `/v2/assets/${a.id}`)).body).toEqual(a);
      expect((await call(server, 'GET', '/v2/assets/BRK.B')).body.symbol).toBe('BRK.B');
      const none = await call(server, 'GET', '/v2/assets/ZZZZ');
      expect([none.status, none.body.code]).toEqual([404, 40410000]);
    });
  });

  describe('rate limit', () => {
    test('past the account\'s requests per interval a raw client gets 429 42910000 with the reset time', async () => {
      await server.close();
      ({ sim, server } = await startServer({ rateLimit: { requests: 5, intervalMs: 60_000 } }));
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await call(server, 'GET', '/v2/account')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const r = await call(server, 'GET', '/v2/account');
      expect(r.body).toEqual({ code: 42910000, message: 'rate limit exceeded' });
      expect(r.headers.get('x-ratelimit-limit')).toBe('5');
      expect(Number(r.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
      // A refused request is not applied.
      expect((await buy('1')).status).toBe(429);
      expect(sim.orders(ACCOUNT)).toHaveLength(0);
    });
  });

  describe('trade_updates stream', () => {
    test('auth, listen, then new / fill / partial_fill / canceled events in binary frames, with execution ids matching the activities', async () => {
      const client = await StreamClient.open(server.streamUrl);
      open.push(client);
      client.send({ action: 'listen', data: { streams: ['trade_updates'] } });
      expect((await client.next('authorization'))[0]).toEqual({ action: 'listen', status: 'unauthorized' });
      client.send({ action: 'auth', key: KEY, secret: 'wrong' });
      expect((await client.next('authorization', 2))[1]).toMatchObject({ action: 'authenticate', status: 'unauthorized' });
      client.send({ action: 'auth', key: KEY, secret: SECRET });
      expect((await client.next('authorization', 3))[2]).toEqual({ action: 'authenticate', status: 'authorized' });
      client.send({ action: 'listen', data: { streams: ['trade_updates', 'account_updates'] } });
      expect((await client.next('listening'))[0]).toEqual({ streams: ['trade_updates'] });

      const resting = (await restingBuy('300', '189.99')).body;
      const market = (await buy('150')).body;
      await call(server, 'DELETE', `/v2/orders/${resting.id}`);
      await client.next('trade_updates', 5);
      const events = client.of('trade_updates');
      const of = (id: string) => events.filter((e) => e.order.id === id).map((e) => e.event);
      expect(of(resting.id)).toEqual(['new', 'canceled']);
      // Alpaca sends new, then the fills.
      expect(of(market.id)).toEqual(['new', 'partial_fill', 'fill']);
      const fillEvents = events.filter((e) => e.event === 'fill' || e.event === 'partial_fill');
      expect(fillEvents.map((e) => [e.price, e.qty, e.position_qty])).toEqual([
        ['190.01', '100', '100'],
        ['190.02', '50', '150'],
      ]);
      const activities = (await call(server, 'GET', '/v2/account/activities/FILL?direction=asc')).body;
      expect(fillEvents.map((e) => e.execution_id)).toEqual(activities.map((a: { id: string }) => a.id.split('::')[1]));
      for (const e of events) {
        expect(e.timestamp).toMatch(RFC3339);
        expect(e.execution_id).toMatch(UUID);
      }
      expect(client.frames.every((f) => f.binary)).toBe(true);
    });

    test('the older authenticate action and text frames are supported', async () => {
      await server.close();
      ({ sim, server } = await startServer({ streamFrames: 'text' }));
      const client = await StreamClient.open(server.streamUrl);
      open.push(client);
      client.send({ action: 'authenticate', data: { key_id: KEY, secret_key: SECRET } });
      expect((await client.next('authorization'))[0].status).toBe('authorized');
      client.send({ action: 'listen', data: { streams: ['trade_updates'] } });
      await client.next('listening');
      await buy('1');
      await client.next('trade_updates', 2);
      expect(client.frames.every((f) => !f.binary)).toBe(true);
    });

    test('DAY orders expire at the end of the day; an empty listen stops updates', async () => {
      const client = await listeningClient(server);
      open.push(client);
      const day = (await restingBuy('5', '189.00', { time_in_force: 'day' })).body;
      sim.expireDayOrders();
      const events = await client.next('trade_updates', 2);
      expect(events[1]).toMatchObject({ event: 'expired', order: { id: day.id, status: 'expired', expired_at: expect.stringMatching(RFC3339) } });
      client.send({ action: 'listen', data: { streams: [] } });
      await client.next('listening', 2);
      await buy('1');
      await new Promise((r) => setTimeout(r, 100));
      expect(client.of('trade_updates')).toHaveLength(2);
    });
  });

  describe('fault injection', () => {
    test('a 5xx is not applied; a drop before applying is not; a drop after applying is (the client cannot tell)', async () => {
      server.faults.fail(503, { method: 'POST', path: '/v2/orders' });
      const failed = await buy('1', { client_order_id: 'f-1' });
      expect(failed.status).toBe(503);
      expect(sim.order(ACCOUNT, { clientOrderId: 'f-1' })).toBeUndefined();

      server.faults.drop('before', { method: 'POST' });
      await expect(buy('1', { client_order_id: 'f-2' })).rejects.toThrow();
      expect(sim.order(ACCOUNT, { clientOrderId: 'f-2' })).toBeUndefined();

      server.faults.drop('after', { method: 'POST' });
      await expect(buy('1', { client_order_id: 'f-3' })).rejects.toThrow();
      expect(sim.order(ACCOUNT, { clientOrderId: 'f-3' })?.status).toBe('filled');
      expect((await call(server, 'GET', '/v2/orders:by_client_order_id?client_order_id=f-3')).body.status).toBe('filled');
      expect(server.faults.fired).toBe(3);
    });

    test('delays, 429 bursts, and delayed stream events that keep their order', async () => {
      server.faults.delay(300, { method: 'GET', path: '/v2/account' });
      const t0 = Date.now();
      await call(server, 'GET', '/v2/account');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);

      server.faults.rateLimit({ times: 2 });
      expect([(await call(server, 'GET', '/v2/account')).status, (await call(server, 'GET', '/v2/account')).status, (await call(server, 'GET', '/v2/account')).status]).toEqual([429, 429, 200]);

      const client = await listeningClient(server);
      open.push(client);
      server.faults.delayStream(300);
      const sent = Date.now();
      const a = (await restingBuy('1', '189.00')).body;
      server.faults.delayStream(0);
      const b = (await restingBuy('1', '188.00')).body;
      await client.next('trade_updates', 2);
      expect(Date.now() - sent).toBeGreaterThanOrEqual(290);
      expect(client.of('trade_updates').map((e) => e.order.id)).toEqual([a.id, b.id]);
    });

    test('dropStreams cuts every stream connection; REST keeps working', async () => {
      const client = await listeningClient(server);
      open.push(client);
      const closed = new Promise((resolve) => client.socket.once('close', resolve));
      server.dropStreams();
      await closed;
      await waitFor('the server to forget the connection', () => server.streamConnections === 0);
      expect((await call(server, 'GET', '/v2/account')).status).toBe(200);
    });
  });

  test('the market moving through a resting order fills it, and the stream says so', async () => {
    const client = await listeningClient(server);
    open.push(client);
    const o = (await restingBuy('10', '189.99')).body;
    // Sellers hit the bid: the mirrored 100 ahead of us at 189.99 and then our 10.
    sim.applyMarketTrade('AAPL', { price: dec('189.99'), quantity: dec(300), aggressor: 'SELL' });
    quote(sim, 'AAPL', '189.50', '189.52');
    const events = await waitFor('the fill event', () => client.of('trade_updates').find((e) => e.event === 'fill'));
    expect(events).toMatchObject({ order: { id: o.id, status: 'filled', filled_qty: '10' }, price: '189.99', qty: '10', position_qty: '10' });
  });
});
