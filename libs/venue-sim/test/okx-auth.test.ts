import { OkxServer, OkxServerConfigError, okxSignature, parseOkxKeys } from '../src';
import type { SimulatedVenue } from '../src';
import { DEMO, LIVE, okx, startOkx } from './support/okx-sim';

describe('OKX server: REST authentication as OKX documents it', () => {
  let server: OkxServer;
  let sim: SimulatedVenue;

  beforeAll(async () => {
    ({ server, sim } = await startOkx());
  });
  afterAll(async () => {
    await server.close();
  });

  test('the signature is Base64(HMAC-SHA256(secret, prehash)) (RFC 4231 test case 2)', () => {
    const hex = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(okxSignature('Jefe', 'what do ya want for nothing?')).toBe(Buffer.from(hex, 'hex').toString('base64'));
  });

  test('a correctly signed request is answered (GET with a query, POST with a body)', async () => {
    const balance = await okx(server, DEMO, 'GET', '/api/v5/account/balance?ccy=USDT,BTC');
    expect(balance.status).toBe(200);
    expect(balance.body.code).toBe('0');
    const details = (balance.body.data[0]!.details as { ccy: string; cashBal: string }[]).map((b) => [b.ccy, b.cashBal]).sort();
    expect(details).toEqual([
      ['BTC', '2'],
      ['USDT', '100000'],
    ]);
    const placed = await okx(server, DEMO, 'POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '29000', sz: '0.01', clOrdId: 'auth1' });
    expect(placed.body).toMatchObject({ code: '0', data: [{ clOrdId: 'auth1', sCode: '0' }] });
    expect(sim.order('acct-1', { clientOrderId: 'auth1' })?.status).toBe('new');
  });

  test.each([
    ['OK-ACCESS-KEY', '50103'],
    ['OK-ACCESS-SIGN', '50106'],
    ['OK-ACCESS-TIMESTAMP', '50107'],
    ['OK-ACCESS-PASSPHRASE', '50104'],
  ])('a request without %s is refused with 401 / %s', async (header, code) => {
    const answer = await okx(server, DEMO, 'GET', '/api/v5/account/balance', undefined, { headers: { [header]: undefined } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe(code);
    expect(answer.body.data).toEqual([]);
  });

  test('a malformed timestamp is 50112; one more than 30 s off either way is 50102', async () => {
    for (const timestamp of ['1700000000', '2024-01-01T00:00:00Z', 'yesterday']) {
      const answer = await okx(server, DEMO, 'GET', '/api/v5/account/balance', undefined, { timestamp });
      expect([answer.status, answer.body.code]).toEqual([401, '50112']);
    }
    for (const offset of [-31_000, 31_000]) {
      const answer = await okx(server, DEMO, 'GET', '/api/v5/account/balance', undefined, { timestamp: new Date(Date.now() + offset).toISOString() });
      expect([answer.status, answer.body.code, answer.body.msg]).toEqual([401, '50102', 'Timestamp request expired']);
    }
    const within = await okx(server, DEMO, 'GET', '/api/v5/account/balance', undefined, { timestamp: new Date(Date.now() - 20_000).toISOString() });
    expect(within.body.code).toBe('0');
  });

  test('an unknown key is 50111, a wrong passphrase 50105', async () => {
    const unknown = await okx(server, { ...DEMO, apiKey: 'nobody' }, 'GET', '/api/v5/account/balance');
    expect([unknown.status, unknown.body.code]).toEqual([401, '50111']);
    const passphrase = await okx(server, { ...DEMO, passphrase: 'wrong' }, 'GET', '/api/v5/account/balance');
    expect([passphrase.status, passphrase.body.code]).toEqual([401, '50105']);
  });

  test('a signature over anything but what was sent is 50113: secret, method, path, query, body', async () => {
    const refusals = [
      await okx(server, { ...DEMO, secretKey: 'not-the-secret' }, 'GET', '/api/v5/account/balance'),
      await okx(server, DEMO, 'GET', '/api/v5/account/balance?ccy=BTC', undefined, { signedPath: '/api/v5/account/balance' }),
      await okx(server, DEMO, 'GET', '/api/v5/account/balance?ccy=BTC', undefined, { signedPath: '/api/v5/account/balance?ccy=ETH' }),
      await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: 'x1' }, { signedBody: '{"instId":"BTC-USDT","clOrdId":"x2"}' }),
      await okx(server, DEMO, 'POST', '/api/v5/trade/cancel-order', { instId: 'BTC-USDT', clOrdId: 'x1' }, { signedBody: '' }),
    ];
    for (const answer of refusals) expect([answer.status, answer.body.code, answer.body.msg]).toEqual([401, '50113', 'Invalid Sign']);
  });

  test('a demo key needs x-simulated-trading: 1 and a live key must not send it (50101)', async () => {
    const demoWithout = await okx(server, DEMO, 'GET', '/api/v5/account/balance', undefined, { simulated: false });
    expect([demoWithout.status, demoWithout.body.code]).toEqual([401, '50101']);
    const liveWith = await okx(server, LIVE, 'GET', '/api/v5/account/balance', undefined, { simulated: true });
    expect([liveWith.status, liveWith.body.code]).toEqual([401, '50101']);
    const live = await okx(server, LIVE, 'GET', '/api/v5/account/balance');
    expect([live.status, live.body.code]).toEqual([200, '0']);
  });

  test('public endpoints need no signature; unknown paths are 404', async () => {
    const response = await fetch(`${server.restUrl}/api/v5/public/instruments?instType=SPOT`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { code: string }).code).toBe('0');
    expect((await fetch(`${server.restUrl}/api/v5/trade/nothing`)).status).toBe(404);
  });
});

describe('OKX server: keys file', () => {
  test('parses keys, demo by default, and names the bad entry without echoing secrets', () => {
    expect(parseOkxKeys([{ apiKey: 'k', secretKey: 's', passphrase: 'p', account: 'a' }])).toEqual([{ apiKey: 'k', secretKey: 's', passphrase: 'p', account: 'a', demo: true }]);
    const bad = (): unknown => parseOkxKeys([{ apiKey: 'k', secretKey: 's', passphrase: 'p', account: 'a' }, { apiKey: 'k2', secretKey: '', passphrase: 'hunter2', account: 'a' }]);
    expect(bad).toThrow(OkxServerConfigError);
    expect(bad).toThrow(/keys\[1\]\.secretKey/);
    expect(bad).not.toThrow(/hunter2/);
    expect(() => parseOkxKeys([{ apiKey: 'k', secretKey: 's', passphrase: 'p', account: 'a' }, { apiKey: 'k', secretKey: 's', passphrase: 'p', account: 'a' }])).toThrow(/keys\[1\]\.apiKey.*twice/);
    expect(() => parseOkxKeys({})).toThrow(/keys/);
  });

  test('a key for an account the exchange does not have stops the server at start', async () => {
    const { server, sim } = await startOkx();
    await server.close();
    await expect(OkxServer.start({ exchange: sim, keys: [{ ...DEMO, account: 'ghost' }] })).rejects.toThrow(/keys\[0\]\.account="ghost"/);
  });
});
