import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Client } from 'pg';
import { TcpProxy, testServers } from '@meridian/testkit';

// TcpProxy (libs/testkit): forwards, cuts (open connections closed, new ones reset or held) and
// restores; first against an echo server, then as pg sees it against the real PostgreSQL.
jest.setTimeout(30_000);

let echo: Server;
let echoPort: number;
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  echoPort = await new Promise<number>((resolve) => echo.listen(0, '127.0.0.1', () => resolve((echo.address() as { port: number }).port)));
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  await new Promise((r) => echo.close(r));
});

async function proxy(): Promise<TcpProxy> {
  const p = await TcpProxy.start({ targetHost: '127.0.0.1', targetPort: echoPort });
  proxies.push(p);
  return p;
}

/** Connects, sends `text` and resolves with what came back, or with how the connection ended. */
function roundTrip(port: number, text: string, waitMs = 1_000): Promise<{ reply: string; ended: 'closed' | 'error' | 'silent' }> {
  return new Promise((resolve) => {
    const s: Socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ended: 'closed' | 'error' | 'silent') => {
      clearTimeout(timer);
      s.destroy();
      resolve({ reply, ended });
    };
    const timer = setTimeout(() => done('silent'), waitMs);
    s.on('connect', () => s.write(text));
    s.on('data', (d) => {
      reply += d.toString();
      if (reply === text) done('closed');
    });
    s.on('error', () => done('error'));
    s.on('close', () => done(reply === text ? 'closed' : 'error'));
  });
}

test('forwards to its target on a free loopback port', async () => {
  const p = await proxy();
  expect(p.port).toBeGreaterThan(0);
  expect(p.port).not.toBe(echoPort);
  expect((await roundTrip(p.port, 'hello')).reply).toBe('hello');
  expect(p.connections).toBe(1);
});

test('cut closes every open connection and resets new ones; restore forwards again', async () => {
  const p = await proxy();
  const open = createConnection({ host: '127.0.0.1', port: p.port });
  open.on('error', () => undefined);
  await new Promise((r) => open.once('connect', r));
  await new Promise((r) => setTimeout(r, 50));
  expect(p.openConnections).toBe(1);
  const closed = new Promise((r) => open.once('close', r));
  p.cut();
  await closed;
  expect(p.isCut).toBe(true);
  expect(p.openConnections).toBe(0);
  const refused = await roundTrip(p.port, 'lost');
  expect(refused.reply).toBe('');
  expect(refused.ended).toBe('error');
  expect(p.refused).toBe(1);
  p.restore();
  expect((await roundTrip(p.port, 'back')).reply).toBe('back');
});

test('cut("hold") accepts new connections and never answers; restore closes them', async () => {
  const p = await proxy();
  p.cut('hold');
  expect((await roundTrip(p.port, 'held', 300)).ended).toBe('silent');
  const held = createConnection({ host: '127.0.0.1', port: p.port });
  held.on('error', () => undefined);
  await new Promise((r) => held.once('connect', r));
  const closed = new Promise((r) => held.once('close', r));
  p.restore();
  await closed;
  expect((await roundTrip(p.port, 'after')).reply).toBe('after');
});

test('rewriteUrl points a connection URL at the proxy and keeps the rest', async () => {
  const p = await proxy();
  expect(p.rewriteUrl('postgres://user:secret@db.example:5432/app?sslmode=disable')).toBe(`postgres://user:secret@127.0.0.1:${p.port}/app?sslmode=disable`);
});

test('pg through the proxy: a query fails while cut and succeeds after restore', async () => {
  const { databaseUrl } = await testServers();
  const target = new URL(databaseUrl);
  const p = await TcpProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  proxies.push(p);
  const url = p.rewriteUrl(databaseUrl);
  const first = new Client({ connectionString: url });
  first.on('error', () => undefined);
  await first.connect();
  expect((await first.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  p.cut();
  await expect(first.query('SELECT 1')).rejects.toThrow();
  await expect(new Client({ connectionString: url, connectionTimeoutMillis: 2_000 }).connect()).rejects.toThrow();
  p.cut('hold');
  const started = Date.now();
  await expect(new Client({ connectionString: url, connectionTimeoutMillis: 500 }).connect()).rejects.toThrow(/timeout/i);
  expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  p.restore();
  const again = new Client({ connectionString: url });
  await again.connect();
  try {
    expect((await again.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  } finally {
    await again.end();
    await first.end().catch(() => undefined);
  }
});
