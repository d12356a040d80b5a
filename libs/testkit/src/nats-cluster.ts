import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { freePort } from './nats-server';

interface Node {
  name: string;
  clientPort: number;
  routePort: number;
  dir: string;
  child: ChildProcess | undefined;
  log: string[];
}

/**
 * A NATS cluster with JetStream on loopback ports, for tests of what survives a node going away:
 * `size` nats-servers routed to each other, each with its own store, that can be stopped (cleanly
 * or killed) and started again on the same ports and store.
 */
export class NatsCluster {
  private constructor(
    private readonly nodes: Node[],
    private readonly dir: string,
  ) {}

  /** Every node's client URL, comma-separated (what NATS_URL takes). */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.clientPort}`).join(',');
  }

  get size(): number {
    return this.nodes.length;
  }

  static async start(size = 3): Promise<NatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-nats-cluster-'));
    const nodes: Node[] = [];
    for (let i = 0; i < size; i++) {
      const nodeDir = join(dir, `n${i + 1}`);
      mkdirSync(nodeDir);
      nodes.push({ name: `n${i + 1}`, clientPort: await freePort(), routePort: await freePort(), dir: nodeDir, child: undefined, log: [] });
    }
    const cluster = new NatsCluster(nodes, dir);
    for (const n of nodes) {
      const routes = nodes.filter((o) => o !== n).map((o) => `"nats-route://127.0.0.1:${o.routePort}"`);
      writeFileSync(
        join(n.dir, 'server.conf'),
        [
          `server_name: ${n.name}`,
          `listen: "127.0.0.1:${n.clientPort}"`,
          `jetstream { store_dir: "${join(n.dir, 'store')}" }`,
          `cluster { name: meridian-test, listen: "127.0.0.1:${n.routePort}", routes: [${routes.join(', ')}] }`,
        ].join('\n'),
      );
    }
    await Promise.all(nodes.map((_, i) => cluster.startNode(i)));
    await cluster.waitForJetStream();
    return cluster;
  }

  /** Waits until the cluster has elected a JetStream meta leader and answers the JetStream API. */
  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    const nc = await connect({ servers: this.url });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          await jetstreamManager(nc, { timeout: 1_000 });
          return;
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`the NATS cluster's JetStream did not come up within ${timeoutMs} ms: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      await nc.close();
    }
  }

  /** Starts node `i` (again), on its ports and store, and waits until it serves clients. */
  async startNode(i: number): Promise<void> {
    const n = this.nodes[i]!;
    if (n.child && n.child.exitCode === null && n.child.signalCode === null) return;
    const log: string[] = [];
    n.log = log;
    n.child = spawn('nats-server', ['-c', join(n.dir, 'server.conf')], { cwd: n.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    n.child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    n.child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    const deadline = Date.now() + 15_000;
    while (!log.join('').includes('Server is ready')) {
      if (n.child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server ${n.name} did not start:\n${log.join('')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops node `i`: SIGTERM (lame duck, clean) or SIGKILL (a crash). */
  async stopNode(i: number, signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): Promise<void> {
    const child = this.nodes[i]!.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** What node `i` printed since it last started. */
  output(i: number): string {
    return this.nodes[i]!.log.join('');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.stopNode(i, 'SIGTERM')));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
