import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartsDir, serviceCharts, shardedServices } from './fixtures';

// The seven service charts share one library and so one set of values; their schemas are
// separate files (Helm reads one per chart), so this keeps the shared part from drifting.
const schemas = Object.fromEntries(serviceCharts.map((s) => [s, JSON.parse(readFileSync(join(chartsDir, s, 'values.schema.json'), 'utf8'))]));

/** The properties that may differ by service, and why. */
const ownProperties = new Set([
  'config', // the service's own configuration keys
  'env', // refuses the chart's keys and that service's config keys
  'shards', // sharded services only; a shard's config is the service's config
  'database', // the recorder writes PostgreSQL, and so does inference's model registry
  'models', // inference's model registry: the volume of model files
  'networkPolicy', // ... and so may reach it
  'replicas', // the recorder's replicas may share its consumers
  'autoscaling', // ... and so may be autoscaled
  'venueCredentials', // the services that authenticate to venues
]);
const libraryOwnedEnv = ['NATS_URL', 'BUS_NAMESPACE', 'JS_REPLICAS', 'SYMBOLS', 'HOST', 'HTTP_PORT', 'GRPC_PORT', 'LOG_LEVEL', 'SHUTDOWN_TIMEOUT_MS', 'NATS_CREDS_FILE', 'NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE', 'GRPC_TLS_CERT_FILE', 'GRPC_TLS_KEY_FILE', 'GRPC_TLS_CLIENT_CA_FILE', 'ADMIN_AUTH', 'ADMIN_TOKENS_FILE', 'ADMIN_CLIENT_CNS'];

describe('the service charts values schemas', () => {
  it('agree on every shared property', () => {
    const [first, ...rest] = serviceCharts;
    for (const svc of rest) {
      const names = new Set([...Object.keys(schemas[first]!.properties), ...Object.keys(schemas[svc]!.properties)]);
      for (const p of names) {
        if (ownProperties.has(p)) continue;
        expect({ svc, property: p, schema: schemas[svc]!.properties[p] }).toEqual({ svc, property: p, schema: schemas[first]!.properties[p] });
      }
    }
  });

  it.each(serviceCharts)('%s: env refuses the keys the library sets and the service config keys', (svc) => {
    const refused: string[] = schemas[svc]!.properties.env.propertyNames.not.enum;
    for (const key of [...libraryOwnedEnv, ...Object.keys(schemas[svc]!.properties.config.properties)]) expect(refused).toContain(key);
  });

  it.each(shardedServices)('%s: a shard config takes exactly the service config keys', (svc) => {
    expect(schemas[svc]!.properties.shards.items.properties.config).toEqual(schemas[svc]!.properties.config);
  });
});

/**
 * The configuration keys a service declares: the upper-case keys, indented two spaces, of its
 * config schemas, the object literals its sources assign to a `const ...schema` / `...Schema`.
 * Only those literals: other upper-case maps (execution's TIME_IN_FORCE_WIRE: GTC, IOC…) are not
 * configuration.
 */
function serviceConfigKeys(svc: string): string[] {
  const dir = join(chartsDir, '..', 'services', svc, 'src');
  const keys = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const literal of readFileSync(join(dir, file), 'utf8').matchAll(/^(?:export )?const \w*[sS]chema = \{\n([\s\S]*?)^\};?$/gm)) {
      for (const m of literal[1]!.matchAll(/^  ([A-Z][A-Z0-9_]*): /gm)) keys.add(m[1]!);
    }
  }
  return [...keys].sort();
}

describe('the charts config keys', () => {
  it.each(serviceCharts)('%s: are the keys the service reads (the database ones come from the database block, MODEL_DIR from the models block)', (svc) => {
    const declared = serviceConfigKeys(svc).filter((k) => !['DATABASE_URL', 'DATABASE_SCHEMA', 'MODEL_DIR'].includes(k));
    expect(declared.length).toBeGreaterThan(0);
    expect(Object.keys(schemas[svc]!.properties.config.properties).sort()).toEqual(declared);
  });
});

/** The credentials a service's sources read from `<KEY>` or `<KEY>_FILE`, found by `pattern` (its one capture group). */
function credentialsRead(svc: string, pattern: RegExp): string[] {
  const dir = join(chartsDir, '..', 'services', svc, 'src');
  const read = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(pattern)) read.add(m[1]!);
  }
  return [...read].sort();
}

describe('venue credentials', () => {
  it.each([
    // ingestion reads them with readSecret(env, KEY); execution with credential(KEY, venue), which calls readSecret.
    ['ingestion', /readSecret\(env, '([A-Z0-9_]+)'\)/g],
    ['execution', /credential\('([A-Z0-9_]+)'/g],
  ] as const)('%s: are exactly the credentials the service reads from <KEY> or <KEY>_FILE, and env refuses both forms', (svc, pattern) => {
    const read = credentialsRead(svc, pattern);
    expect(read.length).toBeGreaterThan(0);
    expect([...schemas[svc]!.properties.venueCredentials.properties.keys.propertyNames.enum].sort()).toEqual(read);
    const refused: string[] = schemas[svc]!.properties.env.propertyNames.not.enum;
    for (const key of read) expect(refused).toEqual(expect.arrayContaining([key, `${key}_FILE`]));
  });
});
