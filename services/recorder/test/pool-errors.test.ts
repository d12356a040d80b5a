// A PostgreSQL connection that dies while its client is checked out (a transaction in flight
// when the server restarts or the network is cut) must fail the query, not the process: pg emits
// 'error' on such a client and pg-pool listens only while it is idle.
import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { TcpProxy, testServers } from '@meridian/testkit';
import { guardPoolErrors } from '../src/pool-errors';

jest.setTimeout(30_000);

let proxy: TcpProxy;
let url: string;

beforeAll(async () => {
  const { databaseUrl } = await testServers();
  const target = new URL(databaseUrl);
  proxy = await TcpProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  url = proxy.rewriteUrl(databaseUrl);
});

afterAll(async () => {
  await proxy?.stop();
});

test('without the guard a checked-out client has no error listener (pg would throw the event)', async () => {
  const pool = new Pool({ connectionString: url, max: 1 });
  pool.on('error', () => undefined);
  const client = await pool.connect();
  try {
    expect(client.listenerCount('error')).toBe(0);
  } finally {
    client.release();
    await pool.end();
  }
});

test('with the guard a connection cut mid-transaction fails the query, is reported, and the pool recovers', async () => {
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => undefined);
  // A client connected before the guard (Database.open's first) still gets one on checkout.
  const early = await pool.connect();
  early.release();
  const errors: Error[] = [];
  guardPoolErrors(pool, (err) => void errors.push(err));
  const client: PoolClient = await pool.connect();
  expect(client).toBe(early);
  expect(client.listenerCount('error')).toBe(1);
  await client.query('BEGIN');
  proxy.cut();
  await expect(client.query('SELECT 1')).rejects.toThrow();
  client.release();
  expect(errors.length).toBeGreaterThanOrEqual(1);
  await expect(pool.query('SELECT 1')).rejects.toThrow();
  proxy.restore();
  expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
  // The same client is guarded once, however often it is checked out.
  const again = await pool.connect();
  expect(again.listenerCount('error')).toBe(1);
  again.release();
  const twice = await pool.connect();
  expect(twice.listenerCount('error')).toBe(1);
  twice.release();
  await pool.end();
});
