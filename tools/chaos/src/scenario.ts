import type { NatsCluster, TcpProxy } from '@meridian/testkit';
import type { PlatformRun } from './platform-run';

/** How long and how hard a scenario runs; the CI subset uses the short settings. */
export interface ScenarioOptions {
  /** Seconds of load, faults included. */
  durationSeconds: number;
  /** Seeds the choice and timing of faults, so a failing run can be replayed. */
  seed: number;
  symbols: string[];
  /** Length of the injected outage where a scenario has one (postgres-outage); its own default otherwise. */
  outageSeconds?: number;
}

/** A fault scenario: what it does to a running platform, and the figures it reports. */
export interface Scenario {
  name: string;
  summary: string;
  /** A NATS cluster of this many nodes (R3 streams) instead of the machine's server. */
  natsCluster?: number;
  /** The recorder reaches PostgreSQL through a TcpProxy the scenario can cut. */
  recorderDatabaseProxy?: boolean;
  /** Drives load and faults; returns figures (recovery times, faults injected, ...). */
  run(platform: PlatformRun, options: ScenarioOptions, log: (line: string) => void, context: ScenarioContext): Promise<Record<string, string | number>>;
}

/** What the runner set up for a scenario besides the platform. */
export interface ScenarioContext {
  cluster?: NatsCluster;
  /** The proxy between the recorder and PostgreSQL, when the scenario asked for it. */
  recorderDatabase?: TcpProxy;
}
