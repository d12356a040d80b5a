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
  /**
   * `env` and what a service started beside the test needs: loopback, ports the OS picks, quiet
   * logs, a 5 s shutdown, and the symbols it shards (comma-separated). Tests add their own settings.
   */
  serviceEnv(symbols: string): Record<string, string>;
  /** Deletes this run's streams and schema. */
  cleanup(): Promise<void>;
}

export async function createTestEnvironment(prefix = 't'): Promise<TestEnvironment> {
  const servers = await testServers();
  const namespace = uniqueNamespace(prefix);
  const { schema, drop } = await createSchema(servers.databaseUrl, namespace);
  const env = { NATS_URL: servers.natsUrl, DATABASE_URL: servers.databaseUrl, BUS_NAMESPACE: namespace, DATABASE_SCHEMA: schema };
  return {
    natsUrl: servers.natsUrl,
    databaseUrl: servers.databaseUrl,
    namespace,
    schema,
    env,
    serviceEnv: (symbols) => ({ ...env, HOST: '127.0.0.1', HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: 'fatal', SYMBOLS: symbols, SHUTDOWN_TIMEOUT_MS: '5000' }),
    cleanup: async () => {
      await deleteNamespaceStreams(servers.natsUrl, namespace);
      await drop();
    },
  };
}
