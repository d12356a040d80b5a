import { Subjects, Topology } from '@meridian/bus';
import { ChartRenderError, validateObjects } from '../src';
import { ofKind, renderUmbrella, serviceOf } from './fixtures';

const keda = { natsServerMonitoringEndpoint: 'nats-headless.nats.svc.cluster.local:8222' };
const recorderDeployment = (objects: ReturnType<typeof renderUmbrella>['objects']) => ofKind(objects, 'Deployment').find((d) => serviceOf(d) === 'recorder')!;

describe('recorder autoscaling', () => {
  it('on KEDA, scales on the lag of exactly the durable consumers bootstrap declares for the recorder', () => {
    const chart = renderUmbrella([], { global: { natsNamespace: 'blue' }, recorder: { autoscaling: { enabled: true, mode: 'keda', keda } } });
    expect(validateObjects(chart.objects)).toEqual([]);
    const [scaled] = ofKind(chart.objects, 'ScaledObject');
    const spec = scaled!.spec as any;
    expect(spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'meridian-recorder' });
    expect([spec.minReplicaCount, spec.maxReplicaCount]).toEqual([1, 4]);

    const topology = new Topology(new Subjects('blue'));
    const declared = topology.durables('recorder', { symbols: ['BTC-USDT', 'ETH-USDT'], venues: ['paper'] }).map((d) => `${d.stream}/${d.config.durable_name}`);
    const triggers = (spec.triggers as any[]).map((t) => {
      expect(t.type).toBe('nats-jetstream');
      expect(t.metadata).toMatchObject({ natsServerMonitoringEndpoint: keda.natsServerMonitoringEndpoint, account: '$G', lagThreshold: '1000' });
      return `${t.metadata.stream}/${t.metadata.consumer}`;
    });
    expect(triggers.sort()).toEqual(declared.sort());

    const deployment = recorderDeployment(chart.objects);
    expect((deployment.spec as any).replicas).toBeUndefined();
    expect((deployment.spec as any).strategy).toEqual({ type: 'RollingUpdate' });
    expect(ofKind(chart.objects, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('in auto mode takes KEDA where the cluster serves keda.sh/v1alpha1, and an HPA on CPU elsewhere', () => {
    const values = { recorder: { autoscaling: { enabled: true, keda } } };
    const withKeda = renderUmbrella([], values, { apiVersions: ['keda.sh/v1alpha1'] });
    expect(ofKind(withKeda.objects, 'ScaledObject')).toHaveLength(1);
    expect(ofKind(withKeda.objects, 'HorizontalPodAutoscaler')).toHaveLength(0);

    const without = renderUmbrella([], values);
    expect(validateObjects(without.objects)).toEqual([]);
    expect(ofKind(without.objects, 'ScaledObject')).toHaveLength(0);
    const [hpa] = ofKind(without.objects, 'HorizontalPodAutoscaler');
    expect(hpa!.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'meridian-recorder' },
      minReplicas: 1,
      maxReplicas: 4,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    // An HPA on CPU utilisation needs a CPU request to measure against.
    const container = (recorderDeployment(without.objects).spec as any).template.spec.containers[0];
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it('is off by default: one recorder pod, and the trading services keep one pod per shard, recreated', () => {
    const chart = renderUmbrella(['ci/prod-values.yaml']);
    expect([...ofKind(chart.objects, 'ScaledObject'), ...ofKind(chart.objects, 'HorizontalPodAutoscaler')]).toEqual([]);
    for (const d of ofKind(chart.objects, 'Deployment')) {
      expect({ name: d.metadata.name, replicas: (d.spec as any).replicas }).toEqual({ name: d.metadata.name, replicas: 1 });
      expect((d.spec as any).strategy.type).toBe(serviceOf(d) === 'recorder' ? 'RollingUpdate' : 'Recreate');
    }
  });

  it('refuses what would not work', () => {
    const refusal = (values: Record<string, unknown>): string => {
      try {
        renderUmbrella([], values);
      } catch (err) {
        if (err instanceof ChartRenderError) return err.detail;
        throw err;
      }
      throw new Error('rendered');
    };
    expect(refusal({ recorder: { autoscaling: { enabled: true, mode: 'keda' } } })).toContain('autoscaling.keda.natsServerMonitoringEndpoint is required');
    expect(refusal({ recorder: { autoscaling: { enabled: true, mode: 'hpa', minReplicas: 3, maxReplicas: 2 } } })).toContain(
      'meridian-recorder: autoscaling.maxReplicas (2) must be at least autoscaling.minReplicas (3)',
    );
    expect(refusal({ risk: { autoscaling: { enabled: true } } })).toContain('risk:\n- (root): Additional property autoscaling is not allowed');
    expect(refusal({ recorder: { autoscaling: { enabled: true, mode: 'vpa' } } })).toContain('recorder:\n- autoscaling.mode: autoscaling.mode must be one of the following');
  });
});
