import type { JetStreamManager } from '@nats-io/jetstream';
import type { Shard, Topology } from './topology';

export interface ProvisionReport {
  streams: { name: string; action: 'created' | 'updated' }[];
  consumers: { stream: string; name: string; action: 'created' | 'updated' }[];
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.api_error?.err_code === 10014 || /not found/i.test(e?.message ?? '');
}

/**
 * Creates or updates every declared stream and the durable consumers of the given shards.
 * The only writer of the topology: services bind to what this provisions.
 */
export async function provisionTopology(jsm: JetStreamManager, topology: Topology, shards: readonly Shard[]): Promise<ProvisionReport> {
  const report: ProvisionReport = { streams: [], consumers: [] };
  for (const { config } of topology.streams()) {
    try {
      await jsm.streams.info(config.name);
      await jsm.streams.update(config.name, config);
      report.streams.push({ name: config.name, action: 'updated' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await jsm.streams.add(config);
      report.streams.push({ name: config.name, action: 'created' });
    }
  }
  const seen = new Set<string>();
  for (const shard of shards) {
    for (const decl of topology.allDurables(shard)) {
      const key = `${decl.stream}/${decl.config.durable_name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        await jsm.consumers.info(decl.stream, decl.config.durable_name);
        await jsm.consumers.update(decl.stream, decl.config.durable_name, decl.config);
        report.consumers.push({ stream: decl.stream, name: decl.config.durable_name, action: 'updated' });
      } catch (err) {
        if (!isNotFound(err)) throw err;
        await jsm.consumers.add(decl.stream, decl.config);
        report.consumers.push({ stream: decl.stream, name: decl.config.durable_name, action: 'created' });
      }
    }
  }
  return report;
}

/** Deletes every stream of a topology (test clean-up). */
export async function deleteTopologyStreams(jsm: JetStreamManager, topology: Topology): Promise<void> {
  for (const { config } of topology.streams()) {
    try {
      await jsm.streams.delete(config.name);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
