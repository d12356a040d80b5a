import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database';
import { MigrationError } from './errors';

/** Where the platform's SQL migrations live: numbered files applied in order, once each. */
export function migrationsDir(): string {
  return join(__dirname, '..', 'migrations');
}

/**
 * Applies the pending migrations in one transaction (all or none), under an advisory lock so
 * replicas starting together never race. Returns the files applied now.
 */
export async function migrate(db: Database, dir: string = migrationsDir()): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  await db.transaction(async (client) => {
    // Lock key derived from the schema, so test runs in separate schemas do not wait on each other.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meridian-migrate:${db.schema}`]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      try {
        await client.query(readFileSync(join(dir, file), 'utf8'));
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      } catch (err) {
        throw new MigrationError(file, err);
      }
      applied.push(file);
    }
  });
  return applied;
}
