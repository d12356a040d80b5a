import { baseSchema, natsSchema } from '@meridian/runtime';
import { helmOnPath, lintChart, renderChart, validateObjects } from '../src';
import type { RenderedChart } from '../src';
import { join } from 'node:path';
import { chartsDir, documentedVenueEndpoints, umbrellaDir, envOf, mergedValues, ofKind, podSpecOf, renderUmbrella, serviceCharts, serviceOf, shardedServices, valueSets } from './fixtures';
import type { ValueSetName } from './fixtures';
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

describe.each(Object.keys(valueSets) as ValueSetName[])('the umbrella chart with %s values', (set) => {
  const files = valueSets[set];
  const values = mergedValues(files);
  const enabled = serviceCharts.filter((s) => values[s]?.enabled !== false);
  let chart: RenderedChart;

  beforeAll(() => {
    chart = renderUmbrella(files);
  });

  it('renders objects that the Kubernetes API schemas accept', () => {
    expect(chart.objects.length).toBeGreaterThan(0);
    expect(validateObjects(chart.objects)).toEqual([]);
  });

  it('renders each service object from its own chart', () => {
    chart.objects.forEach((o, i) => {
      const svc = serviceOf(o);
      const expected = (serviceCharts as readonly string[]).includes(svc) ? `meridian/charts/${svc}/templates/` : 'meridian/templates/';
      expect({ object: `${o.kind}/${o.metadata.name}`, source: chart.sources[i] }).toEqual({ object: `${o.kind}/${o.metadata.name}`, source: expect.stringContaining(expected) });
    });
  });

  it('renders a Deployment per workload: one per shard of a sharded service, one otherwise', () => {
    for (const svc of serviceCharts) {
      const deployments = ofKind(chart.objects, 'Deployment').filter((d) => serviceOf(d) === svc);
      const shards: unknown[] = values[svc]?.shards ?? [];
      const expected = !enabled.includes(svc) ? 0 : shards.length > 0 ? shards.length : 1;
      expect({ svc, deployments: deployments.length }).toEqual({ svc, deployments: expected });
    }
  });

  it('gives each shard its own symbols, partitioning global.symbols; the others own them all', () => {
    const global: string[] = values.global.symbols;
    for (const svc of enabled) {
      const owned = ofKind(chart.objects, 'Deployment')
        .filter((d) => serviceOf(d) === svc)
        .map((d) => ({ shard: d.metadata.labels?.['meridian.io/shard'], symbols: envOf(d).SYMBOLS!.split(',') }));
      const shards: { name: string; symbols: string[] }[] = values[svc]?.shards ?? [];
      if (shards.length > 0) {
        expect(shardedServices).toContain(svc);
        expect(owned.sort((a, b) => String(a.shard).localeCompare(String(b.shard)))).toEqual(
          shards.map((s) => ({ shard: s.name, symbols: s.symbols })).sort((a, b) => a.shard.localeCompare(b.shard)),
        );
      } else {
        expect(owned).toEqual([{ shard: undefined, symbols: global }]);
      }
      expect(owned.flatMap((o) => o.symbols).sort()).toEqual([...global].sort());
    }
  });

  it('keeps selectors to their own pods and off helm.sh/chart', () => {
    expect(selectorViolations(chart.objects)).toEqual([]);
  });

  it('runs every pod non-root with a read-only root filesystem and no capabilities', () => {
    // Only the dev values (Tilt's live update syncs files into /app) leave the services' root writable.
    const writableRoot = set === 'dev';
    expect(securityViolations(chart.objects, { writableRoot })).toEqual([]);
    const roots = ofKind(chart.objects, 'Deployment').map((d) => podSpecOf(d).containers[0].securityContext.readOnlyRootFilesystem);
    expect(new Set(roots)).toEqual(new Set([!writableRoot]));
  });

  it('probes every service container on startup, readiness and liveness', () => {
    expect(probeViolations(chart.objects)).toEqual([]);
  });

  it('puts every service pod behind a NetworkPolicy', () => {
    expect(networkPolicyViolations(chart.objects)).toEqual([]);
  });

  it('lets every pod on a live venue reach the ports of its endpoints', () => {
    expect(venueEgressViolations(chart.objects, documentedVenueEndpoints())).toEqual([]);
  });

  it('renders no secret value: credentials come from existing Secrets', () => {
    expect(plainSecretViolations(chart.objects, chart.manifests)).toEqual([]);
  });

  it('makes pinned workloads Guaranteed with whole CPUs, and mounts the hugepages they request', () => {
    for (const d of ofKind(chart.objects, 'Deployment')) {
      const perf = values[serviceOf(d)]?.performance ?? {};
      if (perf.pinned) expect(pinningViolations(d)).toEqual([]);
      if (perf.hugepages?.amount) expect(hugepageViolations(d, perf.hugepages.size ?? '2Mi')).toEqual([]);
      else expect(JSON.stringify(podSpecOf(d))).not.toContain('hugepages');
    }
  });

  it('gives each workload a Service, a PodDisruptionBudget and a ServiceAccount of its own name', () => {
    for (const d of ofKind(chart.objects, 'Deployment')) {
      const name = d.metadata.name;
      expect(ofKind(chart.objects, 'Service').map((s) => s.metadata.name)).toContain(name);
      if (values[serviceOf(d)]?.pdb?.enabled !== false) expect(ofKind(chart.objects, 'PodDisruptionBudget').map((p) => p.metadata.name)).toContain(name);
      const account = podSpecOf(d).serviceAccountName;
      expect(ofKind(chart.objects, 'ServiceAccount').map((a) => a.metadata.name)).toContain(account);
    }
  });

  it('runs the helm test against every workload Service, and bootstrap for global.symbols and venues', () => {
    const test = ofKind(chart.objects, 'Pod').find((p) => p.metadata.annotations?.['helm.sh/hook'] === 'test');
    expect(test).toBeDefined();
    const urls = String(podSpecOf(test!).containers[0].env.find((e: any) => e.name === 'URLS').value).split(' ');
    const services = ofKind(chart.objects, 'Service').map((s) => {
      const port = (s.spec as any).ports.find((p: any) => p.name === 'http').port;
      return `http://${s.metadata.name}.${s.metadata.namespace}.svc:${port}/readyz`;
    });
    expect(urls.sort()).toEqual(services.sort());

    const job = ofKind(chart.objects, 'Job').find((j) => j.metadata.name.endsWith('-bootstrap'));
    expect(job?.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const env = envOf(job!);
    expect(env.SYMBOLS).toBe(values.global.symbols.join(','));
    expect(env.VENUES).toBe(values.global.venues.join(','));
    expect(env.JS_REPLICAS).toBe(String(values.global.jetstream.replicas));
  });
});

describe('each service chart on its own', () => {
  it.each(serviceCharts)('%s renders valid objects with its ci/standalone-values.yaml', (svc) => {
    const chart = renderChart({ chartDir: join(chartsDir, svc), valuesFiles: [join(chartsDir, svc, 'ci', 'standalone-values.yaml')] });
    expect(validateObjects(chart.objects)).toEqual([]);
    expect(ofKind(chart.objects, 'Deployment')).toHaveLength(1);
    expect([...selectorViolations(chart.objects), ...securityViolations(chart.objects), ...probeViolations(chart.objects), ...networkPolicyViolations(chart.objects)]).toEqual([]);
  });
});

describe("inference's model registry", () => {
  const models = { enabled: true, existingClaim: 'meridian-models', subPath: 'prod' };
  const egressPorts = (chart: { objects: readonly any[] }) =>
    ofKind(chart.objects, 'NetworkPolicy')
      .filter((n) => serviceOf(n) === 'inference')
      .flatMap((n: any) => n.spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port)));

  it('mounts the model files read-only at MODEL_DIR and reaches the database only when enabled', () => {
    const chart = renderUmbrella([], { inference: { models } });
    expect(validateObjects(chart.objects)).toEqual([]);
    const d = ofKind(chart.objects, 'Deployment').find((o) => serviceOf(o) === 'inference')!;
    const spec = podSpecOf(d);
    const env = envOf(d);
    expect({ dir: env.MODEL_DIR, url: env.DATABASE_URL, schema: env.DATABASE_SCHEMA }).toEqual({ dir: '/models', url: '<from secret>', schema: 'meridian' });
    expect(spec.containers[0].env.find((e: any) => e.name === 'DATABASE_URL').valueFrom).toEqual({ secretKeyRef: { name: 'meridian-database', key: 'url' } });
    expect((spec.volumes as any[]).find((v) => v.name === 'models')).toEqual({ name: 'models', persistentVolumeClaim: { claimName: 'meridian-models', readOnly: true } });
    expect((spec.containers[0].volumeMounts as any[]).find((m) => m.name === 'models')).toEqual({ name: 'models', mountPath: '/models', readOnly: true, subPath: 'prod' });
    expect(egressPorts(chart)).toContain(5432);
    expect([...securityViolations(chart.objects), ...networkPolicyViolations(chart.objects)]).toEqual([]);
  });

  it('is off by default: momentum only, no volume, no database, no egress to it', () => {
    const chart = renderUmbrella([]);
    const d = ofKind(chart.objects, 'Deployment').find((o) => serviceOf(o) === 'inference')!;
    const env = envOf(d);
    expect([env.MODEL_DIR, env.DATABASE_URL, env.DATABASE_SCHEMA]).toEqual([undefined, undefined, undefined]);
    expect((podSpecOf(d).volumes as any[]).map((v) => v.name)).not.toContain('models');
    expect(egressPorts(chart)).not.toContain(5432);
    // The recorder, whose database block has no switch, still reaches it.
    const recorder = ofKind(chart.objects, 'Deployment').find((o) => serviceOf(o) === 'recorder')!;
    expect(envOf(recorder).DATABASE_URL).toBe('<from secret>');
  });

  it('refuses models without a claim, and MODEL_DIR or the new keys in env', () => {
    expect(() => renderUmbrella([], { inference: { models: { enabled: true } } })).toThrow(/meridian-inference: set models.existingClaim/);
    for (const key of ['MODEL_DIR', 'PREDICT_BATCH_MAX', 'PREDICT_BATCH_MAX_WAIT_US']) expect(() => renderUmbrella([], { inference: { env: { [key]: '1' } } })).toThrow();
    expect(() => renderUmbrella([], { inference: { config: { PREDICT_BATCH_MAX: 0 } } })).toThrow();
  });
});

describe('NATS credentials and TLS', () => {
  const global = { nats: { url: 'tls://nats.nats.svc:4222', credsSecret: 'nats-creds', credsSecretKey: 'user.creds', tls: { secret: 'nats-client-tls', mutual: true } } };

  it('mount the credentials file and TLS files from Secrets into every service and the bootstrap Job', () => {
    const chart = renderUmbrella([], { global, risk: { nats: { credsSecret: 'risk-creds' } } });
    expect(validateObjects(chart.objects)).toEqual([]);
    const runtimeKeys = Object.keys(natsSchema());
    const pods = [...ofKind(chart.objects, 'Deployment'), ...ofKind(chart.objects, 'Job')];
    expect(pods.length).toBeGreaterThan(7);
    for (const o of pods) {
      const spec = podSpecOf(o);
      const env = envOf(o);
      expect({ name: o.metadata.name, creds: env.NATS_CREDS_FILE, ca: env.NATS_TLS_CA_FILE, cert: env.NATS_TLS_CERT_FILE, key: env.NATS_TLS_KEY_FILE }).toEqual({
        name: o.metadata.name,
        creds: '/etc/meridian/nats/creds/user.creds',
        ca: '/etc/meridian/nats/tls/ca.crt',
        cert: '/etc/meridian/nats/tls/tls.crt',
        key: '/etc/meridian/nats/tls/tls.key',
      });
      for (const k of Object.keys(env).filter((k) => k.startsWith('NATS_'))) expect(runtimeKeys).toContain(k);
      const volumes = Object.fromEntries((spec.volumes as any[]).map((v) => [v.name, v.secret]));
      const creds = o.metadata.name === 'meridian-risk' ? 'risk-creds' : 'nats-creds';
      expect(volumes['nats-creds']).toEqual({ secretName: creds, defaultMode: 0o440, items: [{ key: 'user.creds', path: 'user.creds' }] });
      expect(volumes['nats-tls'].secretName).toBe('nats-client-tls');
      expect(volumes['nats-tls'].items.map((i: any) => i.key)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
      const mounts = (spec.containers[0].volumeMounts as any[]).filter((m) => m.name.startsWith('nats-'));
      expect(mounts).toEqual([
        { name: 'nats-creds', mountPath: '/etc/meridian/nats/creds', readOnly: true },
        { name: 'nats-tls', mountPath: '/etc/meridian/nats/tls', readOnly: true },
      ]);
    }
    expect(plainSecretViolations(chart.objects, chart.manifests)).toEqual([]);
  });

  it('verify the servers without a client certificate unless mutual, and mount nothing when unset', () => {
    const serverOnly = renderUmbrella([], { global: { nats: { tls: { secret: 'nats-ca' } } } });
    const env = envOf(ofKind(serverOnly.objects, 'Deployment')[0]!);
    expect(env.NATS_TLS_CA_FILE).toBe('/etc/meridian/nats/tls/ca.crt');
    expect(env.NATS_TLS_CERT_FILE).toBeUndefined();
    expect(env.NATS_CREDS_FILE).toBeUndefined();
    const plain = renderUmbrella([]);
    expect(plain.manifests).not.toContain('/etc/meridian/nats');
  });

  it('refuse NATS credential keys in env, where they would bypass the Secrets', () => {
    expect(() => renderUmbrella([], { risk: { env: { NATS_PASSWORD: 'x' } } })).toThrow(/risk:\n- env: Property name of "NATS_PASSWORD" does not match/);
  });
});

describe('gRPC TLS and admin authentication', () => {
  it('require admin authentication by default, with no file mounted and no TLS', () => {
    const chart = renderUmbrella([]);
    for (const d of ofKind(chart.objects, 'Deployment')) {
      const env = envOf(d);
      expect({ name: d.metadata.name, auth: env.ADMIN_AUTH, tokens: env.ADMIN_TOKENS_FILE, cert: env.GRPC_TLS_CERT_FILE }).toEqual({ name: d.metadata.name, auth: 'required', tokens: undefined, cert: undefined });
    }
    expect(chart.manifests).not.toContain('/etc/meridian/grpc');
  });

  it('mount the gRPC certificate, the client CA and the admin tokens file from Secrets, named by the runtime keys', () => {
    const global = { grpc: { tls: { secret: 'grpc-tls', mutual: true } }, admin: { tokensSecret: 'admin-tokens', tokensSecretKey: 'tokens', clientCns: ['ops-console', 'oncall'] } };
    const chart = renderUmbrella([], { global, risk: { admin: { tokensSecret: 'risk-admins' } }, recorder: { admin: { auth: 'off' } } });
    expect(validateObjects(chart.objects)).toEqual([]);
    const runtimeKeys = Object.keys(baseSchema({ http: 0, grpc: 0 }));
    for (const d of ofKind(chart.objects, 'Deployment')) {
      const spec = podSpecOf(d);
      const env = envOf(d);
      expect({ name: d.metadata.name, auth: env.ADMIN_AUTH, cns: env.ADMIN_CLIENT_CNS, tokens: env.ADMIN_TOKENS_FILE, cert: env.GRPC_TLS_CERT_FILE, key: env.GRPC_TLS_KEY_FILE, ca: env.GRPC_TLS_CLIENT_CA_FILE }).toEqual({
        name: d.metadata.name,
        auth: d.metadata.name === 'meridian-recorder' ? 'off' : 'required',
        cns: 'ops-console,oncall',
        tokens: '/etc/meridian/admin/tokens',
        cert: '/etc/meridian/grpc/tls/tls.crt',
        key: '/etc/meridian/grpc/tls/tls.key',
        ca: '/etc/meridian/grpc/tls/ca.crt',
      });
      for (const k of Object.keys(env).filter((k) => k.startsWith('GRPC_') || k.startsWith('ADMIN_'))) expect(runtimeKeys).toContain(k);
      const volumes = Object.fromEntries((spec.volumes as any[]).map((v) => [v.name, v.secret]));
      expect(volumes['grpc-tls']).toEqual({ secretName: 'grpc-tls', defaultMode: 0o440, items: ['tls.crt', 'tls.key', 'ca.crt'].map((k) => ({ key: k, path: k })) });
      expect(volumes['admin-tokens']).toEqual({ secretName: d.metadata.name === 'meridian-risk' ? 'risk-admins' : 'admin-tokens', defaultMode: 0o440, items: [{ key: 'tokens', path: 'tokens' }] });
      const mounts = (spec.containers[0].volumeMounts as any[]).filter((m) => ['grpc-tls', 'admin-tokens'].includes(m.name));
      expect(mounts).toEqual([
        { name: 'grpc-tls', mountPath: '/etc/meridian/grpc/tls', readOnly: true },
        { name: 'admin-tokens', mountPath: '/etc/meridian/admin', readOnly: true },
      ]);
    }
    expect(plainSecretViolations(chart.objects, chart.manifests)).toEqual([]);
  });

  it('refuse gRPC probes on a TLS port, admin CNs without mutual TLS, and the keys in env', () => {
    expect(() => renderUmbrella([], { global: { grpc: { tls: { secret: 'grpc-tls' } } }, risk: { probes: { grpc: true } } })).toThrow(/meridian-risk: probes.grpc cannot be used with gRPC TLS/);
    expect(() => renderUmbrella([], { global: { grpc: { tls: { secret: 'grpc-tls' } }, admin: { clientCns: ['ops'] } } })).toThrow(/admin client CNs need mutual TLS/);
    expect(() => renderUmbrella([], { risk: { env: { ADMIN_AUTH: 'off' } } })).toThrow(/risk:\n- env: Property name of "ADMIN_AUTH" does not match/);
  });
});

describe('venue credentials', () => {
  it('mount the Secret keys as files that ingestion reads through <KEY>_FILE, with no value in the manifests', () => {
    const chart = renderUmbrella([], {
      ingestion: { config: { MARKET_SOURCE: 'alpaca:AAPL' }, venueCredentials: { existingSecret: 'alpaca', keys: { ALPACA_API_KEY_ID: 'key-id', ALPACA_API_SECRET_KEY: 'secret-key' } } },
    });
    expect(validateObjects(chart.objects)).toEqual([]);
    const ingestion = ofKind(chart.objects, 'Deployment').find((d) => serviceOf(d) === 'ingestion')!;
    const env = envOf(ingestion);
    expect(env.ALPACA_API_KEY_ID_FILE).toBe('/etc/meridian/venue/key-id');
    expect(env.ALPACA_API_SECRET_KEY_FILE).toBe('/etc/meridian/venue/secret-key');
    expect(env.ALPACA_API_KEY_ID).toBeUndefined();
    const spec = podSpecOf(ingestion);
    expect(spec.volumes.find((v: any) => v.name === 'venue-credentials').secret).toEqual({
      secretName: 'alpaca',
      defaultMode: 0o440,
      items: [
        { key: 'key-id', path: 'key-id' },
        { key: 'secret-key', path: 'secret-key' },
      ],
    });
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'venue-credentials', mountPath: '/etc/meridian/venue', readOnly: true });
    expect(plainSecretViolations(chart.objects, chart.manifests)).toEqual([]);
  });

  it('mount the OKX credentials execution reads through <KEY>_FILE, and open egress to the venue ports only where it trades live', () => {
    const okxKeys = { OKX_API_KEY: 'api-key', OKX_API_SECRET: 'secret-key', OKX_API_PASSPHRASE: 'passphrase' };
    const chart = renderUmbrella([], {
      global: { venues: ['paper', 'okx'] },
      execution: {
        venueCredentials: { existingSecret: 'okx', keys: okxKeys },
        shards: [
          { name: 'live', symbols: ['BTC-USDT'], config: { VENUE: 'okx', OKX_ENV: 'live' } },
          { name: 'paper', symbols: ['ETH-USDT'] },
        ],
      },
    });
    expect(validateObjects(chart.objects)).toEqual([]);
    const workloads = ofKind(chart.objects, 'Deployment').filter((d) => serviceOf(d) === 'execution');
    for (const d of workloads) {
      const env = envOf(d);
      expect({ name: d.metadata.name, key: env.OKX_API_KEY_FILE, secret: env.OKX_API_SECRET_FILE, passphrase: env.OKX_API_PASSPHRASE_FILE, plain: env.OKX_API_KEY }).toEqual({
        name: d.metadata.name,
        key: '/etc/meridian/venue/api-key',
        secret: '/etc/meridian/venue/secret-key',
        passphrase: '/etc/meridian/venue/passphrase',
        plain: undefined,
      });
      const spec = podSpecOf(d);
      expect(spec.volumes.find((v: any) => v.name === 'venue-credentials').secret).toEqual({
        secretName: 'okx',
        defaultMode: 0o440,
        items: ['api-key', 'passphrase', 'secret-key'].map((k) => ({ key: k, path: k })),
      });
      expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'venue-credentials', mountPath: '/etc/meridian/venue', readOnly: true });
    }
    expect(workloads.map((d) => envOf(d).VENUE)).toEqual(['okx', undefined]);
    expect(venueEgressViolations(chart.objects, documentedVenueEndpoints())).toEqual([]);
    // One policy selects both shards: the live one's venue ports, after DNS and NATS.
    const policy = ofKind(chart.objects, 'NetworkPolicy').find((p) => p.metadata.name === 'meridian-execution')!;
    expect((policy.spec as any).egress.slice(2)).toEqual([
      { ports: [443, 8443].map((port) => ({ port, protocol: 'TCP' })) },
    ]);
    expect(plainSecretViolations(chart.objects, chart.manifests)).toEqual([]);

    // The paper venue runs in the process: no venue egress.
    const paper = ofKind(renderUmbrella([]).objects, 'NetworkPolicy').find((p) => p.metadata.name === 'meridian-execution')!;
    expect((paper.spec as any).egress.flatMap((r: any) => r.ports.map((p: any) => p.port))).toEqual([53, 53, 4222]);
  });

  it('open egress to the ports of overridden venue URLs, towards networkPolicy.venueTo, before extraEgress', () => {
    const venueTo = [{ ipBlock: { cidr: '10.20.0.0/16' } }];
    const otlp = { ports: [{ port: 4317, protocol: 'TCP' }] };
    const chart = renderUmbrella([], {
      global: { venues: ['alpaca'] },
      execution: {
        config: { VENUE: 'alpaca', ALPACA_TRADING_URL: 'http://alpaca-proxy.egress:8080' },
        venueCredentials: { existingSecret: 'alpaca', keys: { ALPACA_API_KEY_ID: 'key-id', ALPACA_API_SECRET_KEY: 'secret-key' } },
        networkPolicy: { venueTo, extraEgress: [otlp] },
      },
    });
    expect(validateObjects(chart.objects)).toEqual([]);
    expect(venueEgressViolations(chart.objects, documentedVenueEndpoints())).toEqual([]);
    const policy = ofKind(chart.objects, 'NetworkPolicy').find((p) => p.metadata.name === 'meridian-execution')!;
    expect((policy.spec as any).egress.slice(2)).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }], to: venueTo }, otlp]);
  });

  it('refuse keys without a Secret, credentials the service does not read, and credentials in env', () => {
    expect(() => renderUmbrella([], { ingestion: { venueCredentials: { keys: { ALPACA_API_KEY_ID: 'k' } } } })).toThrow(/venueCredentials.keys is set but venueCredentials.existingSecret is empty/);
    expect(() => renderUmbrella([], { ingestion: { venueCredentials: { existingSecret: 's', keys: { OKX_API_KEY: 'k' } } } })).toThrow(/ingestion:\n- venueCredentials.keys/);
    expect(() => renderUmbrella([], { ingestion: { env: { ALPACA_API_SECRET_KEY: 'plain' } } })).toThrow(/ingestion:\n- env: Property name of "ALPACA_API_SECRET_KEY" does not match/);
    expect(() => renderUmbrella([], { execution: { venueCredentials: { existingSecret: 's', keys: { BINANCE_API_KEY: 'k' } } } })).toThrow(/execution:\n- venueCredentials.keys/);
    expect(() => renderUmbrella([], { execution: { env: { OKX_API_SECRET_FILE: '/tmp/secret' } } })).toThrow(/execution:\n- env: Property name of "OKX_API_SECRET_FILE" does not match/);
  });
});

// helm lint has no stand-in: it runs wherever helm is installed, and says so where it is not.
const withHelm = helmOnPath() ? describe : describe.skip;
if (!helmOnPath()) process.stderr.write('tools/charts: helm is not on PATH; helm lint is skipped (rendering uses the Go stand-in)\n');
withHelm('helm lint --strict', () => {
  it.each(Object.keys(valueSets) as ValueSetName[])('passes the umbrella chart with %s values', (set) => {
    lintChart(umbrellaDir, valueSets[set].map((f) => join(umbrellaDir, f)));
  });
  it.each(serviceCharts)('passes the %s chart on its own', (svc) => {
    lintChart(join(chartsDir, svc), [join(chartsDir, svc, 'ci', 'standalone-values.yaml')]);
  });
});
