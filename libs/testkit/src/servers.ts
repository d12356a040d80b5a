import { dockerReachable } from './docker';

export interface ServerUrls {
  natsUrl: string;
  databaseUrl: string;
  /** Where they came from, for test logs. */
  source: 'testcontainers' | 'environment';
}

let cached: Promise<ServerUrls> | undefined;

async function fromContainers(): Promise<ServerUrls> {
  // Loaded only when a Docker engine is there, so machines without one never pay for it.
  const { NatsContainer } = await import('@testcontainers/nats');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [nats, pg] = await Promise.all([
    new NatsContainer('nats:2.10-alpine').withJetStream().start(),
    new PostgreSqlContainer('postgres:16-alpine').start(),
  ]);
  return { natsUrl: `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`, databaseUrl: pg.getConnectionUri(), source: 'testcontainers' };
}

/**
 * Real NATS JetStream and PostgreSQL for tests: containers where a Docker engine is reachable,
 * otherwise `NATS_URL` and `DATABASE_URL` (the machine's servers by default). One pair per
 * test process; isolation between runs comes from namespaces and schemas, not servers.
 */
export function testServers(): Promise<ServerUrls> {
  cached ??= (async () => {
    if (await dockerReachable()) return fromContainers();
    return {
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      source: 'environment' as const,
    };
  })();
  return cached;
}
