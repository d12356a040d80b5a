import { PlatformError } from '@meridian/domain';

/** Base of store errors: a stable code; messages name the table, migration or schema. */
export class StoreError extends PlatformError {}

export class DatabaseUnreachableError extends StoreError {
  constructor(url: string, cause: unknown) {
    super('DB_UNREACHABLE', `cannot reach PostgreSQL at ${redact(url)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export class MigrationError extends StoreError {
  constructor(file: string, cause: unknown) {
    super('DB_MIGRATION', `migration ${file} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Hides the password of a connection URL in messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
