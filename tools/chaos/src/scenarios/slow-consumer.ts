import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Subjects, Topology } from '@meridian/bus';
import { SERVICES } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import { invariant } from '../invariants';
import type { PlatformRun } from '../platform-run';
import { untilWallClock } from '../scenario';
import type { Scenario } from '../scenario';
import { ServiceSampler } from '../service-sampler';
import type { ServiceSample } from '../service-sampler';

/** The consumer that stalls: the recorder reads every money stream and the bars, and nothing waits on it. */
const VICTIM = 'recorder' satisfies ServiceName;
/** Growth of a service's resident memory through the stall and the catch-up that still counts as bounded. */
export const RSS_GROWTH_BUDGET_BYTES = 64 * 1024 * 1024;
/** Samples before the stall that show the service's steady state. */
const BASELINE_MS = 5_000;
/** The recorder's lag at which it counts as past its start-up backlog. */
const STEADY_LAG = 50;
const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The recorder's durables as the server counts their backlog (num_pending + num_ack_pending): what KEDA reads. */
async function watchServerLag(platform: PlatformRun, log: (line: string) => void): Promise<{ readings: { at: number; lag: number; redelivered: number }[]; stop(): Promise<void> }> {
  const nc = await connect({ servers: platform.env.natsUrl, name: 'chaos-lag-reader' });
  const jsm = await jetstreamManager(nc);
  const durables = new Topology(new Subjects(platform.env.namespace)).durables(VICTIM, { symbols: platform.options.symbols, venues: [platform.options.venue ?? 'paper'] });
  const readings: { at: number; lag: number; redelivered: number }[] = [];
  let stopped = false;
  let failures = 0;
  const loop = (async () => {
    while (!stopped) {
      const at = Date.now();
      let lag = 0;
      let redelivered = 0;
      try {
        for (const d of durables) {
          const info = await jsm.consumers.info(d.stream, d.config.durable_name);
          lag += info.num_pending + info.num_ack_pending;
          redelivered += info.num_redelivered;
        }
        readings.push({ at, lag, redelivered });
      } catch (err) {
        // The server view is a second opinion; a failed reading is counted and the next one tried.
        failures += 1;
        if (failures === 1) log(`reading the recorder's consumers from the server failed: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    readings,
    stop: async () => {
      stopped = true;
      try {
        await loop;
      } finally {
        await nc.close();
      }
    },
  };
}

const maxOf = (xs: readonly (number | undefined)[]) => xs.reduce<number>((m, x) => (x !== undefined && x > m ? x : m), 0);
const median = (xs: readonly number[]) => (xs.length === 0 ? 0 : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
const rssOf = (samples: readonly ServiceSample[]) => maxOf(samples.map((s) => s.rss));

/**
 * One consumer stalls under load: the recorder is stopped (SIGSTOP: alive, connected, silent, as
 * a process stuck in a long GC or a hung event loop is) for `--outage` seconds, then continued.
 * Every service's /metrics is scraped throughout. The others must keep bounded memory (nothing
 * buffers for a consumer that does not read: the streams hold the backlog), the recorder's
 * consumer lag must show in its metrics and return to about 0 once it resumes, and nothing is lost.
 */
export const slowConsumer: Scenario = {
  name: 'slow-consumer',
  summary: 'stall the recorder (SIGSTOP) under load, then resume it: bounded memory elsewhere, consumer lag visible in metrics and back to ~0, nothing lost',
  async run(platform, options, log, context) {
    const stallMs = (options.outageSeconds ?? Math.max(10, Math.round(options.durationSeconds / 3))) * 1_000;
    const victim = platform.supervisor.processes.get(VICTIM)!;
    const sampler = new ServiceSampler(platform, 1_000);
    const server = await watchServerLag(platform, log);
    let stopped = false;
    try {
      await platform.waitFor('the first fills', () => platform.fills().length >= 3, 60_000);
      // A steady state to compare with: the recorder past the backlog of its own start-up.
      await platform.waitFor(`${VICTIM}'s consumer lag below ${STEADY_LAG}`, () => sampler.of(VICTIM).some((s) => s.lag !== undefined && s.lag <= STEADY_LAG), 60_000);
      await new Promise((r) => setTimeout(r, BASELINE_MS));
      const stallAt = Date.now();
      const fillsBefore = platform.fills().length;
      victim.child.kill('SIGSTOP');
      stopped = true;
      log(`stopped ${VICTIM} (SIGSTOP, pid ${victim.child.pid}) with ${fillsBefore} fills so far, for ${stallMs} ms`);
      await untilWallClock(stallAt + stallMs);
      const serverLagAtResume = server.readings.at(-1)?.lag ?? 0;
      victim.child.kill('SIGCONT');
      stopped = false;
      const resumeAt = Date.now();
      const fillsDuring = platform.fills().length - fillsBefore;
      log(`continued ${VICTIM} after ${resumeAt - stallAt} ms: ${fillsDuring} fills meanwhile, backlog ${serverLagAtResume} messages on the server`);

      const baseline = sampler.of(VICTIM, stallAt - BASELINE_MS, stallAt);
      // The bars consumer holds a whole batch unacknowledged while it writes it, so single readings
      // jump; the median is the steady backlog.
      const baselineLag = median(baseline.map((s) => s.lag).filter((x): x is number => x !== undefined));
      // About 0: no more than twice what the recorder had in hand while healthy under the same load.
      const caughtUpLag = Math.max(20, 2 * baselineLag);
      const caughtUp = await platform
        .waitFor(`${VICTIM}'s consumer lag back to at most ${caughtUpLag}`, () => sampler.of(VICTIM, resumeAt).find((s) => s.lag !== undefined && s.lag <= caughtUpLag), 120_000)
        // Never caught up is a finding, reported below as 'never'.
        .catch(() => undefined);
      const caughtUpAt = caughtUp?.at;
      // A little more of the steady state after the catch-up, for the memory figures.
      await new Promise((r) => setTimeout(r, 2_000));
      const end = Date.now();
      await sampler.stop();

      const during = sampler.of(VICTIM, stallAt, resumeAt);
      const after = sampler.of(VICTIM, resumeAt, end);
      const unansweredDuring = during.filter((s) => s.lag === undefined).length;
      const peakLagMetrics = maxOf(after.map((s) => s.lag));
      const firstAfter = after.find((s) => s.lag !== undefined);
      const peakLagServer = maxOf(server.readings.filter((r) => r.at >= stallAt && r.at <= end).map((r) => r.lag));
      const catchUpMs = caughtUpAt === undefined ? undefined : caughtUpAt - resumeAt;
      // Messages delivered again because their ack came late (the consumers' effective ack wait is their first backoff step).
      const peakRedelivered = maxOf(server.readings.filter((r) => r.at >= stallAt && r.at <= end).map((r) => r.redelivered));
      const peakByConsumer: Record<string, number> = {};
      for (const s of after) for (const [c, v] of Object.entries(s.lagByConsumer)) peakByConsumer[c] = Math.max(peakByConsumer[c] ?? 0, v);
      log(
        `${VICTIM}'s /metrics unanswered for ${unansweredDuring} of ${during.length} scrapes during the stall; first answer ${firstAfter ? `${firstAfter.at - resumeAt} ms after the resume, lag ${firstAfter.lag}` : 'never'}; ` +
          `peak lag ${peakLagMetrics} in its metrics, ${peakLagServer} on the server; back to <= ${caughtUpLag} after ${catchUpMs ?? 'never'} ms`,
      );

      // Memory: every service's peak through the stall and the catch-up against its last sample before.
      const memory: string[] = [];
      const growthProblems: string[] = [];
      const figures: Record<string, string | number> = {};
      for (const service of SERVICES) {
        const before = rssOf(sampler.of(service, stallAt - BASELINE_MS, stallAt));
        const peak = rssOf(sampler.of(service, stallAt, end));
        const growth = peak - before;
        memory.push(`${service} ${MiB(before)} -> ${MiB(peak)}`);
        figures[`max rss ${service}`] = `${MiB(rssOf(sampler.of(service)))} (${growth >= 0 ? '+' : ''}${MiB(growth)} through the stall)`;
        if (before === 0 || peak === 0) growthProblems.push(`${service}: no memory readings (${before === 0 ? 'before' : 'during'} the stall)`);
        else if (growth > RSS_GROWTH_BUDGET_BYTES) growthProblems.push(`${service} grew ${MiB(growth)} (${MiB(before)} -> ${MiB(peak)})`);
      }
      context.findings.push(
        invariant(`every service's memory bounded through the stall (growth <= ${MiB(RSS_GROWTH_BUDGET_BYTES)})`, growthProblems, memory.join(', ')),
        invariant(
          `${VICTIM}'s consumer lag visible in its metrics and back to ~0 after the resume`,
          [
            ...(peakLagMetrics <= caughtUpLag ? [`peak lag in its metrics after the resume ${peakLagMetrics}, not above ${caughtUpLag}, twice the steady ${baselineLag} (the server counted ${peakLagServer})`] : []),
            ...(catchUpMs === undefined ? [`lag still above ${caughtUpLag} 120 s after the resume (last reading: ${JSON.stringify(after.filter((s) => s.lag !== undefined).at(-1)?.lagByConsumer ?? {})})`] : []),
          ],
          `peak ${peakLagMetrics} (server ${peakLagServer}), back to <= ${caughtUpLag} ${catchUpMs} ms after the resume`,
        ),
      );
      return {
        'stall ms': resumeAt - stallAt,
        'fills during the stall': fillsDuring,
        'peak lag (recorder metrics)': peakLagMetrics,
        'peak lag by consumer': Object.entries(peakByConsumer).filter(([, v]) => v > 0).map(([c, v]) => `${c} ${v}`).join(', '),
        'peak lag (server)': peakLagServer,
        'peak redelivered (server)': peakRedelivered,
        'steady lag before the stall (median)': baselineLag,
        'catch-up ms': catchUpMs ?? 'never',
        'recorder scrapes unanswered in the stall': `${unansweredDuring} of ${during.length}`,
        ...figures,
        fills: platform.fills().length,
      };
    } finally {
      // Never leave a stopped process behind: it would ignore the supervisor's SIGTERM.
      if (stopped) victim.child.kill('SIGCONT');
      try {
        await sampler.stop();
      } finally {
        await server.stop();
      }
    }
  },
};
