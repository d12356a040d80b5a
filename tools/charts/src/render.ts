import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object and the template it came from. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface RenderedChart {
  /** The manifests as the renderer printed them. */
  readonly manifests: string;
  readonly objects: RenderedObject[];
  /** Template path of each object (same index as objects). */
  readonly sources: string[];
  readonly renderer: 'helm' | 'helm-render';
}

export interface RenderOptions {
  chartDir: string;
  release?: string;
  namespace?: string;
  /** Values files, applied in order (helm -f). */
  valuesFiles?: string[];
  /** Values applied last, over the files. */
  values?: Record<string, unknown>;
  /** Kubernetes version .Capabilities reports; default 1.29.0. */
  kubeVersion?: string;
  /** Extra API versions the cluster serves (e.g. keda.sh/v1alpha1). */
  apiVersions?: string[];
}

/** helm (or its stand-in) refused the chart; `message` is the renderer's own, e.g. a fail message. */
export class ChartRenderError extends Error {
  constructor(
    readonly chartDir: string,
    readonly renderer: string,
    readonly detail: string,
  ) {
    super(`${renderer} could not render ${chartDir}: ${detail}`);
    this.name = 'ChartRenderError';
  }
}

const standIn = resolve(__dirname, '..', 'dist', 'helm-render');

/** True when a helm binary is on PATH (and MERIDIAN_CHART_RENDERER does not ask for the stand-in). */
export function helmOnPath(): boolean {
  if (process.env.MERIDIAN_CHART_RENDERER === 'helm-render') return false;
  return spawnSync('helm', ['version', '--short'], { stdio: 'ignore' }).status === 0;
}

/** Renders a chart as `helm template` does: with helm when it is on PATH, else with helm-render. */
export function renderChart(options: RenderOptions): RenderedChart {
  const request = {
    chartDir: resolve(options.chartDir),
    release: options.release ?? 'meridian',
    namespace: options.namespace ?? 'meridian',
    valuesFiles: (options.valuesFiles ?? []).map((f) => resolve(f)),
    values: options.values ?? {},
    kubeVersion: options.kubeVersion ?? '1.29.0',
    apiVersions: options.apiVersions ?? [],
  };
  const renderer = helmOnPath() ? 'helm' : 'helm-render';
  const manifests = renderer === 'helm' ? renderWithHelm(request) : renderWithStandIn(request);
  return { manifests, renderer, ...parseManifests(manifests) };
}

type Request = Required<Omit<RenderOptions, 'values'>> & { values: Record<string, unknown> };

function renderWithStandIn(request: Request): string {
  const run = spawnSync(standIn, [], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error) {
    throw new ChartRenderError(request.chartDir, 'helm-render', `${run.error.message} (run render/ensure-renderer.sh first)`);
  }
  if (run.status !== 0) throw new ChartRenderError(request.chartDir, 'helm-render', run.stderr.replace(/^Error: /, '').trim());
  return run.stdout;
}

function renderWithHelm(request: Request): string {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-values-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(request.values));
    // file:// dependencies are packaged into charts/ first, as `helm install` needs them.
    execFileSync('helm', ['dependency', 'build', '--skip-refresh', request.chartDir], { stdio: 'ignore' });
    const args = ['template', request.release, request.chartDir, '--namespace', request.namespace, '--kube-version', request.kubeVersion];
    for (const api of request.apiVersions) args.push('--api-versions', api);
    for (const file of [...request.valuesFiles, valuesFile]) args.push('--values', file);
    const run = spawnSync('helm', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new ChartRenderError(request.chartDir, 'helm', run.stderr.replace(/^Error: /, '').trim());
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseManifests(manifests: string): { objects: RenderedObject[]; sources: string[] } {
  const objects: RenderedObject[] = [];
  const sources: string[] = [];
  for (const doc of parseAllDocuments(manifests)) {
    if (doc.errors.length > 0) throw new ChartRenderError('(output)', 'yaml', doc.errors.map((e) => e.message).join('; '));
    const value = doc.toJS() as RenderedObject | null;
    if (value === null) continue;
    // The yaml parser keeps a comment without its '#': " Source: meridian/templates/x.yaml".
    const comments = `${doc.commentBefore ?? ''}\n${doc.contents?.commentBefore ?? ''}`;
    const source = /^\s*#?\s*Source: (\S+)/m.exec(comments)?.[1];
    objects.push(value);
    sources.push(source ?? '');
  }
  return { objects, sources };
}

/**
 * `helm lint --strict` of a chart with the given values files; throws ChartRenderError with helm's
 * findings. Only with a helm binary (the stand-in renders, it does not lint).
 */
export function lintChart(chartDir: string, valuesFiles: readonly string[] = []): void {
  execFileSync('helm', ['dependency', 'build', '--skip-refresh', chartDir], { stdio: 'ignore' });
  const args = ['lint', '--strict', chartDir, ...valuesFiles.flatMap((f) => ['--values', resolve(f)])];
  const run = spawnSync('helm', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new ChartRenderError(chartDir, 'helm lint', `${run.stdout}\n${run.stderr}`.trim());
}
