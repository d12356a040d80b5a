import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateObjects } from '../src';
import type { RenderedObject } from '../src';
import { ofKind, podSpecOf, renderUmbrella, repoRoot } from './fixtures';

function kustomize(overlay: string): RenderedObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(repoRoot, 'k8s', overlay)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as RenderedObject);
}

/** Kubernetes quantities as numbers: cpu in millicores, the rest in bytes. */
function quantity(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) throw new Error(`unreadable quantity ${q}`);
  const scale: Record<string, number> = { '': 1, m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
  return Number(m[1]) * scale[m[2] ?? '']!;
}

/** What the platform's pods request in total (hook and test pods excluded: they run alone). */
function platformRequests(objects: readonly RenderedObject[]): Record<string, number> {
  const total: Record<string, number> = { pods: 0 };
  for (const d of ofKind(objects, 'Deployment')) {
    const replicas = Number((d.spec as any).replicas ?? 1);
    total.pods! += replicas;
    for (const c of podSpecOf(d).containers as any[]) {
      for (const [res, q] of Object.entries<string>(c.resources?.requests ?? {})) total[`requests.${res}`] = (total[`requests.${res}`] ?? 0) + replicas * quantity(String(q));
      for (const [res, q] of Object.entries<string>(c.resources?.limits ?? {})) total[`limits.${res}`] = (total[`limits.${res}`] ?? 0) + replicas * quantity(String(q));
    }
  }
  return total;
}

describe.each([
  ['dev', 'baseline', 'ci/dev-values.yaml'],
  ['prod', 'restricted', 'ci/prod-values.yaml'],
])('kustomize overlay %s', (overlay, podSecurity, valuesFile) => {
  const objects = kustomize(`overlays/${overlay}`);

  it('builds objects the Kubernetes API schemas accept', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(['LimitRange', 'Namespace', 'PriorityClass', 'ResourceQuota']);
    expect(validateObjects(objects)).toEqual([]);
  });

  it(`enforces the ${podSecurity} Pod Security Standard on the namespace`, () => {
    const ns = ofKind(objects, 'Namespace')[0]!;
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe(podSecurity);
  });

  it(`has a quota that holds the platform as ci/${overlay}-values.yaml deploys it`, () => {
    const hard: Record<string, string> = (ofKind(objects, 'ResourceQuota')[0]!.spec as any).hard;
    const needed = platformRequests(renderUmbrella([valuesFile]).objects);
    for (const [key, limit] of Object.entries(hard)) {
      if (needed[key] === undefined) continue;
      const have = key === 'pods' ? Number(limit) : quantity(limit);
      const need = needed[key];
      expect({ key, fits: need <= have, need, have }).toEqual({ key, fits: true, need, have });
    }
    // The quota counts hugepages only where it names them; prod pods request some.
    if (needed['requests.hugepages-2Mi']) expect(hard['requests.hugepages-2Mi']).toBeDefined();
  });

  it('defines the PriorityClass the values give the trading pods', () => {
    const classes = ofKind(objects, 'PriorityClass').map((p) => p.metadata.name);
    const used = new Set(ofKind(renderUmbrella([valuesFile]).objects, 'Deployment').map((d) => podSpecOf(d).priorityClassName).filter(Boolean));
    for (const c of used) expect(classes).toContain(c);
  });
});
