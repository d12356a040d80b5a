import { once } from 'node:events';
import { Decimal } from '@meridian/domain';
import { waitFor } from '@meridian/testkit';
import type { OkxServer, SimulatedVenue } from '../src';
import { DEMO, OTHER, WsClient, okx, orderPushes, startOkx } from './support/okx-sim';

const d = (v: string): Decimal => Decimal.parse(v);

describe('OKX server: private WebSocket', () => {
  let server: OkxServer;
  let sim: SimulatedVenue;
  const clients: WsClient[] = [];
  let seq = 0;
  const id = (): string => `w${Date.now()}${++seq}`;

  const connect = async (): Promise<WsClient> => {
    const c = await WsClient.connect(server.privateWsUrl);
    clients.push(c);
    return c;
  };
  const place = (order: Record<string, unknown>, key = DEMO) => okx(server, key, 'POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', ...order });

  beforeEach(async () => {
    ({ server, sim } = await startOkx());
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.close();
  });

  test('text ping is answered with pong', async () => {
    const c = await connect();
    c.send('ping');
    await waitFor('pong', () => c.frames.includes('pong'));
  });

  test('login as documented; every refusal has its code; subscribing before login is 60011', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] });
    expect(await c.next('not logged in', (f) => f.event === 'error')).toMatchObject({ event: 'error', code: '60011', msg: 'Please log in' });

    const cases: [Parameters<WsClient['login']>[1], string][] = [
      [{ sign: 'bm90IGEgc2lnbmF0dXJl' }, '60007'],
      [{ apiKey: 'nobody' }, '60005'],
      [{ passphrase: 'wrong' }, '60024'],
      [{ timestamp: String(Math.floor(Date.now() / 1000) - 60) }, '60006'],
      [{ timestamp: new Date().toISOString() }, '60004'],
    ];
    for (const [options, code] of cases) {
      const from = c.json.length;
      c.login(DEMO, options);
      expect(await c.next(`refusal ${code}`, (f) => f.event === 'error', from)).toMatchObject({ event: 'error', code });
    }
    const from = c.json.length;
    c.login(DEMO);
    const ok = await c.next('login', (f) => f.event === 'login', from);
    expect(ok).toMatchObject({ event: 'login', code: '0', msg: '' });
    expect(typeof ok.connId).toBe('string');
    expect(server.privateConnections).toEqual([{ connId: ok.connId, account: 'acct-1' }]);
  });

  test('orders channel: live, partial and full fills (fillSz, fillPx, tradeId, execType, fee), then canceled', async () => {
    const c = await connect();
    await c.loggedIn(DEMO);
    await c.subscribed({ channel: 'orders', instType: 'SPOT' });
    const clOrdId = id();
    const ordId = (await place({ side: 'sell', ordType: 'limit', px: '30000.1', sz: '0.5', clOrdId })).body.data[0]!.ordId as string;
    await waitFor('live push', () => orderPushes(c).find((o) => o.state === 'live'));
    // Outside trades at our price: the mirrored 1 BTC ahead of us trades first (queue), then us.
    sim.applyMarketTrade('BTC-USDT', { price: d('30000.1'), quantity: d('1.2'), aggressor: 'BUY' });
    await waitFor('a fill push', () => orderPushes(c).find((o) => o.fillSz !== '0'));
    sim.applyMarketTrade('BTC-USDT', { price: d('30000.1'), quantity: d('1'), aggressor: 'BUY' });
    await waitFor('filled push', () => orderPushes(c).find((o) => o.state === 'filled'));
    const pushes = orderPushes(c);
    expect(pushes[0]).toMatchObject({ instType: 'SPOT', instId: 'BTC-USDT', ordId, clOrdId, state: 'live', fillSz: '0', tradeId: '', accFillSz: '0', side: 'sell', ordType: 'limit', px: '30000.1', sz: '0.5' });
    const fills = pushes.filter((p) => p.fillSz !== '0');
    expect(fills.length).toBeGreaterThanOrEqual(2);
    let acc = Decimal.ZERO;
    for (const f of fills) {
      acc = acc.add(d(f.fillSz!));
      expect(f).toMatchObject({ ordId, clOrdId, fillPx: '30000.1', execType: 'M', feeCcy: 'USDT', fillFeeCcy: 'USDT' });
      expect(f.accFillSz).toBe(acc.toString());
      expect(f.tradeId).toMatch(/^\d+$/);
      expect(d(f.fillFee!).isNegative()).toBe(true);
      expect(d(f.fee!).isNegative()).toBe(true);
      expect(Number(f.fillTime)).toBeGreaterThan(0);
      expect(Number(f.uTime)).toBeGreaterThanOrEqual(Number(f.cTime));
    }
    expect(fills[0]!.state).toBe('partially_filled');
    expect(fills.at(-1)).toMatchObject({ state: 'filled', accFillSz: '0.5', avgPx: '30000.1' });
    expect(new Set(fills.map((f) => f.tradeId)).size).toBe(fills.length);

    const other = id();
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: other });
    await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: other });
    const canceled = await waitFor('canceled push', () => orderPushes(c).find((o) => o.clOrdId === other && o.state === 'canceled'));
    expect(canceled).toMatchObject({ cancelSource: '1', fillSz: '0' });
  });

  test('subscriptions are per instrument and per account; unsubscribe stops pushes', async () => {
    const btcOnly = await connect();
    await btcOnly.loggedIn(DEMO);
    await btcOnly.subscribed({ channel: 'orders', instType: 'SPOT', instId: 'BTC-USDT' });
    const otherAccount = await connect();
    await otherAccount.loggedIn(OTHER);
    await otherAccount.subscribed({ channel: 'orders', instType: 'ANY' });
    const eth = id();
    const btc = id();
    await okx(server, DEMO, 'POST', '/api/v5/trade/order', { instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1900', sz: '1', clOrdId: eth });
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: btc });
    await waitFor('btc push', () => orderPushes(btcOnly).find((o) => o.clOrdId === btc));
    const theirs = id();
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: theirs }, OTHER);
    await waitFor('their push', () => orderPushes(otherAccount).find((o) => o.clOrdId === theirs));
    expect(orderPushes(btcOnly).map((o) => o.clOrdId)).toEqual([btc]);
    expect(orderPushes(otherAccount).map((o) => o.clOrdId)).toEqual([theirs]);
    const arg = btcOnly.json.find((f) => Array.isArray(f.data))!.arg;
    expect(arg).toEqual({ channel: 'orders', instType: 'SPOT', instId: 'BTC-USDT', uid: 'acct-1' });

    const from = btcOnly.json.length;
    btcOnly.send({ op: 'unsubscribe', args: [{ channel: 'orders', instType: 'SPOT', instId: 'BTC-USDT' }] });
    await btcOnly.next('unsubscribed', (f) => f.event === 'unsubscribe', from);
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: id() });
    // The REST answer comes after the exchange reported the order, so a push would have been queued already.
    await new Promise((r) => setTimeout(r, 100));
    expect(orderPushes(btcOnly).map((o) => o.clOrdId)).toEqual([btc]);
  });

  test('account channel: a snapshot on subscribe, then the changed currencies', async () => {
    const c = await connect();
    await c.loggedIn(DEMO);
    await c.subscribed({ channel: 'account' });
    const snapshot = await c.next('snapshot', (f) => Array.isArray(f.data));
    const details = ((snapshot.data as Record<string, unknown>[])[0]!.details as Record<string, string>[]).map((b) => [b.ccy, b.cashBal, b.availBal]).sort();
    expect(details).toEqual([
      ['BTC', '2', '2'],
      ['USDT', '100000', '100000'],
    ]);
    const from = c.json.length;
    await place({ side: 'buy', ordType: 'limit', px: '20000', sz: '1', clOrdId: id() });
    const change = await c.next('change', (f) => Array.isArray(f.data), from);
    const usdt = ((change.data as Record<string, unknown>[])[0]!.details as Record<string, string>[]).find((b) => b.ccy === 'USDT')!;
    expect(d(usdt.frozenBal!).gte(d('20000'))).toBe(true);
  });

  test('errors: invalid JSON 60012, unknown channel 60018, no args 60013', async () => {
    const c = await connect();
    await c.loggedIn(DEMO);
    c.send('{not json');
    expect(await c.next('60012', (f) => f.code === '60012')).toMatchObject({ event: 'error', msg: 'Invalid request: {not json' });
    c.send({ op: 'subscribe', args: [{ channel: 'positions', instType: 'ANY' }] });
    expect(await c.next('60018', (f) => f.code === '60018')).toMatchObject({ event: 'error' });
    c.send({ op: 'subscribe', args: [{ channel: 'orders', instType: 'BONDS' }] });
    await waitFor('second 60018', () => c.json.filter((f) => f.code === '60018').length === 2);
    c.send({ op: 'subscribe' });
    expect(await c.next('60013', (f) => f.code === '60013')).toMatchObject({ event: 'error', msg: 'Invalid args' });
  });

  test('a connection that sends nothing is closed (OKX: after 30 s); pings keep it open', async () => {
    await server.close();
    ({ server, sim } = await startOkx({ idleTimeoutMs: 300 }));
    const quiet = await connect();
    const chatty = await connect();
    const timer = setInterval(() => chatty.send('ping'), 100);
    const [code] = (await once(quiet.socket, 'close')) as [number];
    clearInterval(timer);
    expect(code).toBe(4004);
    expect(chatty.socket.readyState).toBe(chatty.socket.OPEN);
  });

  test('faults: delayed acknowledgements and pushes keep their order; dropped connections', async () => {
    server.faults.ws.ackDelayMs = 200;
    const c = await connect();
    const started = Date.now();
    await c.loggedIn(DEMO);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    server.faults.ws.ackDelayMs = 0;
    await c.subscribed({ channel: 'orders', instType: 'SPOT' });
    server.faults.ws.pushDelayMs = 150;
    const first = id();
    const second = id();
    const t0 = Date.now();
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: first });
    await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: second });
    expect(orderPushes(c)).toHaveLength(0);
    await waitFor('both pushes', () => orderPushes(c).length === 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(orderPushes(c).map((o) => o.clOrdId)).toEqual([first, second]);

    const closed = once(c.socket, 'close');
    server.dropConnections();
    await closed;
    await waitFor('no connections', () => server.privateConnections.length === 0);
  });

  test('the WebSocket is only served at /ws/v5/private', async () => {
    await expect(WsClient.connect(server.privateWsUrl.replace('/private', '/public'))).rejects.toThrow(/404/);
  });
});
