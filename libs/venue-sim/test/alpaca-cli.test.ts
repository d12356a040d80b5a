import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { assertBuilt, waitFor } from '@meridian/testkit';
import { StreamClient } from './support/alpaca-sim';

const PACKAGE_DIR = join(__dirname, '..');
const CLI = join(PACKAGE_DIR, 'dist', 'alpaca', 'cli.js');

function run(env: Record<string, string>): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe('alpaca-sim CLI', () => {
  beforeAll(() => assertBuilt(PACKAGE_DIR, '@meridian/venue-sim'));

  test('a client following Alpaca\'s docs (APCA_* keys, REST and the stream) trades against it; SIGTERM stops it', async () => {
    const key = 'PKCLI0000000000000';
    const secret = 'cli-secret-value-not-for-logs';
    const p = run({ APCA_API_KEY_ID: key, APCA_API_SECRET_KEY: secret, ALPACA_SIM_TICK_MS: '50', ALPACA_SIM_SYMBOLS: 'AAPL:190,BRK.B:410' });
    try {
      const line = await waitFor('the listening line', () => p.lines.find((l) => l.includes('alpaca sim listening')));
      const { baseUrl, streamUrl, symbols } = JSON.parse(line) as { baseUrl: string; streamUrl: string; symbols: string[] };
      expect(symbols).toEqual(['AAPL', 'BRK-B']);
      const headers = { 'APCA-API-KEY-ID': key, 'APCA-API-SECRET-KEY': secret };

      const stream = await StreamClient.open(streamUrl);
      stream.send({ action: 'auth', key, secret });
      await stream.next('authorization');
      stream.send({ action: 'listen', data: { streams: ['trade_updates'] } });
      await stream.next('listening');

      const account = await fetch(`${baseUrl}/v2/account`, { headers });
      expect(account.status).toBe(200);
      expect(await account.json()).toMatchObject({ cash: '100000', currency: 'USD' });
      const placed = await fetch(`${baseUrl}/v2/orders`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ symbol: 'BRK.B', qty: '3', side: 'buy', type: 'market', time_in_force: 'day', client_order_id: 'cli-1' }),
      });
      expect(placed.status).toBe(200);
      expect(await placed.json()).toMatchObject({ symbol: 'BRK.B', status: 'filled', filled_qty: '3' });
      const fill = await waitFor('the fill event', () => stream.of('trade_updates').find((e) => e.event === 'fill'));
      expect(fill).toMatchObject({ order: { client_order_id: 'cli-1' }, qty: '3', position_qty: '3' });
      const positions = await (await fetch(`${baseUrl}/v2/positions`, { headers })).json();
      expect(positions).toMatchObject([{ symbol: 'BRK.B', qty: '3', side: 'long' }]);
      stream.close();

      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      // Nothing it printed holds the secret.
      expect(p.lines.join('\n')).not.toContain(secret);
    } finally {
      p.child.kill('SIGKILL');
    }
  });

  test('bad configuration exits 2 naming every bad key', async () => {
    const p = run({ ALPACA_SIM_PORT: 'eighty', ALPACA_SIM_SYMBOLS: 'AAPL' });
    expect(await p.exited).toBe(2);
    const out = p.lines.join('\n');
    expect(out).toMatch(/ALPACA_SIM_PORT: expected an integer/);
    expect(out).toMatch(/ALPACA_SIM_SYMBOLS: item "AAPL": expected SYMBOL:PRICE/);
    expect(out).toMatch(/APCA_API_KEY_ID: required/);
  });
});
