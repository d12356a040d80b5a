import { Database, migrate } from '@meridian/store';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { PgRunStore, RunNotFoundError } from '../src';

let env: TestEnvironment;
let db: Database;

beforeAll(async () => {
  env = await createTestEnvironment('btstore');
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });
  await migrate(db);
});

// Each test starts from an empty queue (a stale run of another test would be claimed).
beforeEach(async () => {
  await db.pool.query('DELETE FROM backtest_runs');
});

afterAll(async () => {
  await db?.close();
  await env?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('servers share one queue: each run is claimed once, oldest first, by kind; only the owner writes it', async () => {
  const store = new PgRunStore(db, 60_000);
  await store.create({ id: 'q1', kind: 'backtest', title: 'one', request: { n: 1 } });
  await store.create({ id: 'q2', kind: 'study', title: 'two', request: { n: 2 } });
  await store.create({ id: 'q3', kind: 'backtest', title: 'three', request: { n: 3 } });
  const [a, b, c] = await Promise.all([store.claim('A', ['backtest']), store.claim('B', ['backtest']), store.claim('C', ['backtest'])]);
  const claimed = [a, b, c].filter((x) => x !== undefined).map((x) => x!.id).sort();
  expect(claimed).toEqual(['q1', 'q3']);
  expect(await store.claim('D', ['backtest'])).toBeUndefined();
  expect(await store.claim('D', ['study'])).toMatchObject({ id: 'q2', kind: 'study', request: { n: 2 }, attempts: 1 });
  expect(await store.claim('D', [])).toBeUndefined();

  const owner = a?.id === 'q1' ? 'A' : b?.id === 'q1' ? 'B' : 'C';
  expect(await store.progress('q1', owner, { events: 10, eventsTotal: 100, fraction: 0.1 })).toBe(true);
  expect(await store.progress('q1', 'someone-else', { events: 99 })).toBe(false);
  expect((await store.get('q1')).progress).toEqual({ events: 10, eventsTotal: 100, fraction: 0.1 });
  expect(await store.finish('q1', 'someone-else', '{}', {}, {})).toBe(false);
  expect(await store.finish('q1', owner, '{"x":1}', { m: 1 }, { fraction: 1 })).toBe(true);
  expect(await store.payload('q1')).toEqual({ request: { n: 1 }, result: '{"x":1}' });
  expect(await store.get('q1')).toMatchObject({ status: 'done', summary: { m: 1 } });
  // A finished run cannot be cancelled or failed any more.
  expect((await store.cancel('q1')).status).toBe('done');
  expect(await store.fail('q1', owner, 'late')).toBe(false);
  await expect(store.get('nope')).rejects.toBeInstanceOf(RunNotFoundError);
  await expect(store.cancel('nope')).rejects.toBeInstanceOf(RunNotFoundError);
});

test('a run whose server stops beating is claimed again; the old owner can no longer write it; after maxAttempts it fails as abandoned', async () => {
  const store = new PgRunStore(db, 1_000, 2);
  await store.create({ id: 'lease', kind: 'backtest', title: 'lease', request: {} });
  expect(await store.claim('A', ['backtest'])).toMatchObject({ id: 'lease', attempts: 1 });
  expect(await store.claim('B', ['backtest'])).toBeUndefined();
  // A beats: still A's.
  await sleep(600);
  expect(await store.heartbeat('A', ['lease', 'unknown'])).toEqual(['unknown']);
  await sleep(600);
  expect(await store.claim('B', ['backtest'])).toBeUndefined();
  // A goes quiet past the lease: B takes it over; A's writes are refused from then on.
  await sleep(1_200);
  expect(await store.claim('B', ['backtest'])).toMatchObject({ id: 'lease', attempts: 2 });
  expect(await store.progress('lease', 'A', { events: 1 })).toBe(false);
  expect(await store.heartbeat('A', ['lease'])).toEqual(['lease']);
  // B goes quiet too: two attempts were allowed, so the run fails instead of a third.
  await sleep(1_200);
  expect(await store.claim('C', ['backtest'])).toBeUndefined();
  expect(await store.get('lease')).toMatchObject({ status: 'failed', error: 'abandoned: its server stopped 2 times while running it' });
}, 20_000);

test('release hands a run back to the queue (a stopping server), cancel ends a queued one; listing filters by status and kind', async () => {
  const store = new PgRunStore(db, 60_000);
  await store.create({ id: 'r1', kind: 'backtest', title: 'r1', request: {} });
  await store.create({ id: 'r2', kind: 'backtest', title: 'r2', request: {} });
  const first = await store.claim('A', ['backtest']);
  expect(first?.id).toBe('r1');
  expect(await store.release('r1', 'A')).toBe(true);
  expect(await store.get('r1')).toMatchObject({ status: 'queued', attempts: 0 });
  expect((await store.cancel('r2')).status).toBe('cancelled');
  expect((await store.claim('B', ['backtest']))?.id).toBe('r1');
  const cancelled = await store.list({ limit: 10, status: 'cancelled' });
  expect(cancelled.map((r) => r.id)).toEqual(['r2']);
  const studies = await store.list({ limit: 10, kind: 'study' });
  expect(studies.every((r) => r.kind === 'study')).toBe(true);
  expect(await store.queued()).toEqual({ backtest: 0, study: 0 });
});
