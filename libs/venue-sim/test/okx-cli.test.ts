import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { assertBuilt, waitFor } from '@meridian/testkit';

const CLI = join(__dirname, '..', 'dist', 'okx', 'cli.js');
const KEY = { apiKey: 'cli-key', secretKey: 'cli-secret', passphrase: 'cli-pass', account: 'trader' };

function start(args: string[]): { child: ChildProcessWithoutNullStreams; out: string[]; err: string[] } {
  const child = spawn(process.execPath, [CLI, ...args]);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b.toString()));
  child.stderr.on('data', (b: Buffer) => err.push(b.toString()));
  return { child, out, err };
}

/** A signed call exactly as OKX's docs spell it, with nothing from this repository's code. */
async function call(rest: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: { code: string; msg: string; data: Record<string, string>[] } }> {
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestamp = new Date().toISOString();
  const sign = createHmac('sha256', KEY.secretKey).update(timestamp + method + path + text).digest('base64');
  const response = await fetch(rest + path, {
    method,
    headers: {
      'Content-Type': 'application/json',
      'OK-ACCESS-KEY': KEY.apiKey,
      'OK-ACCESS-SIGN': sign,
      'OK-ACCESS-TIMESTAMP': timestamp,
      'OK-ACCESS-PASSPHRASE': KEY.passphrase,
      'x-simulated-trading': '1',
    },
    body: method === 'POST' ? text : undefined,
  });
  return { status: response.status, json: (await response.json()) as never };
}

describe('okx-sim CLI: a plain client following OKX’s docs trades on it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'okx-sim-'));
  const keys = join(dir, 'keys.json');
  const venue = join(dir, 'venue.json');
  writeFileSync(keys, JSON.stringify([KEY]));
  writeFileSync(
    venue,
    JSON.stringify({
      instruments: [{ symbol: 'BTC-USDT', baseCurrency: 'BTC', quoteCurrency: 'USDT', tickSize: '0.1', lotSize: '0.00000001', minQuantity: '0.00001' }],
      fees: { maker: '0.0008', taker: '0.001', scale: 8 },
      accounts: [{ id: 'trader', mode: 'cash', balances: { USDT: '50000', BTC: '1' } }],
      books: { 'BTC-USDT': { bids: [['29999.9', '1']], asks: [['30000.1', '1']] } },
    }),
  );

  beforeAll(() => assertBuilt(join(__dirname, '..'), '@meridian/venue-sim'));

  test('REST and the private WebSocket, then a clean stop on SIGTERM', async () => {
    const { child, out } = start(['--keys', keys, '--venue', venue, '--port', '0']);
    try {
      const line = await waitFor('listening line', () => out.join('').split('\n').find((l) => l.includes('"listening"')));
      const { rest, ws } = JSON.parse(line) as { rest: string; ws: string };

      // WebSocket: login (timestamp in seconds, sign over timestamp + GET + /users/self/verify), subscribe to orders.
      const socket = new WebSocket(ws);
      const frames: Record<string, unknown>[] = [];
      socket.on('message', (m) => m.toString() !== 'pong' && frames.push(JSON.parse(m.toString()) as Record<string, unknown>));
      await once(socket, 'open');
      const timestamp = String(Math.floor(Date.now() / 1000));
      const sign = createHmac('sha256', KEY.secretKey).update(`${timestamp}GET/users/self/verify`).digest('base64');
      socket.send(JSON.stringify({ op: 'login', args: [{ apiKey: KEY.apiKey, passphrase: KEY.passphrase, timestamp, sign }] }));
      await waitFor('login', () => frames.find((f) => f.event === 'login' && f.code === '0'));
      socket.send(JSON.stringify({ op: 'subscribe', args: [{ channel: 'orders', instType: 'SPOT' }] }));
      await waitFor('subscribed', () => frames.find((f) => f.event === 'subscribe'));

      const instruments = (await (await fetch(`${rest}/api/v5/public/instruments?instType=SPOT`)).json()) as { data: { instId: string }[] };
      expect(instruments.data.map((i) => i.instId)).toEqual(['BTC-USDT']);
      const placed = await call(rest, 'POST', '/api/v5/trade/order', { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'market', sz: '0.5', tgtCcy: 'base_ccy', clOrdId: 'plain1' });
      expect(placed).toMatchObject({ status: 200, json: { code: '0', data: [{ clOrdId: 'plain1', sCode: '0' }] } });
      const order = await call(rest, 'GET', '/api/v5/trade/order?instId=BTC-USDT&clOrdId=plain1');
      expect(order.json.data[0]).toMatchObject({ state: 'filled', accFillSz: '0.5', avgPx: '30000.1' });
      const push = await waitFor('fill push', () => frames.find((f) => Array.isArray(f.data) && (f.data as { state: string }[])[0]!.state === 'filled'));
      expect((push.data as Record<string, string>[])[0]).toMatchObject({ clOrdId: 'plain1', fillSz: '0.5', fillPx: '30000.1', execType: 'T' });
      const balance = await call(rest, 'GET', '/api/v5/account/balance?ccy=BTC');
      expect((balance.json.data[0] as unknown as { details: { cashBal: string }[] }).details[0]!.cashBal).toBe('1.5');
      socket.close();
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(out.join('')).toContain('"stopped"');
  });

  test('without a venue file: OKX-like defaults and an account per key', async () => {
    const { child, out } = start(['--keys', keys]);
    try {
      const line = await waitFor('listening line', () => out.join('').split('\n').find((l) => l.includes('"listening"')));
      const { rest } = JSON.parse(line) as { rest: string };
      const balance = await call(rest, 'GET', '/api/v5/account/balance');
      const details = (balance.json.data[0] as unknown as { details: { ccy: string; cashBal: string }[] }).details;
      expect(Object.fromEntries(details.map((b) => [b.ccy, b.cashBal]))).toEqual({ USDT: '100000', BTC: '1', ETH: '10' });
      const limit = await call(rest, 'POST', '/api/v5/trade/order', { instId: 'ETH-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', px: '1000', sz: '0.5' });
      expect(limit.json.code).toBe('0');
    } finally {
      child.kill('SIGINT');
    }
    expect((await once(child, 'exit'))[0]).toBe(0);
  });

  test('bad configuration: exit 2 and a message naming the key', async () => {
    const badVenue = join(dir, 'bad-venue.json');
    writeFileSync(badVenue, JSON.stringify({ instruments: [{ symbol: 'X-Y', baseCurrency: 'X', quoteCurrency: 'Y', tickSize: 0.1, lotSize: '1' }], fees: { maker: '0', taker: '0', scale: 2 }, accounts: [] }));
    const runs = [
      { args: ['--keys', badVenue], message: /keys/ },
      { args: ['--keys', keys, '--venue', badVenue], message: /instruments\[0\]\.tickSize/ },
      { args: ['--keys', join(dir, 'missing.json')], message: /--keys.*cannot be read/ },
      { args: [], message: /--keys.*required/ },
      { args: ['--keys', keys, '--port', 'http'], message: /--port/ },
    ];
    for (const { args, message } of runs) {
      const { child, err } = start(args);
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(2);
      expect(err.join('')).toMatch(message);
      expect(err.join('')).not.toContain(KEY.secretKey);
    }
  });
});
