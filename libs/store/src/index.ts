export { Database } from './database';
export type { DatabaseOptions } from './database';
export { migrate, migrationsDir } from './migrate';
export { StoreError, DatabaseUnreachableError, MigrationError, redact } from './errors';
