import type { ServiceName } from '@meridian/platform';
import type { NatsCluster, TcpProxy, TestEnvironment } from '@meridian/testkit';
import type { Invariant } from './invariants';
import type { PlatformRun } from './platform-run';

/** How long and how hard a scenario runs; the CI subset uses the short settings. */
export interface ScenarioOptions {
  /** Seconds of load, faults included. */
  durationSeconds: number;
  /** Seeds the choice and timing of faults, so a failing run can be replayed. */
  seed: number;
  symbols: string[];
  /** Length of the injected outage where a scenario has one (postgres-outage, slow-consumer); its own default otherwise. */
  outageSeconds?: number;
}

/**
 * Something a scenario runs beside the platform for its whole life (a venue server the execution
 * service trades on): started before the services, so their environment can point at it.
 */
export interface ScenarioHost {
  /** Environment of one service over the platform's defaults (e.g. execution's VENUE and its URLs). */
  readonly serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The venue the shard executes on (bootstrap provisions execution's consumers for it); default paper. */
  readonly venue?: string;
  /** Called once the run's namespace and streams exist and before any service starts. */
  attach?(env: TestEnvironment, natsUrl: string): Promise<void>;
  /** Stops whatever it started; called after the platform stopped, also when the start failed. */
  stop(): Promise<void>;
}

/** A fault scenario: what it does to a running platform, and the figures it reports. */
export interface Scenario {
  name: string;
  summary: string;
  /** A NATS cluster of this many nodes (R3 streams) instead of the machine's server. */
  natsCluster?: number;
  /** The recorder reaches PostgreSQL through a TcpProxy the scenario can cut. */
  recorderDatabaseProxy?: boolean;
  /** Starts what the scenario hosts beside the platform; the runner hands it back as `context.host`. */
  host?(options: ScenarioOptions, log: (line: string) => void): Promise<ScenarioHost>;
  /** Drives load and faults; returns figures (recovery times, faults injected, ...). */
  run(platform: PlatformRun, options: ScenarioOptions, log: (line: string) => void, context: ScenarioContext): Promise<Record<string, string | number>>;
  /** Invariants of this scenario's own, checked after the platform's once it has quiesced. */
  invariants?(platform: PlatformRun, context: ScenarioContext): Promise<Invariant[]>;
}

/** What the runner set up for a scenario besides the platform. */
export interface ScenarioContext {
  cluster?: NatsCluster;
  /** The proxy between the recorder and PostgreSQL, when the scenario asked for it. */
  recorderDatabase?: TcpProxy;
  /** What the scenario's `host` started. */
  host?: ScenarioHost;
  /**
   * Properties the scenario checked during its run (readiness, lag, memory), reported with the
   * platform's invariants; one that does not hold fails the run like any other.
   */
  findings: Invariant[];
}

/**
 * Waits until the wall clock (`Date.now()`) reaches `atMs`. A scenario's figures are differences of
 * `Date.now()`, and a timer may fire a millisecond early by that clock, so one `setTimeout` for the
 * time left can end an outage a millisecond short of its length.
 */
export async function untilWallClock(atMs: number): Promise<void> {
  for (let left = atMs - Date.now(); left > 0; left = atMs - Date.now()) await new Promise((r) => setTimeout(r, left));
}
