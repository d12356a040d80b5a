import { join } from 'node:path';

/** The platform's services in start order: consumers before the source that feeds them. */
export const SERVICES = ['recorder', 'risk', 'execution', 'order-book', 'coordinator', 'inference', 'ingestion'] as const;
export type ServiceName = (typeof SERVICES)[number];

export function repoRoot(): string {
  return join(__dirname, '..', '..', '..');
}

/** The compiled entry point of a service (built by `nx run-many -t build`). */
export function serviceEntry(name: ServiceName): string {
  return join(repoRoot(), 'services', name, 'dist', 'main.js');
}
