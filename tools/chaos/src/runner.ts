import { checkInvariants } from './invariants';
import type { Invariant } from './invariants';
import { PlatformRun } from './platform-run';
import type { PlatformRunOptions } from './platform-run';
import type { Scenario, ScenarioContext, ScenarioHost, ScenarioOptions } from './scenario';
import type { ServiceName } from '@meridian/platform';
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
  let host: ScenarioHost | undefined;
  let platform: PlatformRun;
  try {
    const serviceEnv: NonNullable<PlatformRunOptions['serviceEnv']> = {};
    if (scenario.recorderDatabaseProxy) {
      const { databaseUrl } = await testServers();
      const target = new URL(databaseUrl);
      proxy = await TcpProxy.start({ targetHost: target.hostname.replace(/^\[|\]$/g, ''), targetPort: Number(target.port || 5432) });
      serviceEnv.recorder = { DATABASE_URL: proxy.rewriteUrl(databaseUrl) };
    }
    host = await scenario.host?.(options, log);
    for (const [service, env] of Object.entries(host?.serviceEnv ?? {}) as [ServiceName, Record<string, string>][]) serviceEnv[service] = { ...serviceEnv[service], ...env };
    const attach = host?.attach?.bind(host);
    platform = await PlatformRun.start({
      symbols: options.symbols,
      ...(cluster ? { nats: { url: cluster.url, replicas: Math.min(3, cluster.size) } } : {}),
      serviceEnv,
      ...(host?.venue ? { venue: host.venue } : {}),
      ...(attach ? { beforeServices: attach } : {}),
    });
  } catch (err) {
    await host?.stop();
    await proxy?.stop();
    await cluster?.stop();
    throw err;
  }
  const logFile = platform.logFile;
  try {
    log(`platform up in ${Date.now() - started} ms (namespace ${platform.env.namespace}${cluster ? `, NATS cluster of ${cluster.size}` : ''}${host?.venue ? `, executing on ${host.venue}` : ''})`);
    const context: ScenarioContext = { cluster, recorderDatabase: proxy, host, findings: [] };
    const figures = await scenario.run(platform, options, log, context);
    await platform.quiesce();
    const invariants = [...(await checkInvariants(platform)), ...context.findings];
    if (scenario.invariants) invariants.push(...(await scenario.invariants(platform, context)));
    figures['intents'] = platform.history.intents.size;
    figures['approved'] = platform.history.approved.size;
    figures['rejected'] = platform.history.rejected.size;
    figures['seconds'] = Math.round((Date.now() - started) / 1_000);
    return { scenario: scenario.name, options, figures, invariants, passed: invariants.every((i) => i.holds), logFile };
  } finally {
    await platform.stop();
    await host?.stop();
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
