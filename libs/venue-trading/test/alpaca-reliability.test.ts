import { dec } from '@meridian/domain';
import { TcpProxy, waitFor } from '@meridian/testkit';
import { AlpacaTradingVenue } from '../src';
import type { VenueEvent, VenueOrderRequest } from '../src';
import { ACCOUNT, KEY, SECRET, fills, harness, orderEvents, raw } from './support/alpaca';
import type { Harness } from './support/alpaca';

const limitBuy = (clientOrderId: string, price = '189.50'): VenueOrderRequest => ({
  clientOrderId,
  symbol: 'AAPL',
  side: 'BUY',
  type: 'limit',
  quantity: dec(10),
  limitPrice: dec(price),
  timeInForce: 'GTC',
});

const marketBuy = (clientOrderId: string, quantity = 10): VenueOrderRequest => ({
  clientOrderId,
  symbol: 'AAPL',
  side: 'BUY',
  type: 'market',
  quantity: dec(quantity),
  timeInForce: 'DAY',
});

describe('AlpacaTradingVenue: retries, doubt and reconnects against injected faults', () => {
  let h: Harness;

  afterEach(async () => {
    await h.close();
  });

  describe('submits', () => {
    beforeEach(async () => {
      h = await harness();
    });

    test('the connection dropped after the order was placed: resolved by its client id, exactly one order', async () => {
      h.server.faults.drop('after', { method: 'POST', path: '/v2/orders' });
      const outcome = await h.venue.submit(marketBuy('drop-after'));
      expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'drop-after', status: 'filled' } });
      expect(h.server.faults.fired).toBe(1);
      expect(h.sim.orders(ACCOUNT).filter((o) => o.clientOrderId === 'drop-after')).toHaveLength(1);
      expect(h.sim.orders(ACCOUNT)).toHaveLength(1);
    });

    test('the connection dropped before the order reached the venue: sent again with the same id, exactly one order', async () => {
      h.server.faults.drop('before', { method: 'POST', path: '/v2/orders', times: 2 });
      const outcome = await h.venue.submit(limitBuy('drop-before'));
      expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'drop-before', status: 'new' } });
      expect(h.server.faults.fired).toBe(2);
      expect(h.sim.orders(ACCOUNT)).toHaveLength(1);
    });

    test('a 503 is read back and sent again; a 429 waits and tries again: one order each', async () => {
      h.server.faults.fail(503, { method: 'POST', path: '/v2/orders' });
      expect(await h.venue.submit(limitBuy('after-503'))).toMatchObject({ kind: 'accepted' });
      h.server.faults.rateLimit({ method: 'POST', path: '/v2/orders', times: 2 });
      expect(await h.venue.submit(limitBuy('after-429', '189.40'))).toMatchObject({ kind: 'accepted' });
      expect(h.sim.orders(ACCOUNT).map((o) => o.clientOrderId).sort()).toEqual(['after-429', 'after-503']);
    });

    test('a timeout while the venue is slow: the read finds nothing yet, the resend places it, the slow original is refused as a duplicate', async () => {
      await h.close();
      h = await harness({ venue: { requestTimeoutMs: 300 } });
      h.server.faults.delay(800, { method: 'POST', path: '/v2/orders' });
      const outcome = await h.venue.submit(limitBuy('slow'));
      expect(outcome).toMatchObject({ kind: 'accepted', order: { clientOrderId: 'slow' } });
      // Let the delayed first request reach the venue too.
      await new Promise((r) => setTimeout(r, 900));
      expect(h.sim.orders(ACCOUNT)).toHaveLength(1);
    });

    test('no venue at all: in_doubt, never a guess, and the message names no credential', async () => {
      await h.close();
      h = await harness({ venue: { requestTimeoutMs: 200, retry: { attempts: 3, backoff: { initialMs: 10, maxMs: 20, factor: 2 } } } });
      const proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: h.server.port });
      try {
        const venue = new AlpacaTradingVenue({
          key: KEY,
          secret: SECRET,
          environment: 'paper',
          symbols: ['AAPL'],
          baseUrl: `http://127.0.0.1:${proxy.port}`,
          requestTimeoutMs: 200,
          retry: { attempts: 3, backoff: { initialMs: 10, maxMs: 20, factor: 2 } },
        });
        proxy.cut('hold');
        const held = await venue.submit(limitBuy('partitioned'));
        expect(held.kind).toBe('in_doubt');
        proxy.restore();
        proxy.cut('reset');
        const reset = await venue.submit(limitBuy('refused'));
        expect(reset.kind).toBe('in_doubt');
        for (const o of [held, reset]) {
          expect(JSON.stringify(o)).not.toContain(SECRET);
          expect(JSON.stringify(o)).not.toContain(KEY);
        }
        const cancel = await venue.cancel({ clientOrderId: 'partitioned', symbol: 'AAPL' });
        expect(cancel.kind).toBe('in_doubt');
        await expect(venue.positions()).rejects.toThrow(/alpaca GET \/v2\/positions failed/);
        // Once the path is back, the doubt resolves by client id: nothing was placed.
        proxy.restore();
        expect(await venue.order({ clientOrderId: 'partitioned', symbol: 'AAPL' })).toBeUndefined();
        await venue.close();
      } finally {
        await proxy.stop();
      }
    });
  });

  describe('cancels, amends and reads', () => {
    beforeEach(async () => {
      h = await harness();
      await h.venue.start();
    });

    test('a cancel whose answer is lost after it was applied is resolved by reading the order', async () => {
      await h.venue.submit(limitBuy('c-1'));
      h.server.faults.drop('after', { method: 'DELETE' });
      expect(await h.venue.cancel({ clientOrderId: 'c-1', symbol: 'AAPL' })).toMatchObject({ kind: 'accepted', order: { status: 'cancelled' } });
      expect(h.server.faults.fired).toBe(1);
    });

    test('an amend whose answer is lost after it was applied replaces once, not twice', async () => {
      await h.venue.submit(limitBuy('am-1'));
      h.server.faults.drop('after', { method: 'PATCH' });
      expect(await h.venue.amend({ clientOrderId: 'am-1', symbol: 'AAPL' }, { limitPrice: dec('189.60') })).toMatchObject({
        kind: 'accepted',
        order: { clientOrderId: 'am-1', limitPrice: dec('189.6') },
      });
      const orders = (await raw(h.server, 'GET', '/v2/orders?status=all&direction=asc')).body;
      expect(orders.map((o: any) => [o.client_order_id, o.status])).toEqual([
        ['am-1', 'replaced'],
        ['am-1.r1', 'new'],
      ]);
    });

    test('reads retry 5xx, 429 and dropped connections', async () => {
      await h.venue.submit(marketBuy('r-1'));
      h.server.faults.fail(502, { method: 'GET', path: '/v2/positions' });
      h.server.faults.rateLimit({ method: 'GET', path: '/v2/positions' });
      h.server.faults.drop('before', { method: 'GET', path: '/v2/positions' });
      expect(await h.venue.positions()).toMatchObject([{ symbol: 'AAPL', quantity: dec(10) }]);
      expect(h.server.faults.fired).toBe(3);
    });
  });

  describe('rate limit', () => {
    test('the adapter queues within the limit where a raw client earns 429s', async () => {
      // A little headroom below the venue's limit, as a client should keep: the first requests of a
      // burst (new connections) reach the venue later than the ones after them, so an identical
      // window can still be a token short at the venue.
      h = await harness({ server: { rateLimit: { requests: 10, intervalMs: 1_000 } }, venue: { rateLimit: { requests: 9, intervalMs: 1_000 } } });
      const results = await Promise.all(Array.from({ length: 25 }, () => h.venue.balances()));
      expect(results).toHaveLength(25);
      expect(h.logs.filter((l) => l.includes('429'))).toEqual([]);
      // The same burst from a plain client.
      await new Promise((r) => setTimeout(r, 1_100));
      const statuses = await Promise.all(Array.from({ length: 25 }, () => raw(h.server, 'GET', '/v2/account').then((r) => r.status)));
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    });

    test('with a window identical to the venue\'s, any 429 at the edge is waited out and nothing fails', async () => {
      const limit = { requests: 10, intervalMs: 1_000 };
      h = await harness({ server: { rateLimit: limit }, venue: { rateLimit: limit } });
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => h.venue.submit(limitBuy(`rl-${i}`, '189.00'))));
      expect(results.map((r) => r.kind)).toEqual(Array(25).fill('accepted'));
      expect(h.sim.orders(ACCOUNT)).toHaveLength(25);
    });
  });

  describe('the trade_updates stream', () => {
    test('fills and cancels while the stream was cut are caught up after it reconnects, each fill once', async () => {
      h = await harness();
      const proxy = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: h.server.port });
      const events: VenueEvent[] = [];
      const venue = new AlpacaTradingVenue({
        key: KEY,
        secret: SECRET,
        environment: 'paper',
        symbols: ['AAPL'],
        baseUrl: h.server.baseUrl,
        streamUrl: `ws://127.0.0.1:${proxy.port}/stream`,
        retry: { attempts: 5, backoff: { initialMs: 20, maxMs: 100, factor: 2 } },
        stream: { backoff: { initialMs: 50, maxMs: 200, factor: 2 } },
      });
      venue.onEvent((e) => events.push(e));
      try {
        await venue.start();
        await venue.submit(limitBuy('resting', '189.99'));
        await venue.submit(limitBuy('to-cancel', '189.00'));
        await venue.submit(marketBuy('before-cut', 5));
        await waitFor('the fill before the cut', () => fills(events).length === 1);

        proxy.cut('reset');
        await waitFor('the adapter to see the cut', () => events.some((e) => e.kind === 'connection' && !e.connected));
        // While the stream is down: the market trades through the resting order, and another order is cancelled by hand.
        h.sim.applyMarketTrade('AAPL', { price: dec('189.99'), quantity: dec(300), aggressor: 'SELL' });
        const toCancel = (await raw(h.server, 'GET', '/v2/orders:by_client_order_id?client_order_id=to-cancel')).body;
        expect((await raw(h.server, 'DELETE', `/v2/orders/${toCancel.id}`)).status).toBe(204);
        expect(fills(events)).toHaveLength(1);

        proxy.restore();
        await waitFor('the missed fill', () => fills(events).some((e) => e.fill.clientOrderId === 'resting'));
        await waitFor('the missed cancel', () => orderEvents(events, 'to-cancel').some((e) => e.order.status === 'cancelled'));
        const missed = fills(events).find((e) => e.fill.clientOrderId === 'resting')!;
        expect(missed.fill).toMatchObject({ quantity: dec(10), price: dec('189.99'), side: 'BUY' });
        expect(missed.order).toMatchObject({ status: 'filled', filledQuantity: dec(10) });
        expect(venue.reconnects).toBeGreaterThanOrEqual(1);
        // Live events flow again, and nothing was reported twice.
        await venue.submit(marketBuy('after', 3));
        await waitFor('the fill after', () => fills(events).some((e) => e.fill.clientOrderId === 'after'));
        const ids = fills(events).map((e) => e.fill.tradeId);
        expect(new Set(ids).size).toBe(ids.length);
        expect(ids.sort()).toEqual((await venue.fillsSince(0n)).map((f) => f.tradeId).sort());
        const positions = await venue.positions();
        expect(positions).toMatchObject([{ symbol: 'AAPL', quantity: dec(18) }]);
      } finally {
        await venue.close();
        await proxy.stop();
      }
    });

    test('the server dropping the stream: the adapter reconnects and keeps its events in order under a delayed stream', async () => {
      h = await harness();
      await h.venue.start();
      h.server.dropStreams();
      await waitFor('a reconnect', () => h.venue.reconnects >= 1 && h.server.streamConnections === 1);
      await waitFor('listening again', () => h.events.filter((e) => e.kind === 'connection' && e.connected).length >= 2);
      h.server.faults.delayStream(200);
      await h.venue.submit(limitBuy('d-1'));
      await h.venue.submit(limitBuy('d-2', '189.40'));
      await h.venue.cancel({ clientOrderId: 'd-1', symbol: 'AAPL' });
      await waitFor('three order events', () => h.events.filter((e) => e.kind === 'order').length === 3);
      expect(h.events.filter((e) => e.kind === 'order').map((e) => e.kind === 'order' && [e.order.clientOrderId, e.order.status])).toEqual([
        ['d-1', 'new'],
        ['d-2', 'new'],
        ['d-1', 'cancelled'],
      ]);
    });
  });

  test('neither the key nor the secret appears in anything the adapter logs, throws, returns or emits', async () => {
    h = await harness({ venue: { requestTimeoutMs: 300, retry: { attempts: 2, backoff: { initialMs: 10, maxMs: 20, factor: 2 } } } });
    const written: string[] = [];
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => (written.push(String(chunk)), stdout(chunk, ...rest))) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => (written.push(String(chunk)), stderr(chunk, ...rest))) as typeof process.stderr.write;
    const seen: unknown[] = [];
    try {
      await h.venue.start();
      seen.push(await h.venue.submit(marketBuy('s-1')));
      h.server.faults.drop('after', { method: 'POST' });
      seen.push(await h.venue.submit(limitBuy('s-2')));
      h.server.faults.fail(500, { method: 'GET', times: 10 });
      await h.venue.positions().catch((err: unknown) => seen.push(err, (err as Error).message, (err as Error).stack));
      h.server.faults.clear();
      seen.push(await h.venue.submit(limitBuy('x'.repeat(200))));
      h.server.dropStreams();
      await waitFor('a reconnect', () => h.venue.reconnects >= 1);
      const wrong = new AlpacaTradingVenue({ key: 'PKWRONG', secret: 'wrong-secret', environment: 'paper', symbols: ['AAPL'], baseUrl: h.server.baseUrl });
      await wrong.start().catch((err: unknown) => seen.push((err as Error).message));
      await wrong.close();
      try {
        new AlpacaTradingVenue({ key: KEY, secret: SECRET, environment: 'paper', symbols: ['AAPL'], baseUrl: 'bad url' });
      } catch (err) {
        seen.push((err as Error).message);
      }
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    const everything = [...written, ...h.logs, ...seen.map((s) => (typeof s === 'string' ? s : JSON.stringify(s, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))), ...h.events.map((e) => JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))].join('\n');
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(KEY);
  });
});
