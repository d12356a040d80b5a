import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects, Topology, natsConnectionOptions, natsInboxPrefix, provisionTopology } from '@meridian/bus';
import type { NatsConnectOptions, ProvisionReport, Shard } from '@meridian/bus';

export interface BootstrapOptions {
  /** Where NATS is and how to authenticate (the runtime's natsConnectOptions reads it from env). */
  nats: NatsConnectOptions;
  namespace: string;
  replicas: number;
  shards: Shard[];
}

/** Creates or updates the streams and the durable consumers of the given shards. */
export async function bootstrap(o: BootstrapOptions): Promise<ProvisionReport> {
  const nc = await connect({ ...natsConnectionOptions({ inboxPrefix: natsInboxPrefix('bootstrap'), ...o.nats }), name: 'meridian-bootstrap' });
  try {
    const topology = new Topology(new Subjects(o.namespace), { replicas: o.replicas });
    return await provisionTopology(await jetstreamManager(nc), topology, o.shards);
  } finally {
    await nc.close();
  }
}
