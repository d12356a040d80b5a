import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@meridian/bus';
import { ApprovedOrder, ExecutionKind, ExecutionReport, OrderIntent, OrderRejection, OrderStatus } from '@meridian/proto';
import { FAST_MARKET_ENV, SERVICES, Supervisor, bootstrap } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';

/** What the streams said, as an observer outside every service saw it. */
export interface StreamHistory {
  intents: Map<string, OrderIntent>;
  approved: Map<string, ApprovedOrder>;
  /** Every approved order message, duplicates included (a duplicate is a finding). */
  approvedMessages: number;
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
}

/** Statuses that end an order: a first fill may be followed by more fills or the cancel of an IOC remainder. */
const FINISHED = new Set([OrderStatus.ORDER_STATUS_FILLED, OrderStatus.ORDER_STATUS_CANCELLED, OrderStatus.ORDER_STATUS_REJECTED, OrderStatus.ORDER_STATUS_EXPIRED]);

/**
 * The whole platform as real processes on real NATS JetStream and PostgreSQL, in a namespace and
 * schema of its own, with an observer recording the money streams from the start: what a
 * scenario drives, breaks and then checks.
 */
export class PlatformRun {
  readonly history: StreamHistory = { intents: new Map(), approved: new Map(), approvedMessages: 0, rejected: new Map(), reports: [] };

  private constructor(
    readonly env: TestEnvironment,
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
    await bootstrap({ nats: { servers: natsUrl }, namespace: env.namespace, replicas, shards: [{ symbols: options.symbols, venues: ['paper'] }] });
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
    const run = new PlatformRun(env, supervisor, observer, options, logs, exits);
    const h = run.history;
    const s = observer.subjects;
    await observer.follow('ORDERS', s.intentsAll(), OrderIntent, (i) => void h.intents.set(i.clientOrderId, i), { deliver: 'all' });
    await observer.follow('ORDERS', s.approvedAll(), ApprovedOrder, (a) => {
      h.approvedMessages += 1;
      h.approved.set(a.intent!.clientOrderId, a);
    }, { deliver: 'all' });
    await observer.follow('ORDERS', s.rejectedAll(), OrderRejection, (r) => void h.rejected.set(r.intent!.clientOrderId, r), { deliver: 'all' });
    await observer.follow('EXECUTIONS', s.executionsAll(), ExecutionReport, (r) => void h.reports.push(r), { deliver: 'all' });
    await supervisor.start();
    for (const name of SERVICES) await run.waitReady(name);
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
  waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs: number): Promise<NonNullable<T>> {
    return waitFor(what, check, timeoutMs, 100);
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
      const done = new Set(h.reports.filter((r) => FINISHED.has(r.status)).map((r) => r.clientOrderId));
      return [...h.intents.keys()].every((id) => h.approved.has(id) || h.rejected.has(id)) && [...h.approved.keys()].every((id) => done.has(id));
    }, timeoutMs, 200);
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
