import { readFile } from 'node:fs/promises';
import { SERVICES } from '@meridian/platform';
import type { ServiceName } from '@meridian/platform';
import { metricSum, scrapeMetrics } from './metrics';
import type { PlatformRun } from './platform-run';

/** Resident memory from the process's own /metrics, or from /proc when its /metrics did not answer. */
export const RSS_METRIC = 'meridian_process_resident_memory_bytes';
/** The platform's consumer-lag gauge (libs/runtime busObserver): num_pending + num_ack_pending per bound durable, read at scrape time. */
export const LAG_METRIC = 'meridian_bus_consumer_lag_messages';

export interface ServiceSample {
  readonly at: number;
  readonly service: ServiceName;
  /** Resident set size, bytes; undefined when neither /metrics nor /proc answered. */
  readonly rss: number | undefined;
  readonly rssFrom: 'metrics' | 'proc' | 'none';
  /** The sum of the service's consumer-lag gauge; undefined when /metrics did not answer. */
  readonly lag: number | undefined;
  /** The gauge per consumer group (`recorder-bars`, ...). */
  readonly lagByConsumer: Readonly<Record<string, number>>;
}

async function procRss(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    // The process is gone (or this is no Linux): the sample says so with rssFrom 'none'.
    return undefined;
  }
}

/**
 * Scrapes every service's /metrics every `intervalMs` (in parallel; a scrape that does not answer
 * within the interval counts as unanswered) and keeps the samples: resident memory and consumer
 * lag over time, per service.
 */
export class ServiceSampler {
  readonly samples: ServiceSample[] = [];
  private stopped = false;
  private failure: unknown;
  private readonly loop: Promise<void>;

  constructor(
    private readonly platform: PlatformRun,
    private readonly intervalMs = 500,
  ) {
    // A failure ends the sampling and is thrown by stop(), not left as an unhandled rejection.
    this.loop = this.run().catch((err: unknown) => void (this.failure = err));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now();
      await Promise.all(SERVICES.map((s) => this.sample(s)));
      await new Promise((r) => setTimeout(r, Math.max(0, this.intervalMs - (Date.now() - started))));
    }
  }

  private async sample(service: ServiceName): Promise<void> {
    const p = this.platform.supervisor.processes.get(service);
    if (!p) return;
    // A process that exited before reporting its ports has no /metrics: a sample without readings.
    const http = await p.ports.then((ports) => ports.http).catch(() => undefined);
    const at = Date.now();
    const metrics = http === undefined ? undefined : await scrapeMetrics(http, Math.max(250, this.intervalMs * 2));
    if (metrics) {
      const lagByConsumer: Record<string, number> = {};
      for (const m of metrics) if (m.name === LAG_METRIC) lagByConsumer[m.labels['consumer'] ?? '?'] = (lagByConsumer[m.labels['consumer'] ?? '?'] ?? 0) + m.value;
      this.samples.push({ at, service, rss: metricSum(metrics, RSS_METRIC), rssFrom: 'metrics', lag: metricSum(metrics, LAG_METRIC), lagByConsumer });
      return;
    }
    const rss = await procRss(p.child.pid);
    this.samples.push({ at, service, rss, rssFrom: rss === undefined ? 'none' : 'proc', lag: undefined, lagByConsumer: {} });
  }

  /** The samples of one service taken in [from, to]. */
  of(service: ServiceName, from = 0, to = Number.POSITIVE_INFINITY): ServiceSample[] {
    return this.samples.filter((s) => s.service === service && s.at >= from && s.at <= to);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.failure !== undefined) throw this.failure;
  }
}
