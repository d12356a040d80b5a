import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration } from 'prom-client';
import type { BoundConsumer, BusObserver, ConsumerLag, DeliveryOutcome } from '@meridian/bus';
import type { Health } from './health';
import { withDeadline } from './deadline';

/** Every metric of the platform starts with this. */
export const METRIC_PREFIX = 'meridian_';

/** Sub-millisecond resolution for hot-path latencies, up to seconds for slow paths. */
export const LATENCY_BUCKETS_SECONDS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Longest a scrape waits for the server's answer about one consumer; a consumer without one is left out. */
export const CONSUMER_LAG_TIMEOUT_MS = 2_000;

/** Per-symbol durable names would explode cardinality; keep the part before the symbol. */
function consumerGroup(name: string, symbol?: string): string {
  if (symbol !== undefined && name.endsWith(`-${symbol}`)) return name.slice(0, -(symbol.length + 1));
  return name.replace(/-[A-Z0-9_-]+$/, '');
}

/** `lag()` of one consumer, or undefined if NATS does not answer in time. */
function lagWithin(consumer: BoundConsumer, ms: number): Promise<ConsumerLag | undefined> {
  return withDeadline(
    consumer.lag().catch(() => undefined),
    ms,
    () => undefined,
  );
}

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

  private readinessOf: Pick<Health, 'report'> | undefined;

  /**
   * Exports readiness at scrape time: `meridian_ready` (1 while every check passes and the service
   * is not shutting down, else 0) and `meridian_readiness_check{check}` (1 or 0 per named check).
   * The HTTP surface calls it with the service's Health; a second call replaces the source.
   */
  trackReadiness(health: Pick<Health, 'report'>): void {
    const first = this.readinessOf === undefined;
    this.readinessOf = health;
    if (!first) return;
    const source = () => this.readinessOf!.report();
    this.gauge({
      name: 'ready',
      help: '1 while the service is ready (what /readyz and gRPC health report), else 0',
      collect() {
        this.set(source().ready ? 1 : 0);
      },
    });
    this.gauge({
      name: 'readiness_check',
      help: 'Each readiness check of the service: 1 passing, 0 failing',
      labelNames: ['check'],
      collect() {
        this.reset();
        for (const [check, ok] of Object.entries(source().checks)) this.set({ check }, ok ? 1 : 0);
      },
    });
  }

  /**
   * Backs the bus's observer with counters and latency histograms per subject template, and the
   * backlog of every durable consumer the bus binds, asked from the server at scrape time.
   */
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
    // Bound durables, read at scrape time: one request per consumer, the two gauges share it.
    const bound = new Set<BoundConsumer>();
    let reading: Promise<{ consumer: BoundConsumer; lag: ConsumerLag | undefined }[]> | undefined;
    const readLags = () => {
      reading ??= Promise.all([...bound].map(async (consumer) => ({ consumer, lag: await lagWithin(consumer, CONSUMER_LAG_TIMEOUT_MS) }))).finally(() => {
        reading = undefined;
      });
      return reading;
    };
    const labelsOf = (c: BoundConsumer) => ({ stream: c.stream, consumer: consumerGroup(c.name, c.symbol), symbol: c.symbol ?? '' });
    this.gauge({
      name: 'bus_consumer_lag_messages',
      help: 'Backlog of a bound durable consumer: messages not yet delivered plus delivered and not yet acknowledged (num_pending + num_ack_pending), read from the server at scrape time',
      labelNames: ['stream', 'consumer', 'symbol'],
      async collect() {
        const lags = await readLags();
        this.reset();
        for (const { consumer, lag } of lags) if (lag) this.inc(labelsOf(consumer), lag.pending + lag.ackPending);
      },
    });
    this.gauge({
      name: 'bus_consumer_ack_pending_messages',
      help: 'Messages of a bound durable consumer delivered and not yet acknowledged (num_ack_pending), read from the server at scrape time',
      labelNames: ['stream', 'consumer', 'symbol'],
      async collect() {
        const lags = await readLags();
        this.reset();
        for (const { consumer, lag } of lags) if (lag) this.inc(labelsOf(consumer), lag.ackPending);
      },
    });
    return {
      published(template: string, seconds: number) {
        published.inc({ subject: template });
        publishSeconds.observe({ subject: template }, seconds);
      },
      handled(template: string, consumer: string, outcome: DeliveryOutcome, seconds: number) {
        handled.inc({ subject: template, consumer: consumerGroup(consumer), outcome });
        handleSeconds.observe({ subject: template }, seconds);
      },
      rejected(template: string, reason: string) {
        rejected.inc({ subject: template, reason });
      },
      consumerBound(consumer: BoundConsumer) {
        bound.add(consumer);
      },
      consumerUnbound(consumer: BoundConsumer) {
        bound.delete(consumer);
      },
    };
  }
}
