import { BinanceHttpError, BinanceRestClient, WeightBudget, depthRequestWeight, parseRetryAfter } from '../src';
import { BinanceTestServer, depthSnapshot } from './support/binance-server';

describe('WeightBudget', () => {
  test('grants up to the budget at once, then at the refill rate, and never more than the venue says is left', () => {
    const budget = new WeightBudget(600, 0); // 10 weight per second
    for (let i = 0; i < 12; i++) expect(budget.take(50, 0)).toBe(0);
    expect(budget.take(50, 0)).toBe(5_000); // empty: 50 weight takes 5 s to come back
    expect(budget.take(50, 4_999)).toBe(1); // almost
    expect(budget.take(50, 5_000)).toBe(0);
    expect(budget.available(60_000_000)).toBe(600); // refills to the cap, not beyond
    budget.observeUsed(5_900, 6_000, 60_000_000); // other processes on the IP used most of the minute
    expect(budget.available(60_000_000)).toBe(100);
    expect(() => budget.take(601, 0)).toThrow(/request weight/);
    expect(() => new WeightBudget(0, 0)).toThrow(/restWeightPerMinute/);
  });

  test('depth weights follow the documented limit brackets', () => {
    expect([1, 100, 101, 500, 501, 1000, 1001, 5000].map(depthRequestWeight)).toEqual([5, 5, 25, 25, 50, 50, 250, 250]);
    expect(() => depthRequestWeight(5001)).toThrow(/depthLimit/);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7', 0)).toBe(7_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  test('caps the wait at the longest a timer holds (found by fuzzing: a far date or a huge number paused forever in a 1 ms loop)', () => {
    const max = 2 ** 31 - 1;
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', 0)).toBe(max);
    expect(parseRetryAfter('99999999999', 0)).toBe(max);
    expect(parseRetryAfter('9'.repeat(400), 0)).toBe(max); // Number() of it is Infinity
    expect(parseRetryAfter(String(3 * 24 * 3600), 0)).toBe(3 * 24 * 3600 * 1000); // a 3-day ban is kept as is
  });
});

describe('BinanceRestClient against a local server', () => {
  let server: BinanceTestServer;
  beforeEach(async () => {
    server = await BinanceTestServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  const client = (weightPerMinute = 2400) =>
    new BinanceRestClient({ venue: 'binance', baseUrl: server.restUrl, weightPerMinute, ipWeightLimitPerMinute: 6000, requestTimeoutMs: 5_000, defaultRetryAfterMs: 60_000 });

  test('a 418 ban pauses every request of the client, whatever the symbol, for Retry-After', async () => {
    server.onDepth = (symbol) =>
      symbol === 'BTCUSDT' ? { status: 418, headers: { 'Retry-After': '1' }, body: { code: -1003, msg: 'Way too many requests; IP banned.' } } : { body: depthSnapshot(1, [], []) };
    const rest = client();
    const signal = new AbortController().signal;
    const banned = await rest.depth('BTCUSDT', 1000, signal).catch((err: unknown) => err);
    expect(banned).toBeInstanceOf(BinanceHttpError);
    expect(banned).toMatchObject({ status: 418, retryAfterMs: 1_000, code: 'VENUE_REQUEST' });
    const started = Date.now();
    const other = await rest.depth('ETHUSDT', 1000, signal);
    expect(JSON.parse(other.text)).toEqual({ lastUpdateId: 1, bids: [], asks: [] });
    expect(server.depthRequests[1]!.atMs - server.depthRequests[0]!.atMs).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a resync storm is spread by the weight budget instead of reaching the venue at once', async () => {
    server.onDepth = () => ({ body: depthSnapshot(1, [], []) });
    const rest = client(300); // limit=100 weighs 5: 60 requests at once, then one per second
    const signal = new AbortController().signal;
    const started = Date.now();
    await Promise.all(Array.from({ length: 62 }, (_v, i) => rest.depth(`S${i}`, 100, signal)));
    const offsets = server.depthRequests.map((r) => r.atMs - started).sort((a, b) => a - b);
    expect(offsets[59]!).toBeLessThan(900);
    expect(offsets[60]!).toBeGreaterThanOrEqual(950);
    expect(offsets[61]!).toBeGreaterThanOrEqual(1_950);
  });

  test('a queued request can be abandoned', async () => {
    server.onDepth = () => ({ body: depthSnapshot(1, [], []) });
    const rest = client(50); // one limit=1000 request per minute
    const controller = new AbortController();
    await rest.depth('A', 1000, controller.signal);
    const queued = rest.depth('B', 1000, controller.signal);
    controller.abort();
    await expect(queued).rejects.toThrow(/abort/i);
    expect(server.depthRequests).toHaveLength(1);
  });
});
