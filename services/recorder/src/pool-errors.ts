import type { Pool, PoolClient } from 'pg';

/**
 * Keeps a dead PostgreSQL connection from crashing the process.
 *
 * pg emits `error` on a client whose connection ends (server restart, network cut), and
 * `pg-pool` listens for it only while the client is idle: a client checked out for a
 * transaction when the connection dies has no listener, so the `error` event is thrown as an
 * uncaught exception. The postgres-outage chaos scenario found exactly that: the recorder died at
 * the first cut under load. Every client of the pool gets a listener here from its first
 * connect or checkout; its queries still fail (the handler's message is naked and retried) and
 * the pool drops the client when it is released.
 */
export function guardPoolErrors(pool: Pool, onError: (err: Error) => void): void {
  const guarded = new WeakSet<PoolClient>();
  const guard = (client: PoolClient) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on('error', onError);
  };
  pool.on('connect', guard);
  pool.on('acquire', guard);
}
