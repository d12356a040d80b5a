import { ChaosError } from './errors';

/** One sample of the Prometheus text format: `name{labels} value`. */
export interface MetricSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A line of the exposition that is neither a comment nor a sample. */
export class MetricsFormatError extends ChaosError {
  constructor(line: string, why: string) {
    super(`metrics line ${JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line)}: ${why}`, 'CHAOS_METRICS_FORMAT');
    this.name = 'MetricsFormatError';
  }
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const m = LABEL.exec(text);
    if (!m) throw new MetricsFormatError(line, `labels unreadable from character ${start}`);
    out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

function parseValue(text: string, line: string): number {
  // Prometheus reads these as Go's ParseFloat does, case-insensitively (prom-client writes `Nan`).
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new MetricsFormatError(line, `value ${JSON.stringify(text)} is not a number`);
  return v;
}

/** Parses the Prometheus text exposition format (what every service's /metrics answers). */
export function parseMetrics(text: string): MetricSample[] {
  const out: MetricSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new MetricsFormatError(line, 'not `name{labels} value`');
    out.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2], line) : {}, value: parseValue(m[3]!, line) });
  }
  return out;
}

/** The sum of every sample of `name` whose labels include `labels`; undefined when there is none. */
export function metricSum(samples: readonly MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    sum = (sum ?? 0) + s.value;
  }
  return sum;
}

/**
 * One scrape of a service's /metrics, or undefined when it does not answer within `timeoutMs` (a
 * stopped or dead process; the caller counts those).
 */
export async function scrapeMetrics(httpPort: number, timeoutMs = 2_000): Promise<MetricSample[] | undefined> {
  let text: string;
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.status !== 200) return undefined;
    text = await res.text();
  } catch {
    // No answer is the finding here (a stalled process); the sampler records it.
    return undefined;
  }
  return parseMetrics(text);
}
