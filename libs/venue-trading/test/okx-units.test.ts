import { newId } from '@meridian/domain';
import { seededRandom } from '@meridian/testkit';
import { OkxClientOrderIdError, OkxConfigError, OkxUnsupportedOrderError, RateGate, fromOkxClOrdId, okxPlaceBody, parseOkxTradingOptions, toOkxClOrdId } from '../src';
import type { EndpointLimit } from '../src';
import { d, limit, market } from './support/okx-venue';

describe('OKX clOrdId mapping', () => {
  const OKX_RULE = /^[A-Za-z0-9]{1,32}$/;

  test('platform ids (ULIDs) go as they are', () => {
    for (let i = 0; i < 100; i++) {
      const id = newId();
      expect(toOkxClOrdId(id)).toBe(id);
      expect(fromOkxClOrdId(id)).toBe(id);
    }
  });

  test('any other id up to 22 bytes is encoded into OKX’s alphabet and back, deterministically', () => {
    const random = seededRandom(7);
    const alphabet = 'abcXYZ019-_:./ éß€';
    const ids = ['z', 'zz', 'a-b', '-', '\u0000x', 'ord:2024/01/02', 'ÿ', 'x'.repeat(22), 'Z'.repeat(22), 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'.slice(0, 22)];
    for (let i = 0; i < 2000; i++) {
      let id = '';
      const n = 1 + Math.floor(random() * 15);
      for (let j = 0; j < n; j++) id += alphabet[Math.floor(random() * alphabet.length)];
      if (Buffer.byteLength(id) <= 22) ids.push(id);
    }
    for (const id of ids) {
      const okx = toOkxClOrdId(id);
      expect(okx).toMatch(OKX_RULE);
      expect(toOkxClOrdId(id)).toBe(okx);
      expect(fromOkxClOrdId(okx)).toBe(id);
    }
    const encoded = new Set(ids.map(toOkxClOrdId));
    expect(encoded.size).toBe(new Set(ids).size);
  });

  test('ids that cannot fit are refused with a typed error; foreign clOrdIds read as they are', () => {
    expect(() => toOkxClOrdId('x-'.repeat(12))).toThrow(OkxClientOrderIdError);
    expect(() => toOkxClOrdId('')).toThrow(OkxClientOrderIdError);
    expect(fromOkxClOrdId('')).toBe('');
    expect(fromOkxClOrdId('zebra')).toBe('zebra');
    expect(fromOkxClOrdId('manual123')).toBe('manual123');
  });
});

describe('what OKX is sent for a platform order', () => {
  test('order types and times in force', () => {
    expect(okxPlaceBody({ ...limit('BUY', '0.5', '29000'), clientOrderId: 'A1' })).toEqual({ instId: 'BTC-USDT', tdMode: 'cash', clOrdId: 'A1', side: 'buy', ordType: 'limit', sz: '0.5', px: '29000' });
    expect(okxPlaceBody(limit('SELL', '1', '1', { postOnly: true })).ordType).toBe('post_only');
    expect(okxPlaceBody(limit('SELL', '1', '1', { timeInForce: 'IOC' })).ordType).toBe('ioc');
    expect(okxPlaceBody(limit('SELL', '1', '1', { timeInForce: 'FOK' })).ordType).toBe('fok');
    expect(okxPlaceBody(market('BUY', '0.25'))).toMatchObject({ ordType: 'market', sz: '0.25', tgtCcy: 'base_ccy' });
    expect(okxPlaceBody(market('BUY', '0.25')).px).toBeUndefined();
  });

  test.each([
    [{ ...market('SELL', '1'), type: 'stop' as const, stopPrice: d('1') }, /algo orders/],
    [{ ...limit('SELL', '1', '2'), type: 'stop_limit' as const, stopPrice: d('1') }, /algo orders/],
    [limit('BUY', '1', '1', { timeInForce: 'DAY' }), /no DAY/],
    [market('BUY', '1', { timeInForce: 'FOK' }), /fill-or-kill market/],
    [market('BUY', '1', { limitPrice: d('5') }), /no limit price/],
    [limit('BUY', '1', '1', { postOnly: true, timeInForce: 'IOC' }), /must be GTC/],
    [{ ...limit('BUY', '1', '1'), limitPrice: undefined }, /needs a positive limit price/],
    [limit('BUY', '0', '1'), /must be positive/],
  ])('refused: %#', (order, message) => {
    expect(() => okxPlaceBody(order)).toThrow(OkxUnsupportedOrderError);
    expect(() => okxPlaceBody(order)).toThrow(message);
  });
});

describe('adapter options', () => {
  const credentials = { apiKey: 'k', secretKey: 'very-secret-value', passphrase: 'pass-value' };

  test('defaults by environment', () => {
    const demo = parseOkxTradingOptions({ credentials, environment: 'demo' });
    expect([demo.demo, demo.restUrl, demo.privateWsUrl]).toEqual([true, 'https://www.okx.com', 'wss://wspap.okx.com:8443/ws/v5/private']);
    const live = parseOkxTradingOptions({ credentials, environment: 'live' });
    expect([live.demo, live.privateWsUrl]).toEqual([false, 'wss://ws.okx.com:8443/ws/v5/private']);
  });

  test.each([
    [{ credentials: { ...credentials, secretKey: '' } }, 'credentials.secretKey'],
    [{ environment: 'paper' }, 'environment'],
    [{ restUrl: 'ftp://x' }, 'restUrl'],
    [{ privateWsUrl: 'not a url' }, 'privateWsUrl'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs'],
    [{ attempts: 0 }, 'attempts'],
    [{ heartbeat: { idleMs: -1, timeoutMs: 1 } }, 'heartbeat.idleMs'],
    [{ venue: 'OKX!' }, 'venue'],
  ])('a bad option names its key: %#', (override, key) => {
    const parse = (): unknown => parseOkxTradingOptions({ credentials, environment: 'demo', ...override } as never);
    expect(parse).toThrow(OkxConfigError);
    expect(parse).toThrow(key);
    try {
      parse();
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('very-secret-value');
    }
  });
});

describe('RateGate', () => {
  const limit5: EndpointLimit = { requests: 5, windowMs: 200, scope: 'instrument' };

  test('never more than N in flight or answered within a window; FIFO per bucket; other buckets do not wait', async () => {
    const gate = new RateGate(0);
    const grants: { bucket: string; at: number; answered: number }[] = [];
    const order: number[] = [];
    const run = async (bucket: string, i: number): Promise<void> => {
      const release = await gate.acquire([{ bucket, limit: limit5, count: 1 }]);
      const at = Date.now();
      if (bucket === 'a') order.push(i);
      await new Promise((r) => setTimeout(r, 20));
      const answered = Date.now();
      release();
      grants.push({ bucket, at, answered });
    };
    const started = Date.now();
    const b = run('b', 0);
    await Promise.all([...Array.from({ length: 12 }, (_, i) => run('a', i)), b]);
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const aGrants = grants.filter((g) => g.bucket === 'a');
    // Each grant waits until the request N places earlier was answered a window ago.
    const byGrant = [...aGrants].sort((x, y) => x.at - y.at);
    for (let i = 5; i < byGrant.length; i++) expect(byGrant[i]!.at).toBeGreaterThanOrEqual(byGrant[i - 5]!.answered + 200);
    expect(grants.find((g) => g.bucket === 'b')!.at - started).toBeLessThan(100);
  });

  test('a charge larger than the limit can never pass and is refused at once', () => {
    const gate = new RateGate(0);
    expect(() => gate.acquire([{ bucket: 'x', limit: limit5, count: 6 }])).toThrow(RangeError);
  });

  test('an abort or close rejects the waiters', async () => {
    const gate = new RateGate(0);
    const releases = await Promise.all(Array.from({ length: 5 }, () => gate.acquire([{ bucket: 'x', limit: limit5, count: 1 }])));
    const controller = new AbortController();
    const waiting = gate.acquire([{ bucket: 'x', limit: limit5, count: 1 }], controller.signal);
    const closing = gate.acquire([{ bucket: 'x', limit: limit5, count: 1 }]);
    expect(gate.waiting).toBe(2);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    gate.close(new Error('closing'));
    await expect(closing).rejects.toThrow('closing');
    for (const r of releases) r();
  });
});
