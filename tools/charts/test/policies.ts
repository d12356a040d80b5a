/**
 * The platform's deployment policies as checks over rendered objects. Each returns the list of
 * violations, worded so that a failing test says which object broke which rule.
 */
import type { RenderedObject } from '../src';
import { envOf, ofKind, podSpecOf } from './fixtures';

const podKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'Pod']);

function id(o: RenderedObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

function podLabels(o: RenderedObject): Record<string, string> {
  return o.kind === 'Pod' ? (o.metadata.labels ?? {}) : ((o.spec as any)?.template?.metadata?.labels ?? {});
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Every object carrying pods, with its containers (init containers included). */
function podObjects(objects: readonly RenderedObject[]): RenderedObject[] {
  return objects.filter((o) => podKinds.has(o.kind));
}

function containersOf(o: RenderedObject): any[] {
  const spec = podSpecOf(o);
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
}

/** Selectors match their own pods only, never on helm.sh/chart (it changes on every upgrade). */
export function selectorViolations(objects: readonly RenderedObject[]): string[] {
  const out: string[] = [];
  const deployments = ofKind(objects, 'Deployment');
  for (const d of deployments) {
    const selector = (d.spec as any).selector?.matchLabels;
    if (!matches(selector, podLabels(d))) out.push(`${id(d)}: selector ${JSON.stringify(selector)} does not match its pod labels`);
    if (selector?.['helm.sh/chart']) out.push(`${id(d)}: selector uses helm.sh/chart`);
    const others = deployments.filter((x) => x !== d && matches(selector, podLabels(x)));
    if (others.length > 0) out.push(`${id(d)}: selector also matches ${others.map(id).join(', ')}`);
  }
  for (const kind of ['Service', 'PodDisruptionBudget'] as const) {
    for (const s of ofKind(objects, kind)) {
      const selector = kind === 'Service' ? (s.spec as any).selector : (s.spec as any).selector?.matchLabels;
      if (selector?.['helm.sh/chart']) out.push(`${id(s)}: selector uses helm.sh/chart`);
      const selected = deployments.filter((d) => matches(selector, podLabels(d)));
      if (selected.length !== 1) out.push(`${id(s)}: selects ${selected.length} workloads (${selected.map(id).join(', ')}), expected exactly one`);
    }
  }
  return out;
}

/**
 * Non-root, read-only root filesystem, no privilege escalation, no capabilities, seccomp.
 * `writableRoot` admits a writable root filesystem in the service pods (Tilt's dev values).
 */
export function securityViolations(objects: readonly RenderedObject[], options: { writableRoot?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const o of podObjects(objects)) {
    const spec = podSpecOf(o);
    const pod = spec?.securityContext ?? {};
    if (pod.runAsNonRoot !== true) out.push(`${id(o)}: pod runAsNonRoot is not true`);
    if (pod.runAsUser === 0) out.push(`${id(o)}: pod runs as uid 0`);
    if (pod.seccompProfile?.type !== 'RuntimeDefault') out.push(`${id(o)}: pod seccomp profile is not RuntimeDefault`);
    if (spec?.automountServiceAccountToken !== false) out.push(`${id(o)}: mounts a service-account token`);
    for (const c of containersOf(o)) {
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true && !(options.writableRoot && o.kind === 'Deployment')) out.push(`${id(o)} container ${c.name}: root filesystem is writable`);
      if (sc.allowPrivilegeEscalation !== false) out.push(`${id(o)} container ${c.name}: allows privilege escalation`);
      if (sc.privileged === true) out.push(`${id(o)} container ${c.name}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${id(o)} container ${c.name}: does not drop ALL capabilities`);
      if ((sc.capabilities?.add ?? []).length > 0) out.push(`${id(o)} container ${c.name}: adds capabilities`);
      if (sc.runAsUser === 0) out.push(`${id(o)} container ${c.name}: runs as uid 0`);
    }
  }
  return out;
}

/** Every service container has startup, readiness and liveness probes on its own ports. */
export function probeViolations(objects: readonly RenderedObject[]): string[] {
  const out: string[] = [];
  for (const d of ofKind(objects, 'Deployment')) {
    for (const c of podSpecOf(d).containers as any[]) {
      const ports = new Set<string | number>((c.ports ?? []).flatMap((p: any) => [p.name, p.containerPort]));
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const p = c[probe];
        if (!p) {
          out.push(`${id(d)} container ${c.name}: no ${probe}`);
          continue;
        }
        const port = p.httpGet?.port ?? p.grpc?.port;
        if (port === undefined || !ports.has(port)) out.push(`${id(d)} container ${c.name}: ${probe} targets port ${String(port)}, which the container does not expose`);
      }
    }
  }
  return out;
}

function quantityToMillis(q: unknown): number | undefined {
  if (q === undefined || q === null) return undefined;
  const s = String(q);
  if (/^\d+m$/.test(s)) return Number(s.slice(0, -1));
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  return NaN;
}

/**
 * Guaranteed QoS with whole CPUs: every container (init containers too) has requests = limits
 * for cpu and memory, and the CPU count is an integer, or the static CPU manager pins nothing.
 */
export function pinningViolations(o: RenderedObject): string[] {
  const out: string[] = [];
  for (const c of containersOf(o)) {
    const r = c.resources ?? {};
    for (const res of ['cpu', 'memory']) {
      if (r.requests?.[res] === undefined || String(r.requests?.[res]) !== String(r.limits?.[res])) {
        out.push(`${id(o)} container ${c.name}: ${res} requests ${String(r.requests?.[res])} != limits ${String(r.limits?.[res])} (not Guaranteed)`);
      }
    }
    const millis = quantityToMillis(r.limits?.cpu);
    if (millis === undefined || !Number.isInteger(millis) || millis % 1000 !== 0 || millis === 0) {
      out.push(`${id(o)} container ${c.name}: cpu ${String(r.limits?.cpu)} is not a whole number of CPUs`);
    }
  }
  return out;
}

/** Hugepages requested = limited, and an emptyDir of the matching HugePages medium is mounted. */
export function hugepageViolations(o: RenderedObject, size: string): string[] {
  const out: string[] = [];
  const spec = podSpecOf(o);
  const resource = `hugepages-${size}`;
  const volumes = (spec.volumes ?? []).filter((v: any) => v.emptyDir?.medium === `HugePages-${size}`);
  if (volumes.length !== 1) out.push(`${id(o)}: ${volumes.length} emptyDir volumes of medium HugePages-${size}, expected 1`);
  for (const c of spec.containers as any[]) {
    const r = c.resources ?? {};
    if (!r.requests?.[resource]) out.push(`${id(o)} container ${c.name}: no ${resource} request`);
    if (String(r.requests?.[resource]) !== String(r.limits?.[resource])) out.push(`${id(o)} container ${c.name}: ${resource} requests != limits`);
    const mounted = (c.volumeMounts ?? []).some((m: any) => volumes.some((v: any) => v.name === m.name));
    if (!mounted) out.push(`${id(o)} container ${c.name}: the hugepages volume is not mounted`);
  }
  return out;
}

/** Every service pod is selected by a NetworkPolicy that restricts both ingress and egress. */
export function networkPolicyViolations(objects: readonly RenderedObject[]): string[] {
  const policies = ofKind(objects, 'NetworkPolicy');
  const out: string[] = [];
  for (const d of ofKind(objects, 'Deployment')) {
    const covering = policies.filter((p) => matches((p.spec as any).podSelector?.matchLabels, podLabels(d)));
    if (covering.length === 0) out.push(`${id(d)}: no NetworkPolicy selects its pods`);
    for (const p of covering) {
      const types: string[] = (p.spec as any).policyTypes ?? [];
      if (!types.includes('Ingress') || !types.includes('Egress')) out.push(`${id(p)}: policyTypes ${JSON.stringify(types)} should restrict Ingress and Egress`);
      const egress: any[] = (p.spec as any).egress ?? [];
      const dns = egress.some((e) => (e.ports ?? []).some((port: any) => port.port === 53));
      if (!dns) out.push(`${id(p)}: no DNS egress`);
      if (egress.some((e) => !e.ports)) out.push(`${id(p)}: an egress rule allows every port`);
    }
  }
  return out;
}

/** The documented endpoints of the live venues (libs/venue-trading), by environment. */
export interface VenueEndpoints {
  readonly okx: { readonly rest: Readonly<Record<'demo' | 'live', string>>; readonly privateWs: Readonly<Record<'demo' | 'live', string>> };
  readonly alpaca: { readonly trading: Readonly<Record<'paper' | 'live', string>> };
}

/** The URLs an execution container connects to, from its env (VENUE, the environment, the URL overrides) and the documented ones. */
export function venueEndpointsOf(env: Record<string, string>, documented: VenueEndpoints): string[] {
  switch (env.VENUE) {
    case 'okx': {
      const e = env.OKX_ENV === 'live' ? 'live' : 'demo';
      return [env.OKX_REST_URL || documented.okx.rest[e], env.OKX_WS_URL || documented.okx.privateWs[e]];
    }
    case 'alpaca': {
      const trading = env.ALPACA_TRADING_URL || documented.alpaca.trading[env.ALPACA_ENV === 'live' ? 'live' : 'paper'];
      // As the adapter derives it: the Trading API's host with ws(s):// and /stream.
      const base = new URL(trading);
      return [trading, env.ALPACA_STREAM_URL || `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}/stream`];
    }
    default:
      return [];
  }
}

function portOf(url: string): number {
  const u = new URL(url);
  if (u.port !== '') return Number(u.port);
  return u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80;
}

/**
 * Every pod that trades on a live venue may open TCP connections to the ports of that venue's
 * endpoints: for each, an egress rule of a NetworkPolicy selecting the pod allows the port.
 */
export function venueEgressViolations(objects: readonly RenderedObject[], documented: VenueEndpoints): string[] {
  const policies = ofKind(objects, 'NetworkPolicy');
  const out: string[] = [];
  for (const d of ofKind(objects, 'Deployment')) {
    const env = envOf(d);
    const endpoints = venueEndpointsOf(env, documented);
    if (endpoints.length === 0) continue;
    const allowed = new Set<unknown>();
    for (const p of policies.filter((p) => matches((p.spec as any).podSelector?.matchLabels, podLabels(d)))) {
      for (const rule of (p.spec as any).egress ?? []) {
        for (const port of rule.ports ?? []) if ((port.protocol ?? 'TCP') === 'TCP') allowed.add(port.port);
      }
    }
    for (const url of endpoints) {
      if (!allowed.has(portOf(url))) out.push(`${id(d)}: trades on ${env.VENUE} at ${url}, but no NetworkPolicy selecting it allows egress to TCP port ${portOf(url)}`);
    }
  }
  return out;
}

const secretName = /(PASSWORD|SECRET|TOKEN|CREDENTIALS|PRIVATE_KEY|API_KEY|DATABASE_URL)/;

/**
 * No secret value in plain text: no Secret objects (the charts only reference existing ones), no
 * credential-looking env var with an inline value, and none of the given sentinel values anywhere.
 */
export function plainSecretViolations(objects: readonly RenderedObject[], manifests: string, sentinels: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const s of ofKind(objects, 'Secret')) out.push(`${id(s)}: the chart renders a Secret (credentials must come from existing Secrets)`);
  for (const o of podObjects(objects)) {
    for (const c of containersOf(o)) {
      for (const e of c.env ?? []) {
        if (secretName.test(e.name) && !/_FILE$/.test(e.name) && e.value !== undefined) out.push(`${id(o)} container ${c.name}: ${e.name} has an inline value`);
      }
    }
  }
  for (const s of sentinels) if (manifests.includes(s)) out.push(`the secret value ${s.slice(0, 3)}… appears in the rendered manifests`);
  return out;
}
