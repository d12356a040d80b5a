import { checkInvariants } from './invariants';
import type { Invariant } from './invariants';
import { PlatformRun } from './platform-run';
import type { PlatformRunOptions } from './platform-run';
import type { Scenario, ScenarioOptions } from './scenario';
import { NatsCluster, TcpProxy, testServers } from '@meridian/testkit';

export interface ScenarioReport {
  scenario: string;
  options: ScenarioOptions;
  figures: Record<string, string | number>;
  invariants: Invariant[];
  /** Every invariant held. */
  passed: boolean;
  /** Where the services' logs were written. */
  logFile: string;
}

/**
 * Starts the platform, runs the scenario, brings the platform to rest (source stopped, every
 * order finished) and checks the invariants. The platform is always stopped and its namespace
 * and schema removed.
 */
export async function runScenario(scenario: Scenario, options: ScenarioOptions, log: (line: string) => void = () => {}): Promise<ScenarioReport> {
  const started = Date.now();
  const cluster = scenario.natsCluster ? await NatsCluster.start(scenario.natsCluster) : undefined;
  let proxy: TcpProxy | undefined;
  let platform: PlatformRun;
  try {
    let serviceEnv: PlatformRunOptions['serviceEnv'];
    if (scenario.recorderDatabaseProxy) {
      const { databaseUrl } = await testServers();
      const target = new URL(databaseUrl);
      proxy = await TcpProxy.start({ targetHost: target.hostname.replace(/^\[|\]$/g, ''), targetPort: Number(target.port || 5432) });
      serviceEnv = { recorder: { DATABASE_URL: proxy.rewriteUrl(databaseUrl) } };
    }
    platform = await PlatformRun.start({ symbols: options.symbols, ...(cluster ? { nats: { url: cluster.url, replicas: Math.min(3, cluster.size) } } : {}), ...(serviceEnv ? { serviceEnv } : {}) });
  } catch (err) {
    await proxy?.stop();
    await cluster?.stop();
    throw err;
  }
  const logFile = platform.logFile;
  try {
    log(`platform up in ${Date.now() - started} ms (namespace ${platform.env.namespace}${cluster ? `, NATS cluster of ${cluster.size}` : ''})`);
    const figures = await scenario.run(platform, options, log, { cluster, recorderDatabase: proxy });
    await platform.quiesce();
    const invariants = await checkInvariants(platform);
    figures['intents'] = platform.history.intents.size;
    figures['approved'] = platform.history.approved.size;
    figures['rejected'] = platform.history.rejected.size;
    figures['seconds'] = Math.round((Date.now() - started) / 1_000);
    return { scenario: scenario.name, options, figures, invariants, passed: invariants.every((i) => i.holds), logFile };
  } finally {
    await platform.stop();
    await proxy?.stop();
    await cluster?.stop();
  }
}

export function formatReport(report: ScenarioReport): string {
  const lines = [`scenario ${report.scenario} (seed ${report.options.seed}, ${report.options.durationSeconds} s, ${report.options.symbols.join(',')})`];
  for (const [k, v] of Object.entries(report.figures)) lines.push(`  ${k.padEnd(28)} ${v}`);
  for (const i of report.invariants) lines.push(`  ${i.holds ? 'HOLDS ' : 'BROKEN'} ${i.name}: ${i.detail}`);
  lines.push(`  ${report.passed ? 'passed' : 'FAILED'}; service logs in ${report.logFile}`);
  return lines.join('\n');
}
