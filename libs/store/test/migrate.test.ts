import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { PlatformError } from '@meridian/domain';
import { Database, DatabaseUnreachableError, MigrationError, StoreError, migrate, migrationsDir, redact } from '../src';

const URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUN = `st${Date.now().toString(36)}${process.pid}`;
const SHIPPED = ['001_orders_executions_positions.sql', '002_market_history.sql', '003_risk_limit_changes.sql', '004_risk_equity_and_events.sql', '005_model_registry.sql', '006_research_studies.sql', '007_backtest_runs.sql'];

// A pool outside any test schema, for creating and dropping the schemas this file uses.
let admin: Pool;
const schemas: string[] = [];
const opened: Database[] = [];

function schemaName(suffix: string): string {
  const name = `${RUN}_${suffix}`;
  schemas.push(name);
  return name;
}

async function open(schema: string, maxConnections?: number): Promise<Database> {
  const db = await Database.open({ url: URL, schema, ...(maxConnections ? { maxConnections } : {}) });
  opened.push(db);
  return db;
}

async function tablesOf(schema: string): Promise<string[]> {
  const r = await admin.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return r.rows.map((row) => row.table_name);
}

beforeAll(() => {
  admin = new Pool({ connectionString: URL, max: 2 });
});

afterAll(async () => {
  await Promise.all(opened.map((db) => db.close().catch(() => undefined)));
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
});

test('migrate applies the shipped migrations once; a second run applies nothing; the tables exist in the schema', async () => {
  const schema = schemaName('once');
  const db = await open(schema);
  expect(db.schema).toBe(schema);

  const first = await migrate(db);
  expect(first).toEqual(SHIPPED);
  expect(await migrate(db)).toEqual([]);
  expect(await migrate(db)).toEqual([]);

  expect(await tablesOf(schema)).toEqual(['backtest_runs', 'bars', 'executions', 'model_active', 'model_audit', 'model_versions', 'order_rejections', 'orders', 'positions', 'research_studies', 'research_trials', 'risk_equity_snapshots', 'risk_events', 'risk_limit_changes', 'schema_migrations', 'trades']);
  const applied = await db.pool.query<{ name: string; applied_at: Date }>('SELECT name, applied_at FROM schema_migrations ORDER BY name');
  expect(applied.rows.map((r) => r.name)).toEqual(SHIPPED);
  expect(applied.rows[0]!.applied_at).toBeInstanceOf(Date);

  // Unqualified names resolve in the schema (search_path), and nothing leaked into public.
  const sp = await db.pool.query<{ search_path: string }>('SHOW search_path');
  expect(sp.rows[0]!.search_path).toBe(schema);
  const inPublic = await admin.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'schema_migrations'`,
  );
  expect(inPublic.rowCount).toBe(0);
});

test('the migrated tables accept exact numerics and enforce their checks', async () => {
  const schema = schemaName('tables');
  const db = await open(schema);
  await migrate(db);
  await db.pool.query(
    `INSERT INTO orders (client_order_id, strategy, venue, symbol, side, order_type, quantity, notional, status, intent_ts, approved_ts, updated_ts)
     VALUES ('c1', 's', 'paper', 'BTC-USDT', 'BUY', 'LIMIT', '0.000000000000000001', '123456789012345678901234567890.123456789', 'NEW', now(), now(), now())`,
  );
  const r = await db.pool.query<{ quantity: string; notional: string }>('SELECT quantity, notional FROM orders');
  expect(r.rows[0]).toEqual({ quantity: '0.000000000000000001', notional: '123456789012345678901234567890.123456789' });
  await expect(
    db.pool.query(
      `INSERT INTO orders (client_order_id, strategy, venue, symbol, side, order_type, quantity, notional, status, intent_ts, approved_ts, updated_ts)
       VALUES ('c2', 's', 'paper', 'BTC-USDT', 'HOLD', 'LIMIT', '1', '1', 'NEW', now(), now(), now())`,
    ),
  ).rejects.toThrow(/check constraint/);
});

test('concurrent migrate() calls on a fresh schema all succeed and apply each migration exactly once', async () => {
  const schema = schemaName('race');
  // Separate pools, as separate replicas would have; all start migrating at once. The pools are
  // opened one after the other: concurrent Database.open() calls on a schema that does not exist
  // yet race on CREATE SCHEMA IF NOT EXISTS (a PostgreSQL unique violation on pg_namespace).
  const dbs: Database[] = [];
  for (let i = 0; i < 4; i++) dbs.push(await open(schema, 1));
  const results = await Promise.all(dbs.map((db) => migrate(db)));
  expect(results.flat()).toEqual(SHIPPED);
  expect(results.filter((r) => r.length === 0)).toHaveLength(3);
  const rows = await dbs[0]!.pool.query('SELECT name FROM schema_migrations');
  expect(rows.rowCount).toBe(SHIPPED.length);
  expect(await tablesOf(schema)).toContain('orders');
});

test('schemas are independent: migrating one does not migrate another', async () => {
  const one = await open(schemaName('ind_a'));
  const two = await open(schemaName('ind_b'));
  expect(await migrate(one)).toHaveLength(SHIPPED.length);
  expect(await tablesOf(two.schema)).toEqual([]);
  expect(await migrate(two)).toHaveLength(SHIPPED.length);
});

describe('with a migrations directory of its own', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'meridian-migrations-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('files apply in numeric order; non-migration files are ignored; later files apply later', async () => {
    const db = await open(schemaName('order'));
    writeFileSync(join(dir, '002_b.sql'), 'ALTER TABLE t ADD COLUMN b int;');
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE t (a int);');
    writeFileSync(join(dir, 'README.md'), 'not sql');
    writeFileSync(join(dir, 'notes.sql'), 'SELECT broken syntax here');
    expect(await migrate(db, dir)).toEqual(['001_a.sql', '002_b.sql']);
    writeFileSync(join(dir, '003_c.sql'), 'ALTER TABLE t ADD COLUMN c int;');
    expect(await migrate(db, dir)).toEqual(['003_c.sql']);
    const cols = await db.pool.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 't' ORDER BY ordinal_position`,
      [db.schema],
    );
    expect(cols.rows.map((r) => r.column_name)).toEqual(['a', 'b', 'c']);
  });

  test('a failing migration names the file and rolls back everything of that run', async () => {
    const db = await open(schemaName('fail'));
    writeFileSync(join(dir, '001_ok.sql'), 'CREATE TABLE ok_table (a int);');
    writeFileSync(join(dir, '002_bad.sql'), 'CREATE TABLE broken (;');
    let err: unknown;
    try {
      await migrate(db, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MigrationError);
    expect(err).toBeInstanceOf(StoreError);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as MigrationError).code).toBe('DB_MIGRATION');
    expect((err as MigrationError).cause).toBeDefined();
    expect((err as Error).message).toMatch(/^migration 002_bad\.sql failed: .*syntax error/);
    // One transaction: 001 was not kept either, and the bookkeeping table was rolled back too.
    expect(await tablesOf(db.schema)).toEqual([]);
    // Fixing the file lets the next run apply both.
    writeFileSync(join(dir, '002_bad.sql'), 'CREATE TABLE fixed (a int);');
    expect(await migrate(db, dir)).toEqual(['001_ok.sql', '002_bad.sql']);
  });
});

test('migrationsDir() holds the shipped migrations', () => {
  expect(migrationsDir()).toMatch(/libs[\\/]store[\\/]migrations$/);
});

describe('Database', () => {
  test.each(['Public', 'has-dash', '1starts_with_digit', 'x; DROP TABLE orders', '', 'a'.repeat(64), 'semi;colon', 'sp ace'])(
    'open refuses the schema name %j with a clear message, before connecting',
    async (schema) => {
      // An unreachable URL proves the name is refused before any connection is tried.
      const err = await Database.open({ url: 'postgres://u:secret@127.0.0.1:1/db', schema }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toContain(`DATABASE_SCHEMA ${JSON.stringify(schema)} is not a plain lower-case identifier`);
      expect((err as Error).message).not.toContain('secret');
    },
  );

  test('open accepts the longest plain identifier', async () => {
    const name = `${RUN}_${'z'.repeat(63 - RUN.length - 1)}`;
    expect(name).toHaveLength(63);
    schemas.push(name);
    const db = await open(name);
    expect((await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rowCount).toBe(1);
    await db.close();
    opened.splice(opened.indexOf(db), 1);
  });

  test('an unreachable server is reported with the password hidden', async () => {
    const err = await Database.open({ url: 'postgres://u:secret@127.0.0.1:1/db', schema: 'ok' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseUnreachableError);
    expect((err as DatabaseUnreachableError).code).toBe('DB_UNREACHABLE');
    expect((err as Error).message).toMatch(/^cannot reach PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: /);
    expect((err as Error).message).not.toContain('secret');
  });

  test('transaction commits on success and rolls back on error', async () => {
    const db = await open(schemaName('tx'));
    await db.pool.query('CREATE TABLE t (v int)');
    expect(await db.transaction(async (c) => (await c.query('INSERT INTO t VALUES (1) RETURNING v')).rows[0].v)).toBe(1);
    await expect(
      db.transaction(async (c) => {
        await c.query('INSERT INTO t VALUES (2)');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await db.pool.query('SELECT v FROM t ORDER BY v')).rows).toEqual([{ v: 1 }]);
    // The client went back to the pool in a usable state.
    expect(db.pool.idleCount + db.pool.totalCount).toBeGreaterThan(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(1);
  });
});

test('redact hides only the password', () => {
  expect(redact('postgres://u:pw@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  expect(redact('postgres://u@h/db')).toBe('postgres://u@h/db');
  expect(redact('not a url')).toBe('<invalid url>');
});
