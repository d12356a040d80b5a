import { join } from 'node:path';
import { ObjectiveLoadError, WorkerPool, runStudy } from '../src';
import type { EvalOutcome } from '../src';

const FIXTURE = join(__dirname, 'fixtures', 'objectives.js');
const ctx = (trial: number, data?: unknown) => ({ study: 'pool-test', trial, seed: 0, data });

function ok(o: EvalOutcome) {
  if (!o.ok) throw new Error(`expected a result, got failure ${o.error}`);
  return o.result;
}

describe('WorkerPool', () => {
  it('runs trials on several threads at once', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'quadratic' }, workers: 3 });
    try {
      const outcomes = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => pool.evaluate({ x: i, y: 0 }, ctx(i, { sleepMs: 300 }))));
      const results = outcomes.map(ok);
      expect(results.map((r) => r.score)).toEqual([0, 1, 2, 3, 4, 5].map((x) => -((x - 3) ** 2) - 1));
      expect(new Set(results.map((r) => r.metrics!.threadId)).size).toBe(3);
      // Some pair of trials ran at overlapping times: parallel, not one after another.
      const spans = results.map((r) => [r.metrics!.startedAt!, r.metrics!.endedAt!] as const);
      const overlapping = spans.some(([s1, e1], i) => spans.some(([s2], j) => j !== i && s2 >= s1 && s2 < e1));
      expect(overlapping).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('records a thrown error as that trial failing, with its message', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'throwsSometimes' }, workers: 2 });
    try {
      const [bad, good] = await Promise.all([pool.evaluate({ x: -2 }, ctx(0)), pool.evaluate({ x: 5 }, ctx(1))]);
      expect(bad).toMatchObject({ ok: false, error: 'RangeError: x=-2 is below zero' });
      expect(ok(good!).score).toBe(5);
    } finally {
      await pool.close();
    }
  });

  it('fails the trial of a crashed thread and replaces the thread', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'crashes' }, workers: 1 });
    try {
      const crashed = await pool.evaluate({ x: 0 }, ctx(0));
      expect(crashed).toMatchObject({ ok: false, error: 'worker thread exited with code 7' });
      const after = await Promise.all([1, 2, 3].map((x) => pool.evaluate({ x }, ctx(x))));
      expect(after.map((o) => ok(o).score)).toEqual([1, 2, 3]);
    } finally {
      await pool.close();
    }
  });

  it('fails a trial that exceeds the timeout and keeps going', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'hangs' }, workers: 1, trialTimeoutMs: 300 });
    try {
      const hung = await pool.evaluate({ x: 1 }, ctx(0));
      expect(hung.ok).toBe(false);
      expect(!hung.ok && hung.error).toMatch(/exceeded trialTimeoutMs 300/);
      expect(ok(await pool.evaluate({ x: 4 }, ctx(1))).score).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('fails a trial whose result has a bad shape', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'badShape' }, workers: 1 });
    try {
      expect(await pool.evaluate({ x: 2 }, ctx(0))).toMatchObject({ ok: false, error: expect.stringMatching(/score NaN; it must be a finite number/) });
    } finally {
      await pool.close();
    }
  });

  it('refuses to start with an objective it cannot load', async () => {
    await expect(WorkerPool.start({ objective: { module: FIXTURE, export: 'missing' }, workers: 1 })).rejects.toThrow(ObjectiveLoadError);
    await expect(WorkerPool.start({ objective: { module: FIXTURE, export: 'notAFunction' }, workers: 1 })).rejects.toThrow(/a number, not a function/);
    await expect(WorkerPool.start({ objective: { module: join(__dirname, 'fixtures', 'nope.js') }, workers: 1 })).rejects.toThrow(/module not found/);
  });

  it('rejects work after close', async () => {
    const pool = await WorkerPool.start({ objective: { module: FIXTURE, export: 'quadratic' }, workers: 1 });
    await pool.close();
    await expect(pool.evaluate({ x: 1, y: 1 }, ctx(0))).rejects.toThrow(/closed/);
  });

  it('runs a whole study on the pool, failures recorded and the study finishing', async () => {
    const progress: number[] = [];
    const result = await runStudy({
      name: 'pool-study',
      space: { x: { type: 'int', low: -3, high: 3 } },
      objective: { module: FIXTURE, export: 'throwsSometimes' },
      sampler: { kind: 'grid' },
      workers: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(result.trials).toHaveLength(7);
    expect(result.failed).toBe(3);
    expect(result.trials.filter((t) => t.state === 'failed').map((t) => t.error)).toEqual([-3, -2, -1].map((x) => `RangeError: x=${x} is below zero`));
    expect(result.best).toMatchObject({ params: { x: 3 }, score: 3 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
