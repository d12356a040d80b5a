import { join } from 'node:path';
import { Database, migrate } from '@meridian/store';
import { createTestEnvironment } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { PgStudyStore, StudyBusyError, StudyMismatchError, runStudy } from '../src';
import type { Params, StudyOptions, TrialContext } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'objectives.js');
let env: TestEnvironment;
let db: Database;

beforeAll(async () => {
  env = await createTestEnvironment('research');
  db = await Database.open({ url: env.databaseUrl, schema: env.schema });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
  await env?.cleanup();
});

/** A second connection pool: what a new process resuming the study would have. */
async function otherProcess(): Promise<Database> {
  return Database.open({ url: env.databaseUrl, schema: env.schema });
}

const space = { x: { type: 'float', low: -5, high: 5 }, y: { type: 'int', low: -4, high: 4 } } as const;
const quadratic = (p: Params) => -(((p.x as number) - 3) ** 2) - ((p.y as number) + 1) ** 2;

describe('PgStudyStore', () => {
  it('stores every trial of a worker-pool study, failures included, and resumes it from another connection', async () => {
    const base: StudyOptions = {
      name: 'pg/resume',
      space: { x: { type: 'int', low: -3, high: 8 } },
      objective: { module: FIXTURE, export: 'throwsSometimes' },
      sampler: { kind: 'grid' },
      workers: 2,
      store: new PgStudyStore(db),
    };
    const ac = new AbortController();
    const first = await runStudy({ ...base, signal: ac.signal, onProgress: (p) => p.done >= 5 && ac.abort() });
    expect(first.stopped).toBe(true);
    const stored = await db.pool.query('SELECT number, state, score, error FROM research_trials WHERE study = $1 ORDER BY number', ['pg/resume']);
    expect(stored.rows.length).toBe(first.ran);
    expect(stored.rows.filter((r) => r.state === 'failed').map((r) => r.error)).toEqual(
      first.trials.filter((t) => t.state === 'failed').map((t) => t.error),
    );

    const db2 = await otherProcess();
    try {
      const done: number[] = [];
      const second = await runStudy({ ...base, store: new PgStudyStore(db2), onProgress: (p) => done.push(p.trial.number) });
      expect(second.resumed).toBe(first.ran);
      expect(second.ran).toBe(12 - first.ran);
      expect(new Set(done).size).toBe(done.length);
      for (const t of first.trials) expect(done).not.toContain(t.number);
      expect(second.trials.map((t) => t.number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect(second.failed).toBe(3);
      expect(second.trials.find((t) => t.params.x === -2)).toMatchObject({ state: 'failed', error: 'RangeError: x=-2 is below zero' });
      expect(second.best).toMatchObject({ params: { x: 8 }, score: 8 });
      const loaded = await new PgStudyStore(db2).loadStudy('pg/resume');
      expect(loaded!.definition).toMatchObject({ name: 'pg/resume', direction: 'maximize', sampler: { kind: 'grid', shuffle: false }, objective: `${FIXTURE}#throwsSometimes`, seed: 0, nTrials: 12 });
      expect(loaded!.trials).toEqual(second.trials);
    } finally {
      await db2.close();
    }
  });

  it('refits TPE from the stored trials: stopped and resumed gives the trials of an uninterrupted run', async () => {
    const calls: number[] = [];
    const objective = (p: Params, ctx: TrialContext) => {
      calls.push(ctx.trial);
      return { score: quadratic(p), metrics: { y: p.y as number } };
    };
    const opts = { space, sampler: { kind: 'tpe', startupTrials: 6 } as const, seed: 77, nTrials: 24, objective };
    const ac = new AbortController();
    await runStudy({ ...opts, name: 'pg/tpe', store: new PgStudyStore(db), signal: ac.signal, onProgress: (p) => p.done === 11 && ac.abort() });
    const db2 = await otherProcess();
    let resumed;
    try {
      resumed = await runStudy({ ...opts, name: 'pg/tpe', store: new PgStudyStore(db2) });
    } finally {
      await db2.close();
    }
    expect(resumed).toMatchObject({ resumed: 11, ran: 13 });
    expect(calls).toEqual(Array.from({ length: 24 }, (_, i) => i));
    const whole = await runStudy({ ...opts, name: 'pg/tpe-whole', store: new PgStudyStore(db) });
    expect(resumed.trials.map((t) => t.params)).toEqual(whole.trials.map((t) => t.params));
    expect(resumed.trials.map((t) => t.metrics)).toEqual(whole.trials.map((t) => t.metrics));
    expect(resumed.best).toEqual({ ...whole.best, startedAtMs: expect.any(Number), durationMs: expect.any(Number) });
  });

  it('re-runs the trials that were in flight when a run stopped', async () => {
    const store = new PgStudyStore(db);
    const opts = { name: 'pg/gaps', space: { k: { type: 'int', low: 0, high: 5 } } as const, sampler: { kind: 'grid' } as const, objective: (p: Params) => ({ score: p.k as number }) };
    await runStudy({ ...opts, store });
    // As if trials 2 and 4 had been running when the process died: never written.
    await db.pool.query('DELETE FROM research_trials WHERE study = $1 AND number IN (2, 4)', ['pg/gaps']);
    const ran: number[] = [];
    const again = await runStudy({ ...opts, store, onProgress: (p) => ran.push(p.trial.number) });
    expect(ran).toEqual([2, 4]);
    expect(again.trials.map((t) => t.params.k)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('refuses a resumed study whose definition changed, naming the field', async () => {
    const store = new PgStudyStore(db);
    const opts = { name: 'pg/mismatch', space, sampler: { kind: 'random' } as const, nTrials: 3, objective: (p: Params) => ({ score: quadratic(p) }) };
    await runStudy({ ...opts, store });
    await expect(runStudy({ ...opts, store, direction: 'minimize' })).rejects.toThrow(StudyMismatchError);
    await expect(runStudy({ ...opts, store, space: { ...space, x: { type: 'float', low: -5, high: 6 } } })).rejects.toThrow(/stored with space/);
    // Key order and defaults spelled out do not count as a change.
    await expect(runStudy({ ...opts, store, space: { y: space.y, x: space.x }, nTrials: 4 })).resolves.toMatchObject({ resumed: 3, ran: 1 });
  });

  it('lets one process at a time run a study', async () => {
    const db2 = await otherProcess();
    try {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const opts = { name: 'pg/busy', space, sampler: { kind: 'random' } as const, nTrials: 1 };
      const running = runStudy({ ...opts, store: new PgStudyStore(db), objective: async (p: Params) => (await gate, { score: quadratic(p) }) });
      await new Promise((r) => setTimeout(r, 200));
      await expect(runStudy({ ...opts, store: new PgStudyStore(db2), objective: (p: Params) => ({ score: quadratic(p) }) })).rejects.toThrow(StudyBusyError);
      release();
      await running;
      await expect(runStudy({ ...opts, nTrials: 2, store: new PgStudyStore(db2), objective: (p: Params) => ({ score: quadratic(p) }) })).resolves.toMatchObject({ ran: 1 });
      expect(await new PgStudyStore(db).listStudies()).toContain('pg/busy');
    } finally {
      await db2.close();
    }
  });
});
