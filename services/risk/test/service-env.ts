// The environment every in-process risk service of these tests starts from: the test's NATS and
// PostgreSQL, free ports, quiet logs, the symbols it shards. Each test adds its own limits.
import type { TestEnvironment } from '@meridian/testkit';

export function riskServiceEnv(env: TestEnvironment, symbols: string): NodeJS.ProcessEnv {
  return {
    ...env.env,
    HOST: '127.0.0.1',
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: 'fatal',
    SYMBOLS: symbols,
    SHUTDOWN_TIMEOUT_MS: '5000',
  };
}
