import { Pool } from 'pg';
import type { PoolClient } from 'pg';
import { DatabaseUnreachableError, StoreError } from './errors';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOptions {
  url: string;
  /** Every table lives in this schema (created if missing); tests use one per run. */
  schema: string;
  maxConnections?: number;
}

/** A connection pool whose sessions all use one schema. */
export class Database {
  private constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new StoreError('DB_INVALID_SCHEMA', `DATABASE_SCHEMA ${JSON.stringify(options.schema)} is not a plain lower-case identifier`);
    }
    const pool = new Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 5,
      options: `-c search_path=${options.schema}`,
      connectionTimeoutMillis: 5_000,
    });
    // Idle-client errors (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      // Replicas starting together would race on CREATE SCHEMA IF NOT EXISTS; serialise them.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`meridian-schema:${options.schema}`]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw new DatabaseUnreachableError(options.url, err);
    }
    return new Database(pool, options.schema);
  }

  async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
