import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects, Topology, provisionTopology } from '@meridian/bus';
import type { ProvisionReport, Shard } from '@meridian/bus';

export interface BootstrapOptions {
  natsUrl: string;
  namespace: string;
  replicas: number;
  shards: Shard[];
}

/** Creates or updates the streams and the durable consumers of the given shards. */
export async function bootstrap(o: BootstrapOptions): Promise<ProvisionReport> {
  const nc = await connect({ servers: o.natsUrl, name: 'meridian-bootstrap' });
  try {
    const topology = new Topology(new Subjects(o.namespace), { replicas: o.replicas });
    return await provisionTopology(await jetstreamManager(nc), topology, o.shards);
  } finally {
    await nc.close();
  }
}
