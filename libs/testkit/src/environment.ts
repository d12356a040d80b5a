import { createSchema, deleteNamespaceStreams, uniqueNamespace } from './isolation';
import { testServers } from './servers';

/** Everything one test file needs to talk to real servers without seeing another run's data. */
export interface TestEnvironment {
  natsUrl: string;
  databaseUrl: string;
  /** Subject namespace and stream prefix of this run (BUS_NAMESPACE). */
  namespace: string;
  /** PostgreSQL schema of this run (DATABASE_SCHEMA). */
  schema: string;
  /** The variables a service process needs to join this environment. */
  env: Record<string, string>;
  /** Deletes this run's streams and schema. */
  cleanup(): Promise<void>;
}

export async function createTestEnvironment(prefix = 't'): Promise<TestEnvironment> {
  const servers = await testServers();
  const namespace = uniqueNamespace(prefix);
  const { schema, drop } = await createSchema(servers.databaseUrl, namespace);
  return {
    natsUrl: servers.natsUrl,
    databaseUrl: servers.databaseUrl,
    namespace,
    schema,
    env: { NATS_URL: servers.natsUrl, DATABASE_URL: servers.databaseUrl, BUS_NAMESPACE: namespace, DATABASE_SCHEMA: schema },
    cleanup: async () => {
      await deleteNamespaceStreams(servers.natsUrl, namespace);
      await drop();
    },
  };
}
