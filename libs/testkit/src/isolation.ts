import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';

/** A namespace no other run uses: first subject token and stream-name prefix. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Creates a fresh schema and returns its name and a function that drops it. */
export async function createSchema(databaseUrl: string, name: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } finally {
    await client.end();
  }
  return {
    schema,
    drop: async () => {
      const c = new Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Deletes every stream of a namespace (named `<namespace>_<STREAM>` by the bus topology).
 * The test kit stays below the bus in the dependency graph, so it matches by prefix.
 */
export async function deleteNamespaceStreams(natsUrl: string, namespace: string): Promise<void> {
  const nc = await connect({ servers: natsUrl });
  try {
    // Deleting a stream with a thousand consumers (a per-symbol bench) outlasts the default 5 s
    // API timeout on a loaded machine; one that fails must not leave the others behind.
    const jsm = await jetstreamManager(nc, { timeout: 60_000 });
    const failed: { stream: string; err: unknown }[] = [];
    for await (const name of jsm.streams.names()) {
      if (!name.startsWith(`${namespace}_`)) continue;
      try {
        await jsm.streams.delete(name);
      } catch (err) {
        failed.push({ stream: name, err });
      }
    }
    if (failed.length > 0) throw new AggregateError(failed.map((f) => f.err), `streams of namespace ${namespace} not deleted: ${failed.map((f) => f.stream).join(', ')}`);
  } finally {
    await nc.close();
  }
}
