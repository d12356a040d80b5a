import type { Metric } from 'prom-client';
import type { Metrics } from '@meridian/runtime';
import { METRIC_PREFIX } from '@meridian/runtime';

interface HistogramValue {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** One label set of a `HotHistogram`: observing is a bucket search and three additions. */
export class HotHistogramSeries {
  /** Per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export interface HotHistogramConfig<L extends string> {
  /** Without the platform prefix, as for `Metrics.histogram`. */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly buckets: readonly number[];
}

/**
 * A Prometheus histogram for a per-event hot path, read by the service's registry like any
 * other. prom-client's `observe` validates and hashes the labels on every call (a bound child
 * too), about 0.35 µs: at 200,000 events/s that is 7% of a core spent on one metric. Here a
 * caller binds a label set once (`series`) and an observation is a few additions; the
 * exposition (buckets, +Inf, _sum, _count, the registry's default labels) is the same.
 */
export class HotHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly bounds: Float64Array;
  private readonly all = new Map<string, HotHistogramSeries>();

  constructor(
    metrics: Metrics,
    private readonly config: HotHistogramConfig<L>,
  ) {
    this.name = METRIC_PREFIX + config.name;
    this.help = config.help;
    this.bounds = Float64Array.from([...config.buckets].sort((a, b) => a - b));
    // prom-client's registry takes any metric that answers `get()`; its type lists only its own classes.
    metrics.registry.registerMetric(this as unknown as Metric);
  }

  /** The series of one label set, created on first use; keep it and observe through it. */
  series(labels: Readonly<Record<L, string>>): HotHistogramSeries {
    const key = this.config.labelNames.map((n) => labels[n]).join('\u0000');
    let s = this.all.get(key);
    if (!s) {
      s = new HotHistogramSeries({ ...labels }, this.bounds);
      this.all.set(key, s);
    }
    return s;
  }

  /** What the registry formats: the shape prom-client's own histograms give it. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramValue[] }> {
    const values: HistogramValue[] = [];
    for (const s of this.all.values()) {
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: this.bounds[i]! }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** What `registry.resetMetrics()` calls: every series back to zero (bound series stay valid). */
  reset(): void {
    for (const s of this.all.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
