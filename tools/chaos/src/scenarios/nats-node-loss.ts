import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects, Topology } from '@meridian/bus';
import { SERVICES } from '@meridian/platform';
import { seededRandom } from '@meridian/testkit';
import { untilWallClock } from '../scenario';
import type { Scenario } from '../scenario';

/**
 * A three-node NATS cluster with R3 streams loses one node (kill -9) under load and gets it back.
 * Trading must go on through the outage on the other two (a JetStream quorum), and the platform
 * is healthy again once every stream has all its replicas current.
 */
export const natsNodeLoss: Scenario = {
  name: 'nats-node-loss',
  summary: 'a three-node NATS cluster (R3 streams) loses a node under load (kill -9) and gets it back',
  natsCluster: 3,
  async run(platform, options, log, { cluster }) {
    if (!cluster) throw new Error('nats-node-loss needs the cluster the runner starts');
    const random = seededRandom(options.seed);
    const outageMs = Math.max(5, Math.round(options.durationSeconds / 2)) * 1_000;
    await platform.waitFor('the first fills', () => platform.fills().length >= 3, 60_000);

    // The node leading ORDERS (intents, approvals) when there is one: the hardest loss for
    // trading; otherwise a seeded pick.
    const leader = await ordersLeader(cluster.url, platform.env.namespace);
    const victim = leader !== undefined ? leader : Math.floor(random() * cluster.size);
    const fillsBefore = platform.fills().length;
    const killedAt = Date.now();
    await cluster.stopNode(victim, 'SIGKILL');
    log(`killed NATS node ${victim + 1} of ${cluster.size} (-9) with ${fillsBefore} fills so far`);
    await platform.waitFor('a fill after the node loss', () => platform.fills().length > fillsBefore, 60_000);
    const firstFillMs = Date.now() - killedAt;
    await untilWallClock(killedAt + outageMs);
    const fillsDuring = platform.fills().length - fillsBefore;

    const restartedAt = Date.now();
    await cluster.startNode(victim);
    // Healthy: every service ready, and every stream with a leader and all replicas current.
    const topology = new Topology(new Subjects(platform.env.namespace));
    const nc = await connect({ servers: cluster.url });
    try {
      const jsm = await jetstreamManager(nc);
      await platform.waitFor(
        'every stream with all replicas current',
        async () => {
          for (const s of topology.streams()) {
            const info = await jsm.streams.info(s.config.name!);
            const replicas = info.cluster?.replicas ?? [];
            if (!info.cluster?.leader || replicas.length !== cluster.size - 1 || !replicas.every((r) => r.current && !r.offline)) return false;
          }
          return true;
        },
        120_000,
      );
    } finally {
      await nc.close();
    }
    for (const name of SERVICES) await platform.waitReady(name);
    const healthyMs = Date.now() - restartedAt;
    log(`node ${victim + 1} back; every stream current and every service ready ${healthyMs} ms after its restart`);
    return {
      'nats node killed': victim + 1,
      'outage ms': restartedAt - killedAt,
      'first fill after the loss ms': firstFillMs,
      'fills during the outage': fillsDuring,
      'healthy after restart ms': healthyMs,
      fills: platform.fills().length,
    };
  },
};

async function ordersLeader(url: string, namespace: string): Promise<number | undefined> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(new Topology(new Subjects(namespace)).streamName('ORDERS'));
    const m = /^n(\d+)$/.exec(info.cluster?.leader ?? '');
    return m ? Number(m[1]) - 1 : undefined;
  } finally {
    await nc.close();
  }
}
