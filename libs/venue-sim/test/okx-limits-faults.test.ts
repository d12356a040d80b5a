import type { OkxServer, SimulatedVenue } from '../src';
import { OKX_RATE_LIMITS } from '../src';
import { ACCOUNT, DEMO, OTHER, okx, startOkx } from './support/okx-sim';

describe('OKX server: published rate limits, answered with 429 / 50011', () => {
  let server: OkxServer;
  // The server's clock only, for the windows; signatures stay within 30 s of it.
  let now = Date.now();

  beforeEach(async () => {
    now = Date.now();
    ({ server } = await startOkx({ clock: () => now }));
  });
  afterEach(async () => {
    await server.close();
  });

  const cancel = (clOrdId: string, instId = 'BTC-USDT', key = DEMO) => okx(server, key, 'POST', '/api/v5/trade/cancel-order', { instId, clOrdId });

  test('the table holds OKX’s numbers', () => {
    expect(OKX_RATE_LIMITS['POST /api/v5/trade/order']).toEqual({ requests: 60, windowMs: 2_000, scope: 'user_instrument', unit: 'request' });
    expect(OKX_RATE_LIMITS['POST /api/v5/trade/batch-orders']).toEqual({ requests: 300, windowMs: 2_000, scope: 'user_instrument', unit: 'order' });
    expect(OKX_RATE_LIMITS['GET /api/v5/account/balance']!.requests).toBe(10);
    expect(OKX_RATE_LIMITS['GET /api/v5/trade/fills-history']!.requests).toBe(10);
  });

  test('cancel: 60 per 2 s per instrument and user; the 61st is 50011; other instruments and users are not affected; the window slides', async () => {
    for (let i = 0; i < 60; i++) expect((await cancel(`n${i}`)).body.code).toBe('1');
    const limited = await cancel('n60');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ code: '50011', msg: 'Rate limit reached. Please refer to API documentation and throttle requests accordingly', data: [], inTime: expect.any(String), outTime: expect.any(String) });
    expect((await cancel('e1', 'ETH-USDT')).body.code).toBe('1');
    expect((await cancel('o1', 'BTC-USDT', OTHER)).body.code).toBe('1');
    now += 1_999;
    expect((await cancel('n61')).status).toBe(429);
    now += 2;
    expect((await cancel('n62')).body.code).toBe('1');
    expect(server.answeredWith('50011')).toBe(2);
  });

  test('balance: 10 per 2 s per user', async () => {
    for (let i = 0; i < 10; i++) expect((await okx(server, DEMO, 'GET', '/api/v5/account/balance')).body.code).toBe('0');
    expect((await okx(server, DEMO, 'GET', '/api/v5/account/balance')).body.code).toBe('50011');
    expect((await okx(server, OTHER, 'GET', '/api/v5/account/balance')).body.code).toBe('0');
  });

  test('batches count orders: 300 per 2 s per instrument; a one-order batch uses the single-order limit', async () => {
    const batch = (n: number, tag: string) => okx(server, DEMO, 'POST', '/api/v5/trade/cancel-batch-orders', Array.from({ length: n }, (_, i) => ({ instId: 'BTC-USDT', clOrdId: `${tag}${i}` })));
    for (let i = 0; i < 15; i++) expect((await batch(20, `b${i}x`)).body.code).toBe('1');
    expect((await batch(20, 'over')).body.code).toBe('50011');
    // The single cancel limit is its own counter.
    expect((await cancel('single')).body.code).toBe('1');
    for (let i = 1; i < 60; i++) await cancel(`s${i}`);
    expect((await batch(1, 'one')).body.code).toBe('50011');
  });
});

describe('OKX server: injected faults', () => {
  let server: OkxServer;
  let sim: SimulatedVenue;
  let seq = 0;
  const id = (): string => `f${Date.now()}${++seq}`;

  beforeEach(async () => {
    ({ server, sim } = await startOkx());
  });
  afterEach(async () => {
    await server.close();
  });

  const order = (clOrdId: string) => ({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '29000', sz: '0.01', clOrdId });
  const place = (clOrdId: string) => okx(server, DEMO, 'POST', '/api/v5/trade/order', order(clOrdId));
  const exists = (clOrdId: string): boolean => sim.order(ACCOUNT, { clientOrderId: clOrdId }) !== undefined;

  test('server_error: a 5xx with OKX’s system-error body, nothing applied, only for the matching requests it was told', async () => {
    server.faults.add({ fault: { kind: 'server_error', status: 503 }, path: '/api/v5/trade/order', times: 1 });
    const a = id();
    const failed = await place(a);
    expect(failed.status).toBe(503);
    expect(failed.body.code).toBe('50001');
    expect(exists(a)).toBe(false);
    expect((await okx(server, DEMO, 'GET', '/api/v5/account/balance')).body.code).toBe('0');
    expect((await place(a)).body.code).toBe('0');
    expect(server.faults.fired.server_error).toBe(1);
  });

  test('rate_limit: a burst of 50011 without applying', async () => {
    server.faults.add({ fault: { kind: 'rate_limit' }, times: 3 });
    const a = id();
    for (let i = 0; i < 3; i++) expect((await place(a)).status).toBe(429);
    expect(exists(a)).toBe(false);
    expect((await place(a)).body.code).toBe('0');
  });

  test('drop after apply: the client sees the connection die, the order exists', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'after_apply' }, method: 'POST', times: 1 });
    const a = id();
    await expect(place(a)).rejects.toThrow();
    expect(exists(a)).toBe(true);
  });

  test('drop before apply: the connection dies and nothing happened', async () => {
    server.faults.add({ fault: { kind: 'drop', stage: 'before_apply' }, method: 'POST', times: 1 });
    const a = id();
    await expect(place(a)).rejects.toThrow();
    expect(exists(a)).toBe(false);
  });

  test('delay after apply: the order exists before the answer comes', async () => {
    server.faults.add({ fault: { kind: 'delay', ms: 300, stage: 'after_apply' }, times: 1 });
    const a = id();
    const started = Date.now();
    const answer = place(a);
    await new Promise((r) => setTimeout(r, 150));
    expect(exists(a)).toBe(true);
    expect((await answer).body.code).toBe('0');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  test('delay before apply: the order only exists once the delay is over', async () => {
    server.faults.add({ fault: { kind: 'delay', ms: 300, stage: 'before_apply' }, times: 1 });
    const a = id();
    const answer = place(a);
    await new Promise((r) => setTimeout(r, 150));
    expect(exists(a)).toBe(false);
    expect((await answer).body.code).toBe('0');
    expect(exists(a)).toBe(true);
    server.faults.clear();
  });
});
