import { validateObjects } from '../src';
import type { RenderedObject } from '../src';
import { documentedVenueEndpoints, envOf, ofKind, podSpecOf, renderUmbrella } from './fixtures';
import {
  hugepageViolations,
  networkPolicyViolations,
  pinningViolations,
  plainSecretViolations,
  probeViolations,
  securityViolations,
  selectorViolations,
  venueEgressViolations,
} from './policies';

// The checks the render tests rely on must catch what they are for: each is shown a good
// rendering (no violation) and a copy broken in the one way it guards against.
const prod = renderUmbrella(['ci/prod-values.yaml']);
const clone = <T>(o: T): T => structuredClone(o);
const deployment = (name: string): RenderedObject => clone(ofKind(prod.objects, 'Deployment').find((d) => d.metadata.name === name)!);

describe('the policy checks', () => {
  it('find a pod that may write its root filesystem, escalate, keep capabilities or run as root', () => {
    const d = deployment('meridian-risk');
    expect(securityViolations([d])).toEqual([]);
    const c = podSpecOf(d).containers[0];
    c.securityContext.readOnlyRootFilesystem = false;
    c.securityContext.allowPrivilegeEscalation = true;
    c.securityContext.capabilities = { drop: [], add: ['NET_ADMIN'] };
    podSpecOf(d).securityContext.runAsUser = 0;
    expect(securityViolations([d])).toHaveLength(5);
  });

  it('find a missing probe and a probe on a port the container does not expose', () => {
    const d = deployment('meridian-risk');
    expect(probeViolations([d])).toEqual([]);
    const c = podSpecOf(d).containers[0];
    delete c.livenessProbe;
    c.readinessProbe = { httpGet: { path: '/readyz', port: 'metrics' } };
    expect(probeViolations([d])).toEqual([expect.stringContaining('readinessProbe targets port metrics'), expect.stringContaining('no livenessProbe')]);
  });

  it('find a pinned pod that is not Guaranteed or has a fractional CPU', () => {
    const d = deployment('meridian-risk');
    expect(pinningViolations(d)).toEqual([]);
    podSpecOf(d).containers[0].resources = { requests: { cpu: '1500m', memory: '1Gi' }, limits: { cpu: '1500m', memory: '2Gi' } };
    expect(pinningViolations(d)).toEqual([expect.stringContaining('memory requests 1Gi != limits 2Gi'), expect.stringContaining('cpu 1500m is not a whole number')]);
  });

  it('find hugepages requested but not mounted, or limited differently', () => {
    const d = deployment('meridian-order-book-majors');
    expect(hugepageViolations(d, '2Mi')).toEqual([]);
    const c = podSpecOf(d).containers[0];
    c.volumeMounts = c.volumeMounts.filter((m: any) => m.name !== 'hugepages');
    c.resources.limits['hugepages-2Mi'] = '512Mi';
    expect(hugepageViolations(d, '2Mi')).toHaveLength(2);
    expect(hugepageViolations(deployment('meridian-risk'), '2Mi')).toHaveLength(3);
  });

  it('find selectors on helm.sh/chart, Services that select no workload, and overlapping workloads', () => {
    const objects = prod.objects.map(clone);
    expect(selectorViolations(objects)).toEqual([]);
    const majors = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'meridian-execution-majors')!;
    delete (majors.spec as any).selector.matchLabels['meridian.io/shard'];
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'meridian-risk')!;
    (service.spec as any).selector['helm.sh/chart'] = 'risk-0.1.0';
    const violations = selectorViolations(objects);
    expect(violations).toContainEqual(expect.stringContaining('Deployment/meridian-execution-majors: selector also matches Deployment/meridian-execution-alts'));
    expect(violations).toContainEqual('Service/meridian-risk: selector uses helm.sh/chart');
  });

  it('find a pod no NetworkPolicy selects, and a policy without DNS egress', () => {
    const objects = prod.objects.map(clone).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'meridian-risk'));
    expect(networkPolicyViolations(objects)).toEqual(['Deployment/meridian-risk: no NetworkPolicy selects its pods']);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'meridian-coordinator')!;
    (policy.spec as any).egress = (policy.spec as any).egress.filter((e: any) => !e.ports.some((p: any) => p.port === 53));
    expect(networkPolicyViolations(objects)).toContainEqual('NetworkPolicy/meridian-coordinator: no DNS egress');
  });

  it('find a pod on a live venue whose NetworkPolicy does not reach a port of its endpoints', () => {
    const documented = documentedVenueEndpoints();
    const objects = prod.objects.map(clone);
    const onOkx = ofKind(objects, 'Deployment').filter((d) => envOf(d).VENUE === 'okx');
    expect(onOkx.map((d) => d.metadata.name).sort()).toEqual(['meridian-execution-alts', 'meridian-execution-majors']);
    expect(venueEgressViolations(objects, documented)).toEqual([]);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'meridian-execution')!;
    for (const rule of (policy.spec as any).egress) rule.ports = rule.ports.filter((p: any) => p.port !== 8443);
    expect(venueEgressViolations(objects, documented)).toEqual([
      `Deployment/meridian-execution-majors: trades on okx at ${documented.okx.privateWs.demo}, but no NetworkPolicy selecting it allows egress to TCP port 8443`,
      `Deployment/meridian-execution-alts: trades on okx at ${documented.okx.privateWs.demo}, but no NetworkPolicy selecting it allows egress to TCP port 8443`,
    ]);
    // Alpaca through a proxy on another port: its stream is derived from the same host and port.
    const alpaca = deployment('meridian-execution-majors');
    podSpecOf(alpaca).containers[0].env = [{ name: 'VENUE', value: 'alpaca' }, { name: 'ALPACA_TRADING_URL', value: 'http://alpaca-proxy:8080' }];
    expect(venueEgressViolations([alpaca, ...ofKind(prod.objects, 'NetworkPolicy')], documented)).toEqual([
      'Deployment/meridian-execution-majors: trades on alpaca at http://alpaca-proxy:8080, but no NetworkPolicy selecting it allows egress to TCP port 8080',
      'Deployment/meridian-execution-majors: trades on alpaca at ws://alpaca-proxy:8080/stream, but no NetworkPolicy selecting it allows egress to TCP port 8080',
    ]);
  });

  it('find an inline credential, a rendered Secret and a known secret value', () => {
    const d = deployment('meridian-risk');
    podSpecOf(d).containers[0].env.push({ name: 'NATS_PASSWORD', value: 'hunter2' });
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' } } as RenderedObject;
    expect(plainSecretViolations([d, secret], 'password: hunter2', ['hunter2'])).toHaveLength(3);
  });

  it('refuse an object the Kubernetes schema refuses, and an unknown kind', () => {
    const d = deployment('meridian-risk');
    podSpecOf(d).containers[0].ports[0].containerPort = 'eighty';
    const unknown = { apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'typo' } } as RenderedObject;
    expect(validateObjects([d, unknown])).toEqual([
      { kind: 'Deployment', name: 'meridian-risk', message: expect.stringContaining('containerPort must be integer') },
      { kind: 'Deploymnet', name: 'typo', message: 'no schema for apiVersion apps/v1 kind Deploymnet' },
    ]);
  });
});
