import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client';
import type { BusObserver, DeliveryOutcome } from '@meridian/bus';

/** Every metric of the platform starts with this. */
export const METRIC_PREFIX = 'meridian_';

/** Sub-millisecond resolution for hot-path latencies, up to seconds for slow paths. */
export const LATENCY_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/**
 * One Prometheus registry per service, with the platform prefix added to every name, the
 * process's default metrics, and a `meridian_build_info` gauge.
 */
export class Metrics {
  readonly registry = new Registry();

  constructor(
    readonly service: string,
    version: string,
  ) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: METRIC_PREFIX });
    this.gauge({ name: 'build_info', help: 'Build metadata; always 1', labelNames: ['version', 'node'] }).set(
      { version, node: process.version },
      1,
    );
  }

  counter<L extends string>(cfg: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return new Counter<L>({ ...cfg, name: METRIC_PREFIX + cfg.name, registers: [this.registry] });
  }

  gauge<L extends string>(cfg: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return new Gauge<L>({ ...cfg, name: METRIC_PREFIX + cfg.name, registers: [this.registry] });
  }

  histogram<L extends string>(cfg: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return new Histogram<L>({ buckets: LATENCY_BUCKETS_SECONDS, ...cfg, name: METRIC_PREFIX + cfg.name, registers: [this.registry] });
  }

  /** Backs the bus's observer with counters and latency histograms per subject template. */
  busObserver(): BusObserver {
    const published = this.counter({ name: 'bus_published_messages_total', help: 'Messages published', labelNames: ['subject'] });
    const publishSeconds = this.histogram({ name: 'bus_publish_seconds', help: 'Time to a JetStream publish ack', labelNames: ['subject'] });
    const handled = this.counter({
      name: 'bus_handled_messages_total',
      help: 'Messages handled by outcome (ack, retry, dead_letter, rejected)',
      labelNames: ['subject', 'consumer', 'outcome'],
    });
    const handleSeconds = this.histogram({ name: 'bus_handle_seconds', help: 'Handler time per message', labelNames: ['subject'] });
    const rejected = this.counter({
      name: 'bus_rejected_messages_total',
      help: 'Messages refused before or by their handler, by reason',
      labelNames: ['subject', 'reason'],
    });
    return {
      published(template: string, seconds: number) {
        published.inc({ subject: template });
        publishSeconds.observe({ subject: template }, seconds);
      },
      handled(template: string, consumer: string, outcome: DeliveryOutcome, seconds: number) {
        // Per-symbol durable names would explode cardinality; keep the part before the symbol.
        handled.inc({ subject: template, consumer: consumer.replace(/-[A-Z0-9_-]+$/, ''), outcome });
        handleSeconds.observe({ subject: template }, seconds);
      },
      rejected(template: string, reason: string) {
        rejected.inc({ subject: template, reason });
      },
    };
  }
}
