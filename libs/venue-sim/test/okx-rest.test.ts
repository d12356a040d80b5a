import { Decimal } from '@meridian/domain';
import type { OkxServer, SimulatedVenue } from '../src';
import { ACCOUNT, DEMO, OTHER, okx, startOkx } from './support/okx-sim';

const d = (v: string): Decimal => Decimal.parse(v);

describe('OKX server: trade, account and public endpoints', () => {
  let server: OkxServer;
  let sim: SimulatedVenue;
  let seq = 0;
  const id = (): string => `c${Date.now()}${++seq}`;

  beforeEach(async () => {
    ({ server, sim } = await startOkx());
  });
  afterEach(async () => {
    await server.close();
  });

  const place = (order: Record<string, unknown>, key = DEMO) => okx(server, key, 'POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', ...order });
  const get = (path: string, key = DEMO) => okx(server, key, 'GET', path);

  test('instruments: the documented SPOT fields, filtered by instId; instType is required', async () => {
    const all = (await (await fetch(`${server.restUrl}/api/v5/public/instruments?instType=SPOT`)).json()) as { code: string; data: Record<string, string>[] };
    expect(all.code).toBe('0');
    expect(all.data.map((i) => i.instId).sort()).toEqual(['BTC-USDT', 'ETH-USDT']);
    const btc = all.data.find((i) => i.instId === 'BTC-USDT')!;
    expect(btc).toMatchObject({ instType: 'SPOT', baseCcy: 'BTC', quoteCcy: 'USDT', tickSz: '0.1', lotSz: '0.0001', minSz: '0.001', state: 'live' });
    const one = (await (await fetch(`${server.restUrl}/api/v5/public/instruments?instType=SPOT&instId=ETH-USDT`)).json()) as { data: { instId: string; minSz: string }[] };
    expect(one.data).toHaveLength(1);
    expect(one.data[0]!.minSz).toBe('0.001');
    const swaps = (await (await fetch(`${server.restUrl}/api/v5/public/instruments?instType=SWAP`)).json()) as { code: string; data: unknown[] };
    expect(swaps).toEqual({ code: '0', msg: '', data: [] });
    const missing = await fetch(`${server.restUrl}/api/v5/public/instruments`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ code: '50014', msg: 'Parameter instType can not be empty' });
    const unknown = (await (await fetch(`${server.restUrl}/api/v5/public/instruments?instType=SPOT&instId=DOGE-USDT`)).json()) as { code: string };
    expect(unknown.code).toBe('51001');
  });

  test('a limit order: placed, read by ordId and clOrdId, listed as pending, its funds frozen', async () => {
    const clOrdId = id();
    const placed = await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.5', clOrdId, tag: 'tag1' });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ code: '0', msg: '', data: [{ clOrdId, tag: 'tag1', sCode: '0', sMsg: 'Order placed' }] });
    expect(placed.body).toHaveProperty('inTime');
    const ordId = placed.body.data[0]!.ordId as string;
    expect(ordId).toMatch(/^\d+$/);

    const byId = await get(`/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`);
    const byClient = await get(`/api/v5/trade/order?instId=BTC-USDT&clOrdId=${clOrdId}`);
    expect(byId.body.data).toEqual(byClient.body.data);
    expect(byId.body.data[0]).toMatchObject({
      instType: 'SPOT',
      instId: 'BTC-USDT',
      ordId,
      clOrdId,
      tag: 'tag1',
      px: '29000',
      sz: '0.5',
      ordType: 'limit',
      side: 'buy',
      tdMode: 'cash',
      state: 'live',
      accFillSz: '0',
      avgPx: '',
      fee: '0',
      // The exchange charges fees in the quote currency (OKX charges a buyer in what it receives): the server reports what the exchange did.
      feeCcy: 'USDT',
      category: 'normal',
    });
    expect(Number(byId.body.data[0]!.cTime)).toBeGreaterThan(Date.now() - 10_000);

    const pending = await get('/api/v5/trade/orders-pending?instType=SPOT&instId=BTC-USDT');
    expect(pending.body.data.map((o) => o.ordId)).toEqual([ordId]);
    const balance = await get('/api/v5/account/balance?ccy=USDT');
    const usdt = (balance.body.data[0]!.details as Record<string, string>[])[0]!;
    expect(usdt).toMatchObject({ ccy: 'USDT', cashBal: '100000', eq: '100000' });
    // 29,000 × 0.5 plus the largest fee it could pay (taker, 10 bps) is held.
    expect(d(usdt.frozenBal!).gte(d('14500'))).toBe(true);
    expect(d(usdt.availBal!).add(d(usdt.frozenBal!)).eq(d('100000'))).toBe(true);

    const wrongInstrument = await get(`/api/v5/trade/order?instId=ETH-USDT&ordId=${ordId}`);
    expect(wrongInstrument.body).toMatchObject({ code: '51603', msg: 'Order does not exist', data: [] });
  });

  test('a market buy sized in base currency takes the book: filled, fee negative (charged), listed in fills', async () => {
    const clOrdId = id();
    const placed = await place({ side: 'buy', ordType: 'market', sz: '1.5', tgtCcy: 'base_ccy', clOrdId });
    expect(placed.body.code).toBe('0');
    const order = (await get(`/api/v5/trade/order?instId=BTC-USDT&clOrdId=${clOrdId}`)).body.data[0]!;
    expect(order).toMatchObject({ state: 'filled', accFillSz: '1.5', ordType: 'market', tgtCcy: 'base_ccy', px: '', feeCcy: 'USDT' });
    // 1 at 30,000.1 and 0.5 at 30,001.
    expect(d(order.avgPx as string).eq(d('30000.1').add(d('15000.5')).div(d('1.5'), 12, 'half-even'))).toBe(true);
    expect(d(order.fee as string).isNegative()).toBe(true);
    // Taker, 10 bps of 45,000.6.
    expect(order.fee).toBe('-45.0006');

    const fills = (await get(`/api/v5/trade/fills?instType=SPOT&instId=BTC-USDT&ordId=${order.ordId as string}`)).body.data;
    expect(fills).toHaveLength(2);
    // Newest first.
    expect(fills.map((f) => [f.fillPx, f.fillSz, f.execType, f.side, f.subType])).toEqual([
      ['30001', '0.5', 'T', 'buy', '1'],
      ['30000.1', '1', 'T', 'buy', '1'],
    ]);
    for (const f of fills) {
      expect(f).toMatchObject({ instType: 'SPOT', instId: 'BTC-USDT', clOrdId, feeCcy: 'USDT', billId: f.tradeId });
      expect(d(f.fee as string).isNegative()).toBe(true);
    }
    const balance = (await get('/api/v5/account/balance?ccy=BTC,USDT')).body.data[0]!.details as Record<string, string>[];
    expect(Object.fromEntries(balance.map((b) => [b.ccy, b.cashBal]))).toEqual({ BTC: '3.5', USDT: '54954.3994' });
  });

  test('a market buy without tgtCcy spends quote currency (OKX default), sized at the book, whole lots', async () => {
    const clOrdId = id();
    const placed = await place({ side: 'buy', ordType: 'market', sz: '3000', clOrdId });
    expect(placed.body.code).toBe('0');
    const order = (await get(`/api/v5/trade/order?instId=BTC-USDT&clOrdId=${clOrdId}`)).body.data[0]!;
    // 3,000 USDT at 30,000.1 is 0.09999…, rounded down to the lot of 0.0001.
    expect(order).toMatchObject({ state: 'filled', sz: '3000', tgtCcy: 'quote_ccy', accFillSz: '0.0999' });
  });

  test('post-only, FOK and IOC orders', async () => {
    const cross = await place({ side: 'buy', ordType: 'post_only', px: '30000.1', sz: '0.1', clOrdId: id() });
    expect(cross.body).toMatchObject({ code: '1', msg: 'All operations failed', data: [{ sCode: '51511' }] });
    const rests = await place({ side: 'buy', ordType: 'post_only', px: '29999.9', sz: '0.1', clOrdId: id() });
    expect(rests.body.code).toBe('0');
    const fok = await place({ side: 'buy', ordType: 'fok', px: '30000.1', sz: '2', clOrdId: id() });
    expect(fok.body.data[0]!.sCode).not.toBe('0');
    const iocId = id();
    const ioc = await place({ side: 'buy', ordType: 'ioc', px: '30000.1', sz: '2', clOrdId: iocId });
    expect(ioc.body.code).toBe('0');
    const iocOrder = (await get(`/api/v5/trade/order?instId=BTC-USDT&clOrdId=${iocId}`)).body.data[0]!;
    expect(iocOrder).toMatchObject({ state: 'canceled', accFillSz: '1', cancelSource: '14', ordType: 'ioc' });
  });

  test('refusals: duplicate clOrdId 51016, insufficient balance 51008, parameters 50014 / 51000, unknown instrument 51001', async () => {
    const clOrdId = id();
    expect((await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId })).body.code).toBe('0');
    const dup = await place({ side: 'sell', ordType: 'limit', px: '31000', sz: '0.2', clOrdId });
    expect(dup.body).toMatchObject({ code: '1', data: [{ sCode: '51016', sMsg: 'Duplicated clOrdId', clOrdId }] });
    expect(sim.openOrders(ACCOUNT)).toHaveLength(1);

    const poor = await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '10', clOrdId: id() });
    expect(poor.body.data[0]!.sCode).toBe('51008');
    expect(poor.body.data[0]!.sMsg).toMatch(/Insufficient USDT balance/);
    const noBtc = await place({ side: 'sell', ordType: 'limit', px: '31000', sz: '5', clOrdId: id() });
    expect(noBtc.body.data[0]!.sMsg).toMatch(/Insufficient BTC balance/);

    const noSize = await place({ side: 'buy', ordType: 'limit', px: '29000' });
    expect([noSize.status, noSize.body.code, noSize.body.msg]).toEqual([400, '50014', 'Parameter sz can not be empty']);
    const noPrice = await place({ side: 'buy', ordType: 'limit', sz: '0.1' });
    expect(noPrice.body.code).toBe('50014');
    for (const [order, param] of [
      [{ side: 'hold', ordType: 'limit', px: '1', sz: '1' }, 'side'],
      [{ side: 'buy', ordType: 'optimal_limit_ioc', px: '1', sz: '1' }, 'ordType'],
      [{ side: 'buy', ordType: 'limit', px: '-1', sz: '1' }, 'px'],
      [{ side: 'buy', ordType: 'limit', px: '1', sz: '1e3' }, 'sz'],
      [{ side: 'buy', ordType: 'limit', px: '1', sz: '1', clOrdId: 'has-dash' }, 'clOrdId'],
      [{ side: 'buy', ordType: 'limit', px: '1', sz: '1', clOrdId: 'x'.repeat(33) }, 'clOrdId'],
    ] as const) {
      const answer = await place(order);
      expect([answer.status, answer.body.code, answer.body.msg]).toEqual([200, '51000', `Parameter ${param} error`]);
    }
    const cross = await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', tdMode: 'cross' });
    expect(cross.body.data[0]).toMatchObject({ sCode: '51000', sMsg: 'Parameter tdMode error' });
    const lot = await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.00015' });
    expect(lot.body.data[0]!.sCode).toBe('51121');
    const tiny = await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.0005' });
    expect(tiny.body.data[0]).toMatchObject({ sCode: '51120' });
    expect(tiny.body.data[0]!.sMsg).toMatch(/less than 0.001/);
    const unknown = await place({ instId: 'DOGE-USDT', side: 'buy', ordType: 'limit', px: '1', sz: '1' });
    expect(unknown.body.data[0]!.sCode).toBe('51001');
    const notJson = await okx(server, DEMO, 'POST', '/api/v5/trade/order', '{"instId":');
    expect(notJson.body.code).toBe('51000');
  });

  test('cancel: by clOrdId or ordId; 51401 once canceled, 51402 once filled, 51400 when unknown', async () => {
    const clOrdId = id();
    const ordId = (await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId })).body.data[0]!.ordId as string;
    const cancel = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId });
    expect(cancel.body).toMatchObject({ code: '0', data: [{ ordId, clOrdId, sCode: '0' }] });
    const order = (await get(`/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`)).body.data[0]!;
    expect(order).toMatchObject({ state: 'canceled', cancelSource: '1' });
    const again = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId });
    expect(again.body).toMatchObject({ code: '1', data: [{ sCode: '51401' }] });

    const filledId = id();
    await place({ side: 'buy', ordType: 'market', sz: '0.1', tgtCcy: 'base_ccy', clOrdId: filledId });
    const late = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: filledId });
    expect(late.body.data[0]!.sCode).toBe('51402');
    const unknown = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: 'nope' });
    expect(unknown.body.data[0]!.sCode).toBe('51400');
    const neither = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT' });
    expect(neither.body.code).toBe('50014');
    // Another account's order is not this key's to cancel.
    const theirs = (await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: id() }, OTHER)).body.data[0]!.ordId as string;
    const foreign = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId: theirs });
    expect(foreign.body.data[0]!.sCode).toBe('51400');
  });

  test('amend: new price and size keep the order id; refusals 51500, 51503, 51509', async () => {
    const clOrdId = id();
    const ordId = (await place({ side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId })).body.data[0]!.ordId as string;
    const amend = await okx(server, DEMO, 'POST', '/api/v5/trade/amend-order', { instId: 'BTC-USDT', clOrdId, newPx: '29100', newSz: '0.2', reqId: 'r1' });
    expect(amend.body).toMatchObject({ code: '0', data: [{ ordId, clOrdId, reqId: 'r1', sCode: '0' }] });
    expect((await get(`/api/v5/trade/order?instId=BTC-USDT&ordId=${ordId}`)).body.data[0]).toMatchObject({ px: '29100', sz: '0.2', state: 'live' });
    const nothing = await okx(server, DEMO, 'POST', '/api/v5/trade/amend-order', { instId: 'BTC-USDT', clOrdId });
    expect(nothing.body.code).toBe('51500');
    const unknown = await okx(server, DEMO, 'POST', '/api/v5/trade/amend-order', { instId: 'BTC-USDT', clOrdId: 'nope', newPx: '1' });
    expect(unknown.body.data[0]!.sCode).toBe('51503');
    await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', ordId });
    const canceled = await okx(server, DEMO, 'POST', '/api/v5/trade/amend-order', { instId: 'BTC-USDT', ordId, newPx: '29200' });
    expect(canceled.body.data[0]!.sCode).toBe('51509');
  });

  test('batch orders: each order answered on its own, code 2 on partial failure, 1 when all fail, at most 20', async () => {
    const ids = [id(), id(), id()];
    const batch = await okx(server, DEMO, 'POST', '/api/v5/trade/batch-orders', [
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '29000', sz: '0.1', clOrdId: ids[0] },
      { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '29000', sz: '100', clOrdId: ids[1] },
      { instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1900', sz: '1', clOrdId: ids[2] },
    ]);
    expect(batch.status).toBe(200);
    expect(batch.body.code).toBe('2');
    expect(batch.body.data.map((i) => [i.clOrdId, i.sCode])).toEqual([
      [ids[0], '0'],
      [ids[1], '51008'],
      [ids[2], '0'],
    ]);
    expect(sim.openOrders(ACCOUNT).map((o) => o.clientOrderId).sort()).toEqual([ids[0], ids[2]].sort());

    const allFail = await okx(server, DEMO, 'POST', '/api/v5/trade/batch-orders', [{ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '29000', sz: '100' }, { instId: 'BTC-USDT', side: 'buy' }]);
    expect(allFail.body.code).toBe('1');
    expect(allFail.body.data.map((i) => i.sCode)).toEqual(['51008', '50014']);

    const tooMany = await okx(server, DEMO, 'POST', '/api/v5/trade/batch-orders', Array.from({ length: 21 }, () => ({ instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1000', sz: '0.001' })));
    expect(tooMany.body.code).toBe('51000');
    expect(sim.openOrders(ACCOUNT)).toHaveLength(2);

    const amends = await okx(server, DEMO, 'POST', '/api/v5/trade/amend-batch-orders', [
      { instId: 'BTC-USDT', clOrdId: ids[0], newPx: '29001' },
      { instId: 'BTC-USDT', clOrdId: ids[1], newPx: '29001' },
    ]);
    expect(amends.body.code).toBe('2');
    expect(amends.body.data.map((i) => i.sCode)).toEqual(['0', '51503']);
    const cancels = await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-batch-orders', [
      { instId: 'BTC-USDT', clOrdId: ids[0] },
      { instId: 'ETH-USDT', clOrdId: ids[2] },
    ]);
    expect(cancels.body).toMatchObject({ code: '0', data: [{ sCode: '0' }, { sCode: '0' }] });
    expect(sim.openOrders(ACCOUNT)).toHaveLength(0);
  });

  test('order history and fills: closed orders only, newest first, cursor pagination, instType required', async () => {
    const ordIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ordId = (await place({ side: 'buy', ordType: 'market', sz: '0.01', tgtCcy: 'base_ccy', clOrdId: id() })).body.data[0]!.ordId as string;
      ordIds.push(ordId);
    }
    const resting = (await place({ side: 'buy', ordType: 'limit', px: '20000', sz: '0.01', clOrdId: id() })).body.data[0]!.ordId as string;
    const history = await get('/api/v5/trade/orders-history?instType=SPOT&limit=3');
    expect(history.body.data.map((o) => o.ordId)).toEqual(ordIds.slice(-3).reverse());
    const older = await get(`/api/v5/trade/orders-history?instType=SPOT&after=${ordIds[2]}`);
    expect(older.body.data.map((o) => o.ordId)).toEqual([ordIds[1], ordIds[0]]);
    const newer = await get(`/api/v5/trade/orders-history?instType=SPOT&before=${ordIds[2]}`);
    expect(newer.body.data.map((o) => o.ordId)).toEqual([ordIds[4], ordIds[3]]);
    expect(history.body.data.map((o) => o.ordId)).not.toContain(resting);
    expect((await get('/api/v5/trade/orders-history?instType=SPOT&state=canceled')).body.data).toEqual([]);
    const missing = await get('/api/v5/trade/orders-history');
    expect([missing.status, missing.body.code]).toEqual([400, '50014']);

    const fills = (await get('/api/v5/trade/fills?instType=SPOT&limit=2')).body.data;
    expect(fills.map((f) => f.ordId)).toEqual([ordIds[4], ordIds[3]]);
    const next = (await get(`/api/v5/trade/fills?instType=SPOT&limit=2&after=${fills[1]!.billId as string}`)).body.data;
    expect(next.map((f) => f.ordId)).toEqual([ordIds[2], ordIds[1]]);
    const since = Number(fills[1]!.ts);
    const fromTs = (await get(`/api/v5/trade/fills?instType=SPOT&begin=${since}`)).body.data;
    expect(fromTs.every((f) => Number(f.ts) >= since)).toBe(true);
    expect((await get('/api/v5/trade/fills-history?instType=SPOT')).body.data).toHaveLength(5);
    expect((await get('/api/v5/trade/fills-history')).body.code).toBe('50014');
    expect((await get('/api/v5/trade/fills?limit=101')).body.code).toBe('51000');
  });

  test('balances list the non-zero currencies, or the ones asked for', async () => {
    const all = (await get('/api/v5/account/balance')).body.data[0]!;
    expect((all.details as { ccy: string }[]).map((b) => b.ccy).sort()).toEqual(['BTC', 'USDT']);
    expect(all).toHaveProperty('uTime');
    const eth = (await get('/api/v5/account/balance?ccy=ETH', OTHER)).body.data[0]!.details as Record<string, string>[];
    expect(eth).toEqual([expect.objectContaining({ ccy: 'ETH', cashBal: '10', availBal: '10', frozenBal: '0' })]);
  });
});
