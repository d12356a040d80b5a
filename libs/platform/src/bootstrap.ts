import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects, Topology, provisionTopology } from '@meridian/bus';
import type { ProvisionReport, Shard } from '@meridian/bus';

export interface BootstrapOptions {
  natsUrl: string;
  user?: string;
  pass?: string;
  token?: string;
  namespace: string;
  replicas: number;
  shards: Shard[];
}

/** Creates or updates the streams and the durable consumers of the given shards. */
export async function bootstrap(o: BootstrapOptions): Promise<ProvisionReport> {
  const nc = await connect({
    servers: o.natsUrl.split(',').map((s) => s.trim()),
    name: 'meridian-bootstrap',
    ...(o.user ? { user: o.user, pass: o.pass } : {}),
    ...(o.token ? { token: o.token } : {}),
  });
  try {
    const topology = new Topology(new Subjects(o.namespace), { replicas: o.replicas });
    return await provisionTopology(await jetstreamManager(nc), topology, o.shards);
  } finally {
    await nc.close();
  }
}
