import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from '@meridian/store';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** A COPY text-format field: NULL is \N; backslash, tab, newline and carriage return are escaped. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Rows per chunk written to the COPY stream: large enough to amortise, small enough to stream. */
const ROWS_PER_CHUNK = 512;

/**
 * Streams rows into `COPY <table> (<columns>) FROM STDIN` (text format) on a client, with
 * backpressure: the rows are encoded a chunk at a time, never as one string for the whole batch.
 */
export async function copyRows<T>(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: readonly T[],
  encode: (row: T) => string,
): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += ROWS_PER_CHUNK) {
      let chunk = '';
      const end = Math.min(rows.length, i + ROWS_PER_CHUNK);
      for (let j = i; j < end; j++) chunk += encode(rows[j]!) + '\n';
      yield chunk;
    }
  }
  await pipeline(Readable.from(chunks()), stream);
}

/**
 * COPY into a session-local staging table, then one statement that merges it into the real table,
 * in one transaction. The staging table is `ON COMMIT DELETE ROWS` and created once per pooled
 * connection (temp tables live as long as their connection), so a batch costs no catalog churn.
 */
export class StagedCopy<T> {
  /** Connections whose staging table exists (recorded only once its creation committed). */
  private readonly ready = new WeakSet<PoolClient>();

  constructor(
    private readonly db: Database,
    private readonly staging: string,
    /** `CREATE TEMP TABLE IF NOT EXISTS <staging> (…) ON COMMIT DELETE ROWS` */
    private readonly ddl: string,
    private readonly columns: readonly string[],
    private readonly encode: (row: T) => string,
  ) {}

  /** Copies the rows and runs `merge`; returns the merge's row count. */
  async run(rows: readonly T[], merge: string): Promise<number> {
    let created: PoolClient | undefined;
    const count = await this.db.transaction(async (client) => {
      if (!this.ready.has(client)) {
        await client.query(this.ddl);
        created = client;
      }
      await copyRows(client, this.staging, this.columns, rows, this.encode);
      return (await client.query(merge)).rowCount ?? 0;
    });
    if (created) this.ready.add(created);
    return count;
  }
}
