export { testServers } from './servers';
export type { ServerUrls } from './servers';
export { dockerReachable } from './docker';
export { uniqueNamespace, createSchema, deleteNamespaceStreams } from './isolation';
export { createTestEnvironment } from './environment';
export type { TestEnvironment } from './environment';
export { waitFor } from './wait';
export { seededRandom } from './random';
