import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { renderChart } from '../src';
import type { RenderedChart, RenderedObject, RenderOptions } from '../src';
import type { VenueEndpoints } from './policies';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const chartsDir = join(repoRoot, 'charts');
export const umbrellaDir = join(chartsDir, 'meridian');

/** The service charts, in the order of the flow. */
export const serviceCharts = ['ingestion', 'order-book', 'inference', 'coordinator', 'risk', 'execution', 'recorder'] as const;
export type ServiceChart = (typeof serviceCharts)[number];
/** The services whose values take `shards` (one workload per shard). */
export const shardedServices: readonly ServiceChart[] = ['order-book', 'inference', 'execution'];

/** The umbrella's value sets: its defaults and every ci/*-values.yaml. */
export const valueSets = {
  defaults: [] as string[],
  dev: ['ci/dev-values.yaml'],
  'prod (pinned, hugepages, sharded)': ['ci/prod-values.yaml'],
  sharded: ['ci/sharded-values.yaml'],
  minimal: ['ci/minimal-values.yaml'],
} as const;
export type ValueSetName = keyof typeof valueSets;

export function renderUmbrella(files: readonly string[], values: Record<string, unknown> = {}, extra: Partial<RenderOptions> = {}): RenderedChart {
  return renderChart({ chartDir: umbrellaDir, valuesFiles: files.map((f) => join(umbrellaDir, f)), values, ...extra });
}

/** The umbrella's values as Helm would see them from its values.yaml and the given files (shallow per service). */
export function mergedValues(files: readonly string[]): Record<string, any> {
  const merged: Record<string, any> = parse(readFileSync(join(umbrellaDir, 'values.yaml'), 'utf8'));
  for (const f of files) {
    const layer: Record<string, any> = parse(readFileSync(join(umbrellaDir, f), 'utf8')) ?? {};
    for (const [k, v] of Object.entries(layer)) {
      merged[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? deepMerge(merged[k] ?? {}, v) : v;
    }
  }
  return merged;
}

function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' && a[k] !== null ? deepMerge(a[k], v) : v;
  }
  return out;
}

export function ofKind(objects: readonly RenderedObject[], kind: string): RenderedObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The chart (service) an object belongs to, from its app.kubernetes.io/name label. */
export function serviceOf(o: RenderedObject): string {
  return o.metadata.labels?.['app.kubernetes.io/name'] ?? '';
}

/** The env of a Deployment's first container as name → value (valueFrom entries as '<from secret>'). */
export function envOf(deployment: RenderedObject): Record<string, string> {
  const container = podSpecOf(deployment)?.containers?.[0];
  const env: Record<string, string> = {};
  for (const e of container?.env ?? []) env[e.name] = e.value ?? '<from secret>';
  return env;
}

/** The pod spec of a Deployment, Job or Pod. */
export function podSpecOf(o: RenderedObject): any {
  const spec = o.spec as any;
  if (o.kind === 'Pod') return spec;
  return spec?.template?.spec;
}

/**
 * The live venues' documented endpoints as the trading adapters define them (read from their
 * sources in libs/venue-trading), so the venue egress the charts open follows the adapters.
 */
export function documentedVenueEndpoints(): VenueEndpoints {
  const src = (path: string) => readFileSync(join(repoRoot, 'libs', 'venue-trading', 'src', path), 'utf8');
  const okx = src(join('okx', 'config.ts'));
  const constant = (name: string): string => {
    const m = new RegExp(`export const ${name} = '([^']+)'`).exec(okx);
    if (!m) throw new Error(`libs/venue-trading/src/okx/config.ts no longer defines ${name}`);
    return m[1]!;
  };
  const alpaca = /ALPACA_BASE_URLS[^{]*\{\s*paper: '([^']+)',\s*live: '([^']+)'/.exec(src(join('alpaca', 'options.ts')));
  if (!alpaca) throw new Error('libs/venue-trading/src/alpaca/options.ts no longer defines ALPACA_BASE_URLS as {paper, live}');
  return {
    okx: {
      rest: { demo: constant('OKX_DEMO_REST_URL'), live: constant('OKX_LIVE_REST_URL') },
      privateWs: { demo: constant('OKX_DEMO_PRIVATE_WS_URL'), live: constant('OKX_LIVE_PRIVATE_WS_URL') },
    },
    alpaca: { trading: { paper: alpaca[1]!, live: alpaca[2]! } },
  };
}
