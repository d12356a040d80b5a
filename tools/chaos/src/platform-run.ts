import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Bus } from '@meridian/bus';
import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderIntent, OrderRejection, OrderStatus } from '@meridian/proto';
import { FAST_MARKET_ENV, SERVICES, Supervisor, bootstrap } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { PlatformStartError, PlatformWaitError } from './errors';

/** What the streams said, as an observer outside every service saw it. */
export interface StreamHistory {
  intents: Map<string, OrderIntent>;
  approved: Map<string, ApprovedOrder>;
  /** Every approved order message, duplicates included (a duplicate is a finding). */
  approvedMessages: number;
  /** Every intent and rejection message, duplicates included: with approvedMessages and reports, what the observer has read of the streams. */
  intentMessages: number;
  rejectedMessages: number;
  rejected: Map<string, OrderRejection>;
  reports: ExecutionReport[];
}

export interface PlatformRunOptions {
  symbols: string[];
  /** NATS to run on instead of the test environment's (e.g. a NatsCluster), and its stream replicas. */
  nats?: { url: string; replicas: number };
  /** Extra environment for every service (the defaults make a few seconds produce plenty of orders). */
  env?: Record<string, string>;
  /** Environment of one service over everything else (e.g. the recorder's DATABASE_URL through a TcpProxy). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The venue the shard executes on (execution's durable consumers are provisioned for it); default paper. */
  venue?: string;
  /** Runs once the namespace and its streams exist, before any service starts (a market mirror subscribes here). */
  beforeServices?(env: TestEnvironment, natsUrl: string): Promise<void>;
}

/** Statuses that end an order: a first fill may be followed by more fills or the cancel of an IOC remainder. */
const FINISHED = new Set([OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_EXPIRED]);

/**
 * The whole platform as real processes on real NATS JetStream and PostgreSQL, in a namespace and
 * schema of its own, with an observer recording the money streams from the start: what a
 * scenario drives, breaks and then checks.
 */
export class PlatformRun {
  readonly history: StreamHistory = { intents: new Map(), approved: new Map(), approvedMessages: 0, intentMessages: 0, rejected: new Map(), rejectedMessages: 0, reports: [] };

  private constructor(
    readonly env: TestEnvironment,
    /** Where the platform's NATS is (the test environment's, or a cluster's). */
    readonly natsUrl: string,
    readonly supervisor: Supervisor,
    private readonly observer: Bus,
    readonly options: PlatformRunOptions,
    /** Every service's output, attributed. */
    readonly logs: string[],
    /** Services that exited without being told to (a crash the scenario did not inject). */
    readonly unexpectedExits: { service: ServiceName; code: number | null }[],
  ) {}

  static async start(options: PlatformRunOptions): Promise<PlatformRun> {
    const env = await createTestEnvironment('chaos');
    const natsUrl = options.nats?.url ?? env.natsUrl;
    const replicas = options.nats?.replicas ?? 1;
    await bootstrap({ nats: { servers: natsUrl }, namespace: env.namespace, replicas, shards: [{ symbols: options.symbols, venues: [options.venue ?? 'paper'] }] });
    const logs: string[] = [];
    // The observer's own trouble (a follow that ended, a reconnect) goes into the run's logs too.
    const note = (level: string) => (o: object, msg?: string) => void logs.push(`[observer] ${JSON.stringify({ level, time: new Date().toISOString(), ...o, msg })}`);
    const observer = await Bus.connect({
      servers: natsUrl,
      name: 'chaos-observer',
      namespace: env.namespace,
      logger: { debug() {}, info: note('info'), warn: note('warn'), error: note('error') },
    });
    const exits: { service: ServiceName; code: number | null }[] = [];
    const supervisor = new Supervisor({
      env: {
        ...env.env,
        NATS_URL: natsUrl,
        JS_REPLICAS: String(replicas),
        SYMBOLS: options.symbols.join(','),
        ...FAST_MARKET_ENV,
        RISK_MAX_POSITION: '0.6',
        ...options.env,
      },
      ...(options.serviceEnv ? { serviceEnv: options.serviceEnv } : {}),
      onLine: (service, line) => void logs.push(`[${service}] ${line}`),
      onUnexpectedExit: (service, code) => void exits.push({ service, code }),
    });
    const run = new PlatformRun(env, natsUrl, supervisor, observer, options, logs, exits);
    try {
      await options.beforeServices?.(env, natsUrl);
      const h = run.history;
      const s = observer.subjects;
      await observer.follow('ORDERS', s.intentsAll(), OrderIntent, (i) => {
        h.intentMessages += 1;
        h.intents.set(i.clientOrderId, i);
      }, { deliver: 'all' });
      await observer.follow('ORDERS', s.approvedAll(), ApprovedOrder, (a) => {
        h.approvedMessages += 1;
        h.approved.set(a.intent!.clientOrderId, a);
      }, { deliver: 'all' });
      await observer.follow('ORDERS', s.rejectedAll(), OrderRejection, (r) => {
        h.rejectedMessages += 1;
        h.rejected.set(r.intent!.clientOrderId, r);
      }, { deliver: 'all' });
      await observer.follow('EXECUTIONS', s.executionsAll(), ExecutionReport, (r) => void h.reports.push(r), { deliver: 'all' });
      await supervisor.start();
      for (const name of SERVICES) await run.waitReady(name);
    } catch (err) {
      // A platform that did not come up is still taken down: no service left running, no namespace left behind.
      await run.stop();
      throw new PlatformStartError(`the platform did not come up: ${(err as Error).message} (service logs in ${run.logFile})`, { cause: err });
    }
    return run;
  }

  /** Milliseconds until the service's /readyz answers 200. */
  async waitReady(name: ServiceName, timeoutMs = 60_000): Promise<number> {
    const started = Date.now();
    const { http } = await this.supervisor.processes.get(name)!.ports;
    await waitFor(`${name} ready`, async () => {
      try {
        return (await fetch(`http://127.0.0.1:${http}/readyz`)).status === 200;
      } catch {
        return false;
      }
    }, timeoutMs, 50);
    return Date.now() - started;
  }

  /** Waits for a condition on the run (its history, its processes). */
  async waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number): Promise<NonNullable<T>> {
    try {
      return await waitFor(what, check, timeoutMs, 100);
    } catch (err) {
      throw new PlatformWaitError(`${(err as Error).message} (the flow so far: ${this.flowSummary()})`, { cause: err });
    }
  }

  /** The order flow the observer has seen, in a few words (for a timeout's message and the log). */
  flowSummary(): string {
    const h = this.history;
    return `${h.intents.size} intents, ${h.approved.size} approved, ${h.rejected.size} rejected, ${h.reports.length} execution reports (${this.fills().length} fills)`;
  }

  /** Client order ids whose last word on the bus ended them (filled, cancelled, rejected, expired). */
  finishedOrders(): Set<string> {
    return new Set(this.history.reports.filter((r) => FINISHED.has(r.status)).map((r) => r.clientOrderId));
  }

  fills(): ExecutionReport[] {
    return this.history.reports.filter((r) => r.kind === ExecutionKind.EXECUTION_KIND_FILL);
  }

  /**
   * Stops the market source and waits until every intent is decided and every approved order has
   * finished (filled, cancelled or rejected by the venue): the state the invariants are read in.
   */
  async quiesce(timeoutMs = 60_000): Promise<void> {
    const code = await this.supervisor.stopService('ingestion');
    if (code !== 0) throw new Error(`ingestion exited with ${code} when asked to stop`);
    const h = this.history;
    await waitFor('every intent decided and every approved order finished', () => {
      const done = this.finishedOrders();
      return [...h.intents.keys()].every((id) => h.approved.has(id) || h.rejected.has(id)) && [...h.approved.keys()].every((id) => done.has(id));
    }, timeoutMs, 200);
    // The observer decides "finished" from what it has read; on a starved machine it can be behind
    // the streams, with orders it has not seen yet (and their fills) already handled by the
    // services. At rest it must have read every message the streams hold.
    await this.waitObserverCaughtUp(timeoutMs);
  }

  /** Waits until the observer has read every message of the subjects it follows (JetStream's per-subject counts). */
  private async waitObserverCaughtUp(timeoutMs: number): Promise<void> {
    const nc = await connect({ servers: this.natsUrl, name: 'chaos-observer-check' });
    try {
      const jsm = await jetstreamManager(nc);
      const s = this.observer.subjects;
      const topology = this.observer.topology;
      const stored = async (stream: 'ORDERS' | 'EXECUTIONS', filter: string): Promise<number> => {
        const info = await jsm.streams.info(topology.streamName(stream), { subjects_filter: filter });
        return Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
      };
      const h = this.history;
      let behind = '';
      try {
        await waitFor('the observer to read every message of the streams', async () => {
          const want = {
            intents: await stored('ORDERS', s.intentsAll()),
            approved: await stored('ORDERS', s.approvedAll()),
            rejected: await stored('ORDERS', s.rejectedAll()),
            reports: await stored('EXECUTIONS', s.executionsAll()),
          };
          const have = { intents: h.intentMessages, approved: h.approvedMessages, rejected: h.rejectedMessages, reports: h.reports.length };
          behind = Object.entries(want)
            .filter(([k, n]) => have[k as keyof typeof have] < n)
            .map(([k, n]) => `${k} ${have[k as keyof typeof have]} of ${n}`)
            .join(', ');
          return behind === '';
        }, timeoutMs, 200);
      } catch (err) {
        throw new PlatformWaitError(`the observer did not catch up with the streams: ${behind}`, { cause: err });
      }
    } finally {
      await nc.close();
    }
  }

  /** Where `stop` writes the services' logs. */
  get logFile(): string {
    return join(tmpdir(), `meridian-chaos-${this.env.namespace}.log`);
  }

  /** Stops every service, writes their logs to `logFile`, removes the namespace and schema. */
  async stop(): Promise<void> {
    await this.supervisor.stop().catch(() => undefined);
    await this.observer.close().catch(() => undefined);
    writeFileSync(this.logFile, this.logs.join('\n'));
    await this.env.cleanup();
  }
}
